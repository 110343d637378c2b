/**
 * Reports benchmark (issue: desktops and reports): every report's data (`reports.run`) for the
 * president (whole branch) and a manager (own book), target p95 < 500 ms on a 1M-customer /
 * 20M-transaction store; plus the full rebuild of the reporting summaries (repair command). Baselines
 * measured in the same run on the same store: one pass over the customers table grouped by tier (what
 * any report that scanned the book would cost at least) and the channel mix of the latest month counted
 * from the transactions table (what the channel report would cost without its summary).
 *
 *   node --import tsx test/bench/reports.ts --db STORE [--samples 20] [--rebuild]
 */
import { columnsReady, fmt, pct, signedIn } from './support';
import { fixedClock } from '../../main/clock';
import { createRegistry } from '../../main/registry';
import { createServices } from '../../main/services';
import { rebuildReporting } from '../../db/reporting/maintain';
import { REPORTS } from '../../shared/api';

export async function benchReports(opts: {
  db: string;
  samples: number;
  print: (s: string) => void;
  today?: string;
  rebuild?: boolean;
}): Promise<void> {
  const { print } = opts;
  const today = opts.today ?? '2026-10-31';
  const services = await createServices({
    dbPath: opts.db,
    mode: 'browser',
    clock: fixedClock(new Date(`${today}T02:00:00Z`)),
  });
  try {
    await columnsReady(services.db, print);
    const registry = createRegistry(services);
    const { timed } = await signedIn(registry, ['president', 'manager1']);
    const db = services.db;
    const total = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
    const txns = (db.prepare('SELECT MAX(id) AS n FROM transactions').get() as { n: number | null }).n ?? 0;
    const latest =
      (db.prepare('SELECT MAX(month) AS m FROM report_months').get() as { m: string | null }).m ?? today.slice(0, 7);
    print(
      `  store: ${total.toLocaleString('en-US')} customers, ~${txns.toLocaleString('en-US')} transactions, latest reporting month ${latest}`,
    );

    const scan: number[] = [];
    const raw: number[] = [];
    const scanStmt = db.prepare('SELECT tier, COUNT(*), SUM(aum_fen) FROM customers GROUP BY tier');
    // No index leads with txn_at: the month's channel mix from the raw table is a pass over the journal.
    const rawStmt = db.prepare(
      'SELECT channel, COUNT(*), SUM(amount_fen) FROM transactions WHERE txn_at >= ? AND txn_at < ? GROUP BY channel',
    );
    const baseSamples = Math.max(3, Math.floor(opts.samples / 4));
    for (let i = 0; i < baseSamples; i++) {
      let t = performance.now();
      scanStmt.all();
      scan.push(performance.now() - t);
      t = performance.now();
      rawStmt.all(`${latest}-01`, `${latest}-32`);
      raw.push(performance.now() - t);
    }
    print(`  baseline one pass over customers:          ${fmt(scan)}`);
    print(`  baseline channel mix from transactions:    ${fmt(raw)}`);

    let worst = 0;
    for (const who of ['president', 'manager1']) {
      for (const report of REPORTS) {
        const xs: number[] = [];
        for (let i = 0; i < opts.samples; i++) xs.push(await timed(who, 'reports.run', { report, filter: {} }));
        worst = Math.max(worst, pct(xs, 95));
        print(
          `  reports.run ${who.padEnd(9)} ${report.padEnd(12)} ${fmt(xs)}; ratio p95 / one pass ${(pct(xs, 95) / pct(scan, 95)).toFixed(2)} x`,
        );
      }
    }
    print(`  worst report p95: ${worst.toFixed(1)} ms (target < 500)`);

    if (opts.rebuild) {
      const t = performance.now();
      rebuildReporting(db);
      print(
        `  rebuild of the reporting summaries (crm summaries --rebuild): ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await services.close();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (n: string) => {
    const i = argv.indexOf(n);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const db = arg('--db');
  if (!db) throw new Error('--db STORE is required');
  benchReports({
    db,
    samples: Number(arg('--samples') ?? 20),
    today: arg('--today'),
    rebuild: argv.includes('--rebuild'),
    print: (s) => process.stdout.write(`${s}\n`),
  }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
