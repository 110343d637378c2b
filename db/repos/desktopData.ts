import type { Database } from 'better-sqlite3';
import { addDays } from '../../shared/dates';
import type { Scope } from '../scope';

/**
 * The figures behind the desktop widgets, always within the caller's data scope (the scope's SQL over
 * the alias `c`, ANDed into every query). Money sums are read as BigInt. Headline figures, the tier
 * pyramid and the staff league come from the maintained summaries (db/repos/overview.ts and
 * summary_customers); maturities walk the maturity indexes; lists and saved queries count through the
 * grid's compiled filter (month-end history, channel and product mix and movers come from the
 * reporting summaries, db/reporting/read.ts). Each figure is defined so that the grid filter its drill-down opens keeps
 * exactly the customers counted here.
 */

type Row = Record<string, unknown>;
const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt((v as number | null) ?? 0));

export interface CustomerRow {
  id: number;
  customer_no: string;
  name: string;
  tier: string | null;
  aum_fen: bigint;
  amount_fen?: bigint;
  on?: string | null;
}

export function desktopData(db: Database) {
  const all = (sql: string, params: readonly unknown[]): Row[] => db.prepare(sql).safeIntegers(true).all(...params) as Row[];
  const num = (v: unknown) => Number(v);

  return {
    /**
     * Active term deposits, wealth holdings and loans maturing from today to today + days, in scope.
     * Driven from the maturity indexes; when the scope holds every customer of the store (a president
     * whose branch is the whole store, as in a branch's own workstation) no customer row is read but
     * the few listed, otherwise each maturing item is checked against the scope by primary key.
     */
    maturities(scope: Scope, today: string, days: number, limit = 8) {
      const until = addDays(today, days);
      const whole = coversStore(db, scope);
      const join = (alias: string) => (whole ? '' : `JOIN customers c ON c.id = ${alias}.customer_id`);
      const cond = whole ? '' : ` AND ${scope.sql}`;
      const sp = whole ? [] : scope.params;
      const byKind = all(
        `SELECT 'term' AS kind, COUNT(*) AS n, COALESCE(SUM(t.principal_fen), 0) AS s FROM term_deposits t ${join('t')}
           WHERE t.status = 'active' AND t.maturity_on BETWEEN ? AND ?${cond}
         UNION ALL
         SELECT 'wealth', COUNT(*), COALESCE(SUM(h.market_value_fen), 0) FROM wealth_holdings h ${join('h')}
           WHERE h.status = 'active' AND h.maturity_on BETWEEN ? AND ?${cond}
         UNION ALL
         SELECT 'loan', COUNT(*), COALESCE(SUM(l.balance_fen), 0) FROM loans l ${join('l')}
           WHERE l.status = 'active' AND l.maturity_on BETWEEN ? AND ?${cond}`,
        [today, until, ...sp, today, until, ...sp, today, until, ...sp],
      ).map((r) => ({ kind: r.kind as 'term' | 'wealth' | 'loan', items: num(r.n), amount_fen: big(r.s) }));
      const due = `SELECT t.customer_id AS cid, t.maturity_on AS on_date, t.principal_fen AS amt FROM term_deposits t WHERE t.status = 'active' AND t.maturity_on BETWEEN ? AND ?
        UNION ALL SELECT h.customer_id, h.maturity_on, h.market_value_fen FROM wealth_holdings h WHERE h.status = 'active' AND h.maturity_on BETWEEN ? AND ?
        UNION ALL SELECT l.customer_id, l.maturity_on, l.balance_fen FROM loans l WHERE l.status = 'active' AND l.maturity_on BETWEEN ? AND ?`;
      const window = [today, until, today, until, today, until];
      const grouped = `SELECT cid, MIN(on_date) AS on_date, SUM(amt) AS amount_fen FROM (${due}) GROUP BY cid`;
      // One pass for the count and the first rows: the window count sees every customer before LIMIT.
      const found = whole
        ? all(
            `SELECT c.id, c.customer_no, c.name, c.tier, c.aum_fen, d.amount_fen, d.on_date AS "on", d.total
             FROM (SELECT cid, on_date, amount_fen, COUNT(*) OVER () AS total FROM (${grouped}) ORDER BY on_date, amount_fen DESC, cid LIMIT ?) d
             JOIN customers c ON c.id = d.cid ORDER BY d.on_date, d.amount_fen DESC, c.id`,
            [...window, limit],
          )
        : all(
            `SELECT c.id, c.customer_no, c.name, c.tier, c.aum_fen, d.amount_fen, d.on_date AS "on", COUNT(*) OVER () AS total
             FROM (${grouped}) d JOIN customers c ON c.id = d.cid WHERE ${scope.sql}
             ORDER BY d.on_date, d.amount_fen DESC, c.id LIMIT ?`,
            [...window, ...scope.params, limit],
          );
      const customers = found.length ? num(found[0]!.total) : 0;
      const rows = found as unknown as CustomerRow[];
      return { until, byKind, customers, rows };
    },

    /** Managers' books from the maintained summaries (the president's branch tree). */
    staffLeague(scope: Scope) {
      if (scope.kind !== 'branch' || !scope.branchIds) return [];
      const ids = scope.branchIds;
      return all(
        `SELECT st.id AS staff_id, st.name, SUM(s.customers) AS customers, SUM(s.deposit_fen) AS deposit_fen, SUM(s.loan_fen) AS loan_fen,
                SUM(s.aum_fen) AS aum_fen, SUM(CASE WHEN s.tier IN ('gold', 'quality') THEN s.customers ELSE 0 END) AS quality
         FROM summary_customers s JOIN staff st ON st.id = s.manager_staff_id
         WHERE s.branch_id IN (${ids.map(() => '?').join(',')}) AND st.position = 'manager'
         GROUP BY st.id ORDER BY aum_fen DESC, st.id`,
        ids,
      ).map((r) => ({
        staffId: num(r.staff_id),
        name: String(r.name),
        customers: num(r.customers),
        deposit_fen: big(r.deposit_fen),
        loan_fen: big(r.loan_fen),
        aum_fen: big(r.aum_fen),
        quality: num(r.quality),
      }));
    },

    /** Count and the largest customers (by AUM) a compiled grid filter keeps. */
    filtered(where: string, params: readonly (string | number)[], limit = 5) {
      const n = num(all(`SELECT COUNT(*) AS n FROM customers c WHERE ${where}`, params)[0]!.n);
      const rows = all(`SELECT c.id, c.customer_no, c.name, c.tier, c.aum_fen FROM customers c WHERE ${where} ORDER BY c.aum_fen DESC, c.id DESC LIMIT ?`, [
        ...params,
        limit,
      ]) as unknown as CustomerRow[];
      return { count: n, rows };
    },
  };
}

export type DesktopData = ReturnType<typeof desktopData>;

/**
 * Whether a branch scope holds every customer of the store (no summary row outside its branches), so
 * per-item scope checks can be skipped. Read from the maintained summary table: a few rows, not customers.
 */
export function coversStore(db: Database, scope: Scope): boolean {
  if (scope.kind !== 'branch' || !scope.branchIds?.length) return false;
  const ids = scope.branchIds;
  return !db.prepare(`SELECT 1 FROM summary_customers WHERE branch_id NOT IN (${ids.map(() => '?').join(',')}) LIMIT 1`).get(...ids);
}
