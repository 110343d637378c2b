import type { Database } from 'better-sqlite3';

export interface CapturedPlan {
  sql: string;
  /** Every step of EXPLAIN QUERY PLAN, one per line. */
  plan: string;
  /** The statement's own steps (parent 0), not those of its subqueries. */
  top: string;
}

/**
 * EXPLAIN QUERY PLAN of every statement `run` prepares whose SQL matches `pick`, with the arguments
 * each one actually runs with (get/all/run are intercepted; the statement still runs). The plan tests
 * check reads under a million-customer store's statistics with it.
 */
export function capturePlans(db: Database, pick: RegExp, run: () => void): CapturedPlan[] {
  const out: CapturedPlan[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: unknown }).prepare = (sql: string) => {
    const st = prepare(sql);
    if (!pick.test(sql)) return st;
    const receiver: object = new Proxy(st, {
      get(target, p) {
        // Chained modifiers keep returning the proxy, so the later call is still seen.
        if (p === 'safeIntegers' || p === 'pluck' || p === 'raw')
          return (...a: unknown[]) => {
            (target as unknown as Record<string, (...x: unknown[]) => unknown>)[p]!(...a);
            return receiver;
          };
        if (p === 'get' || p === 'all' || p === 'run' || p === 'iterate')
          return (...args: unknown[]) => {
            const rows = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { parent: number; detail: string }[];
            out.push({
              sql,
              plan: rows.map((r) => r.detail).join('\n'),
              top: rows
                .filter((r) => r.parent === 0)
                .map((r) => r.detail)
                .join('\n'),
            });
            return (target as unknown as Record<string, (...a: unknown[]) => unknown>)[p]!(...args);
          };
        const v = (target as unknown as Record<string | symbol, unknown>)[p];
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return receiver;
  };
  try {
    run();
  } finally {
    (db as { prepare: unknown }).prepare = prepare;
  }
  return out;
}

/**
 * Makes a small demo store plan like a million-customer one: sampled ANALYZE, the customers table's
 * statistics scaled to a million rows, then the given index statistics (table, index, sqlite_stat1 text)
 * as a million-customer store measured them, reloaded into the planner.
 */
export function asMillionCustomers(db: Database, stats: readonly (readonly [string, string, string])[]): void {
  db.pragma('analysis_limit = 1000');
  db.exec('ANALYZE');
  db.exec(
    `UPDATE sqlite_stat1 SET stat = '1000000' || substr(stat, instr(stat, ' ')) WHERE tbl = 'customers' AND instr(stat, ' ') > 0`,
  );
  const del = db.prepare('DELETE FROM sqlite_stat1 WHERE tbl = ? AND idx = ?');
  const ins = db.prepare('INSERT OR REPLACE INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)');
  for (const [tbl, idx, v] of stats) {
    del.run(tbl, idx);
    ins.run(tbl, idx, v);
  }
  db.exec('ANALYZE sqlite_schema'); // reload the statistics into the planner
}
