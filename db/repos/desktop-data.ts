import type { Database } from 'better-sqlite3';
import { addDays } from '../../shared/dates';
import type { Scope } from '../scope';
import { exists, placeholders, type SqlParam } from '../sql';

/**
 * The figures behind the desktop widgets, always within the caller's data scope (the scope's SQL over
 * the alias `c`, ANDed into every query). Money sums are read as BigInt. Headline figures, the tier
 * pyramid and the staff league come from the maintained summaries (db/repos/overview.ts and
 * summary_customers); maturities walk the maturity indexes; lists and saved queries count through the
 * grid's compiled filter (month-end history, channel and product mix and movers come from the
 * reporting summaries, db/reporting/read.ts). Each figure is defined so that the grid filter its drill-down opens keeps
 * exactly the customers counted here.
 */

/** Rows with every integer read as BigInt (money sums of a branch), typed by the caller's statement. */
function bigRows<R>(db: Database, sql: string, params: readonly SqlParam[]): R[] {
  return db
    .prepare<SqlParam[], R>(sql)
    .safeIntegers(true)
    .all(...params);
}
const num = (v: bigint | number | null | undefined) => Number(v ?? 0);

/** A customer as these statements read it: every integer as BigInt (safeIntegers), the id too. */
export interface CustomerRow {
  id: bigint;
  customer_no: string;
  name: string;
  tier: string | null;
  aum_fen: bigint;
  amount_fen?: bigint | null;
  on?: string | null;
}

/**
 * Active term deposits, wealth holdings and loans maturing from today to today + days, in scope.
 * Driven from the maturity indexes (covering, migration 0013: no customer row read when the scope
 * holds the whole store), or, for a manager whose book is smaller than the window (a million-customer
 * branch has tens of thousands of maturities a month, a manager a couple of thousand customers), from
 * the book: their customers, then each one's holdings by customer index. Both give the same answer;
 * `drive` forces one (tests).
 */
export function maturities(
  db: Database,
  scope: Scope,
  today: string,
  days: number,
  limit = 8,
  drive?: 'book' | 'window',
) {
  const until = addDays(today, days);
  const parts = [
    ['term', 'term_deposits', 'principal_fen'],
    ['wealth', 'wealth_holdings', 'market_value_fen'],
    ['loan', 'loans', 'balance_fen'],
  ] as const;
  const window = [today, until, today, until, today, until];
  let source: string;
  let params: SqlParam[];
  const byBook = () => {
    if (scope.kind !== 'manager' || scope.staffId == null) return false;
    const book = num(
      bigRows<{ n: bigint }>(
        db,
        'SELECT COALESCE(SUM(customers), 0) AS n FROM summary_customers WHERE manager_staff_id = ?',
        [scope.staffId],
      )[0]?.n,
    );
    const items = num(
      bigRows<{ n: bigint }>(
        db,
        `SELECT ${parts.map(([, table]) => `(SELECT COUNT(*) FROM ${table} x WHERE x.status = 'active' AND x.maturity_on BETWEEN ? AND ?)`).join(' + ')} AS n`,
        window,
      )[0]?.n,
    );
    return book * 3 < items;
  };
  if (scope.kind === 'manager' && (drive ? drive === 'book' : byBook())) {
    source = `WITH book(id) AS MATERIALIZED (SELECT c.id FROM customers c WHERE ${scope.sql})
          ${parts
            .map(
              ([
                k,
                table,
                amt,
              ]) => `SELECT x.customer_id AS cid, '${k}' AS k, x.maturity_on AS on_date, x.${amt} AS amt FROM book b JOIN ${table} x ON x.customer_id = b.id
             WHERE x.status = 'active' AND x.maturity_on BETWEEN ? AND ?`,
            )
            .join(' UNION ALL ')}`;
    params = [...scope.params, ...window];
  } else {
    const whole = coversStore(db, scope);
    source = parts
      .map(([k, table, amt]) =>
        whole
          ? `SELECT x.customer_id AS cid, '${k}' AS k, x.maturity_on AS on_date, x.${amt} AS amt FROM ${table} x WHERE x.status = 'active' AND x.maturity_on BETWEEN ? AND ?`
          : `SELECT x.customer_id AS cid, '${k}' AS k, x.maturity_on AS on_date, x.${amt} AS amt FROM ${table} x JOIN customers c ON c.id = x.customer_id
                 WHERE x.status = 'active' AND x.maturity_on BETWEEN ? AND ? AND ${scope.sql}`,
      )
      .join(' UNION ALL ');
    params = whole ? window : parts.flatMap(() => [today, until, ...scope.params]);
  }
  const sums = new Map(
    bigRows<{ k: string; n: bigint; s: bigint | null }>(
      db,
      `SELECT k, COUNT(*) AS n, SUM(amt) AS s FROM (${source}) GROUP BY k`,
      params,
    ).map((r) => [r.k, r]),
  );
  const byKind = parts.map(([k]) => ({
    kind: k,
    items: num(sums.get(k)?.n ?? 0),
    amount_fen: sums.get(k)?.s ?? 0n,
  }));
  // One pass for the count and the first rows: the window count sees every customer before LIMIT.
  const found = bigRows<CustomerRow & { total: bigint }>(
    db,
    `SELECT c.id, c.customer_no, c.name, c.tier, c.aum_fen, d.amount_fen, d.on_date AS "on", d.total
         FROM (SELECT cid, on_date, amount_fen, COUNT(*) OVER () AS total
               FROM (SELECT cid, MIN(on_date) AS on_date, SUM(amt) AS amount_fen FROM (${source}) GROUP BY cid)
               ORDER BY on_date, amount_fen DESC, cid LIMIT ?) d
         JOIN customers c ON c.id = d.cid ORDER BY d.on_date, d.amount_fen DESC, c.id`,
    [...params, limit],
  );
  const customers = num(found[0]?.total);
  const rows: CustomerRow[] = found;
  return { until, byKind, customers, rows };
}

