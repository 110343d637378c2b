/**
 * Desktop benchmark (issue: desktops and reports): all widgets' data of the president's default
 * desktop in one `desktop.data` call, target p95 < 300 ms on a 1M-customer store; the same for a
 * manager; and each widget alone, so a slow one is named. Baselines measured in the same run on the
 * same store: the old home page's call (`overview.branch`, maintained summaries) and one full pass over
 * the customers table grouped by tier (what any widget that scanned the book would cost at least).
 *
 *   node --import tsx test/bench/desktop.ts --db STORE [--samples 30]
 */
import { columnsReady, fmt, pct, signedIn } from './support';
import { fixedClock } from '../../main/clock';
import { makeEnv, WIDGETS, DEFAULT_LAYOUTS } from '../../main/desktop/widgets';
import { createRegistry } from '../../main/registry';
import { createServices } from '../../main/services';
import { scopeFor } from '../../db/scope';

export async function benchDesktop(opts: {
  db: string;
  samples: number;
  print: (s: string) => void;
  today?: string;
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
    const total = (services.db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
    print(`  store: ${total.toLocaleString('en-US')} customers, today ${today}`);

    // Baselines first (same store, same process).
    const home: number[] = [];
    const scan: number[] = [];
    const scanStmt = services.db.prepare('SELECT tier, COUNT(*), SUM(aum_fen) FROM customers GROUP BY tier');
    for (let i = 0; i < opts.samples; i++) {
      home.push(await timed('president', 'overview.branch', {}));
      const t = performance.now();
      scanStmt.all();
      scan.push(performance.now() - t);
    }
    print(`  baseline overview.branch (old home):  ${fmt(home)}`);
    print(`  baseline one pass over customers:     ${fmt(scan)}`);

    for (const who of ['president', 'manager1']) {
      const xs: number[] = [];
      for (let i = 0; i < opts.samples; i++) xs.push(await timed(who, 'desktop.data', {}));
      const target = who === 'president' ? ' (target p95 < 300)' : '';
      print(
        `  desktop.data ${who.padEnd(9)} all widgets:   ${fmt(xs)}${target}; ratio p95 / one pass ${(pct(xs, 95) / pct(scan, 95)).toFixed(2)} x`,
      );
    }

    // Each widget of the president's default desktop alone.
    const user = services.db
      .prepare("SELECT id, role, staff_id, branch_id FROM users WHERE username = 'president'")
      .get() as {
      id: number;
      role: 'president';
      staff_id: number | null;
      branch_id: number | null;
    };
    const scope = scopeFor(services.db, { role: user.role, staffId: user.staff_id, branchId: user.branch_id }, today);
    for (const w of DEFAULT_LAYOUTS.president.widgets) {
      const xs: number[] = [];
      for (let i = 0; i < Math.max(3, Math.floor(opts.samples / 3)); i++) {
        const env = makeEnv(services.db, scope, today, user);
        const t = performance.now();
        WIDGETS[w.kind](w.config as never, env);
        xs.push(performance.now() - t);
      }
      print(`    widget ${w.id.padEnd(14)} ${fmt(xs)}`);
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
  benchDesktop({
    db,
    samples: Number(arg('--samples') ?? 30),
    today: arg('--today'),
    print: (s) => process.stdout.write(`${s}\n`),
  }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
