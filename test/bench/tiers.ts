/**
 * Tier model benchmark (issue: desktops and reports, tier model): over every customer of the store,
 * measuring the factors, the what-if preview (target < 3 s on 1M customers) and re-tiering with the
 * summaries brought up to date in the same transaction (target < 20 s). Baseline measured in the same
 * run: one pass over the customers table grouped by tier, the least any whole-book question costs.
 * Re-tiering changes the store: run it on a bench store.
 *
 *   node --import tsx test/bench/tiers.ts --db STORE
 */
import { openStore } from '../../db/open';
import { refreshFactors, retier, whatIf } from '../../db/tiering';
import { DEFAULT_TIER_MODEL, type TierModel } from '../../shared/tiers';

export async function benchTiers(opts: { db: string; print: (s: string) => void; today?: string }): Promise<void> {
  const { print } = opts;
  const today = opts.today ?? '2026-10-31';
  const { db } = await openStore(opts.db);
  try {
    const total = (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
    const time = <T>(f: () => T): [T, number] => {
      const t = performance.now();
      const r = f();
      return [r, (performance.now() - t) / 1000];
    };
    const [, base] = time(() => db.prepare('SELECT tier, COUNT(*), SUM(aum_fen) FROM customers GROUP BY tier').all());
    print(
      `  store: ${total.toLocaleString('en-US')} customers; baseline one grouped pass over customers ${base.toFixed(2)} s`,
    );
    const [, factors] = time(() => refreshFactors(db, today));
    print(`  measure factors (deposits, growth, loans, e-banking, tenure, penalties): ${factors.toFixed(1)} s`);
    // A model the branch might try: deposits weigh more, the gold bar is higher.
    const model: TierModel = {
      ...DEFAULT_TIER_MODEL,
      name: 'bench',
      factors: DEFAULT_TIER_MODEL.factors.map((f) =>
        f.factor === 'deposits'
          ? { ...f, weight: f.weight + 10 }
          : f.factor === 'tenureYears'
            ? { ...f, weight: 0 }
            : f,
      ),
      thresholds: { ...DEFAULT_TIER_MODEL.thresholds, gold: 66, key: 20 },
    };
    const previews: number[] = [];
    let moving = 0;
    for (let i = 0; i < 3; i++) {
      const [cells, s] = time(() => whatIf(db, model));
      previews.push(s);
      moving = cells.filter((c) => c.from !== c.to).reduce((n, c) => n + c.customers, 0);
    }
    const worst = Math.max(...previews);
    print(
      `  what-if preview (from/to matrix): ${previews.map((s) => s.toFixed(2)).join(', ')} s, worst ${worst.toFixed(2)} s = ${(worst / base).toFixed(1)} x baseline (target < 3 s); ${moving.toLocaleString('en-US')} customers would move`,
    );
    // Re-runnable on the same store: after the last recorded change (re-tiering refuses a clock set
    // back), and the other of two models when this one is already active (else nothing would move).
    const last = (db.prepare('SELECT MAX(changed_at) AS at FROM customer_tier_changes').get() as { at: string | null })
      .at;
    const at = new Date(Math.max(Date.parse(`${today}T03:00:00Z`), last ? Date.parse(last) + 60_000 : 0));
    const active = (
      db.prepare('SELECT definition FROM tier_models WHERE active = 1').get() as { definition: string } | undefined
    )?.definition;
    const apply1 =
      active && (JSON.parse(active) as TierModel).name === 'bench'
        ? { ...DEFAULT_TIER_MODEL, name: 'bench-default' }
        : model;
    if (apply1 !== model)
      print(
        `  (the bench model is already active: re-tiering to the default model instead; its what-if moves ${whatIf(
          db,
          apply1,
        )
          .filter((c) => c.from !== c.to)
          .reduce((n, c) => n + c.customers, 0)
          .toLocaleString('en-US')} customers)`,
      );
    // As tiers.apply runs it: committed without copying the WAL back on this connection; the app's
    // follow-up worker checkpoints afterwards on its own connection (timed here too).
    db.pragma('wal_autocheckpoint = 0');
    const [r, apply] = time(() => retier(db, apply1, { userId: null, now: at }));
    print(
      `  re-tier every customer, changes recorded, summaries and reporting summaries updated: ${apply.toFixed(1)} s for ${r.changed.toLocaleString('en-US')} changes = ${(apply / base).toFixed(1)} x baseline (target < 20 s)`,
    );
    const [, ckpt] = time(() => db.pragma('wal_checkpoint(PASSIVE)'));
    db.pragma('wal_autocheckpoint = 1000');
    print(
      `    then the WAL copied back into the store (in the app: by the follow-up worker, off the main thread): ${ckpt.toFixed(1)} s`,
    );
  } finally {
    db.close();
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--db');
  const db = i >= 0 ? argv[i + 1] : undefined;
  if (!db) throw new Error('--db STORE is required');
  benchTiers({ db, print: (s) => process.stdout.write(`${s}\n`) }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