/** Managers' books from the maintained summaries (the president's branch tree). */
export function staffLeague(db: Database, scope: Scope) {
  if (scope.kind !== 'branch' || !scope.branchIds) return [];
  const ids = scope.branchIds;
  return bigRows<{
    staff_id: bigint;
    name: string;
    customers: bigint;
    deposit_fen: bigint;
    loan_fen: bigint;
    aum_fen: bigint;
    quality: bigint;
  }>(
    db,
    `SELECT st.id AS staff_id, st.name, SUM(s.customers) AS customers, SUM(s.deposit_fen) AS deposit_fen, SUM(s.loan_fen) AS loan_fen,
                SUM(s.aum_fen) AS aum_fen, SUM(CASE WHEN s.tier IN ('gold', 'quality') THEN s.customers ELSE 0 END) AS quality
         FROM summary_customers s JOIN staff st ON st.id = s.manager_staff_id
         WHERE s.branch_id IN (${placeholders(ids)}) AND st.position = 'manager'
         GROUP BY st.id ORDER BY aum_fen DESC, st.id`,
    ids,
  ).map((r) => ({
    staffId: num(r.staff_id),
    name: r.name,
    customers: num(r.customers),
    deposit_fen: r.deposit_fen,
    loan_fen: r.loan_fen,
    aum_fen: r.aum_fen,
    quality: num(r.quality),
  }));
}

/** Count and the largest customers (by AUM) a compiled grid filter keeps. */
export function filteredCustomers(db: Database, where: string, params: readonly SqlParam[], limit = 5) {
  const n = num(bigRows<{ n: bigint }>(db, `SELECT COUNT(*) AS n FROM customers c WHERE ${where}`, params)[0]?.n);
  const rows = bigRows<CustomerRow>(
    db,
    `SELECT c.id, c.customer_no, c.name, c.tier, c.aum_fen FROM customers c WHERE ${where} ORDER BY c.aum_fen DESC, c.id DESC LIMIT ?`,
    [...params, limit],
  );
  return { count: n, rows };
}

/**
 * Whether a branch scope holds every customer of the store (no summary row outside its branches), so
 * per-item scope checks can be skipped. Read from the maintained summary table: a few rows, not customers.
 */
export function coversStore(db: Database, scope: Scope): boolean {
  if (scope.kind !== 'branch' || !scope.branchIds?.length) return false;
  const ids = scope.branchIds;
  return !exists(db, `SELECT 1 FROM summary_customers WHERE branch_id NOT IN (${placeholders(ids)}) LIMIT 1`, ...ids);
}
