/**
 * Keeping the reporting summaries (migration 0012) current. Every definition lives here once and is
 * used by both the incremental paths and rebuildReporting(), so "incremental == rebuilt" is a test,
 * not a hope.
 *
 * Two kinds of contribution:
 *  - Per-customer figures (report_customer_months, report_customer_products) are stored per customer,
 *    so refreshing a set of customers = take their stored rows out of the summaries, recompute them
 *    from the raw tables, put them back. No "before" values are needed from the caller.
 *  - Transactions are far too many to store per customer. Their summaries change by row deltas: the
 *    rows a job inserted (id above the highest id before the job), the before-images of rows it
 *    updated (import_changes), and, when customers move (branch or manager changed), their
 *    transactions moved from the old group (report_customers) to the new one.
 *
 * Tiers are point in time (migration 0018): a month-end figure counts under the tier the customer held
 * at that month end, a sale under the tier at the end of its month, a transaction under the tier on its
 * day, and only today's holdings under today's tier (tierOn() below). A re-tier therefore moves only
 * what is dated on or after its own day (reportingRetier), not a year of history. Branch, manager and
 * customer type are current: the book as it is owned today.
 *
 * Callers (all inside their own transaction):
 *  - import jobs: reportingJobBegin() before the first row, reportingJobFinish() before commit;
 *  - reverts: reportingRevertBefore() before undoing, reportingRevertAfter() after;
 *  - re-tiering: reportingRetier() with the model version whose changes it logged.
 */
import type { Database } from 'better-sqlite3';
import type { ImportKind } from '../../shared/imports';
import { withSortSettings } from '../indexes';
import { shiftMonth } from './months';
import { first, query } from '../sql';
import { AppError } from '../../shared/errors';

const REPORT_MONTHS = query<[], { month: string }>('SELECT month FROM report_months');
const MAX_TXN_ID = query<[], { m: number | null }>('SELECT MAX(id) AS m FROM transactions');
const JOB_MONTHS = query<[jobId: number], { m: string }>(
  'SELECT DISTINCT substr(on_date, 1, 7) AS m FROM import_balance_changes WHERE job_id = ?',
);

const SET = 'temp.report_set';

function ensureTemp(db: Database): void {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS report_set (customer_id INTEGER PRIMARY KEY)`);
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS report_moved (customer_id INTEGER PRIMARY KEY)`);
}

/**
 * Drops this module's temp tables at the end of each public entry point: a connection that later runs
 * ANALYZE with temp tables present gets a temp.sqlite_stat1, and its WAL checkpoints then fail with
 * "database table is locked".
 */
function dropTemp(db: Database): void {
  for (const t of ['report_set', 'report_moved', 'rm_fig', 'rm_months', 'rt_clock', 'rp_rows', 'rt_moved', 'rt_cells'])
    db.exec(`DROP TABLE IF EXISTS temp.${t}`);
}

/** Starts a fresh customer set for refreshCustomers(); returns the statement that adds one id. */
export function beginReportSet(db: Database) {
  ensureTemp(db);
  db.exec(`DELETE FROM ${SET}`);
  return db.prepare(`INSERT OR IGNORE INTO ${SET} (customer_id) VALUES (?)`);
}

// ---------------------------------------------------------------------------------------------
// Definitions over the raw tables, for the customers in temp.report_set.

/** Month end of 'YYYY-MM' as SQL over a column holding the month. */
const monthEnd = (col: string) => `date(${col} || '-01', '+1 month', '-1 day')`;
const prevMonth = (col: string) => `strftime('%Y-%m', ${col} || '-01', '-1 month')`;

/**
 * The tier (as stored: '' = none) customer `cust` held on day `day` (SQL expressions): changes count from
 * the (UTC) date of changed_at, so it is the from_tier of the first change dated after that day, or
 * `current` when there is none. One probe of customer_tier_changes_customer. `cust` and
 * `day` must be qualified with their table's alias (the sub-select's own alias is tcx).
 */
export const tierOn = (cust: string, day: string, current: string) =>
  `COALESCE((SELECT COALESCE(tcx.from_tier, '') FROM customer_tier_changes tcx WHERE tcx.customer_id = ${cust} AND tcx.changed_at >= date(${day}, '+1 day')
    ORDER BY tcx.changed_at, tcx.id LIMIT 1), ${current})`;
/** Day of a transaction's txn_at. */
const txnDay = (t: string) => `substr(${t}.txn_at, 1, 10)`;

/**
 * Month figures per customer of the set: deposits = demand accounts as reported on the account's
 * last reported day of the month (daily_balances) + term deposits outstanding at the month end;
 * wealth = holdings outstanding at the month end (market value); loans = loans disbursed by the
 * month end and still active (current balance: the store keeps no loan balance history).
 * A row per reporting month from the month the customer opened.
 */
function computeMonths(db: Database, only: readonly string[] | null = null): void {
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS rm_fig (customer_id INTEGER, month TEXT, dep INTEGER, wlt INTEGER, lon INTEGER, PRIMARY KEY (customer_id, month)) WITHOUT ROWID`,
  );
  db.exec('DELETE FROM temp.rm_fig');
  // The months to compute: every reporting month, or only new ones (a month-end balance extract).
  db.exec('CREATE TEMP TABLE IF NOT EXISTS rm_months (month TEXT PRIMARY KEY) WITHOUT ROWID');
  db.exec('DELETE FROM temp.rm_months');
  if (only) {
    const ins = db.prepare('INSERT OR IGNORE INTO temp.rm_months (month) VALUES (?)');
    for (const m of only) ins.run(m);
  } else db.exec('INSERT INTO temp.rm_months (month) SELECT month FROM report_months');
  db.exec(`INSERT INTO temp.rm_fig (customer_id, month, dep, wlt, lon)
    SELECT c.id, m.month, 0, 0, 0 FROM ${SET} s JOIN customers c ON c.id = s.customer_id
    JOIN temp.rm_months m ON ${monthEnd('m.month')} >= c.opened_on`);
  // Demand balances: the row with the latest date of each account and month (SQLite's bare-column MAX).
  db.exec(`UPDATE temp.rm_fig SET dep = dep + x.s FROM (
      SELECT customer_id, month, SUM(bal) AS s FROM (
        SELECT a.customer_id, substr(d.on_date, 1, 7) AS month, d.balance_fen AS bal, MAX(d.on_date)
        FROM ${SET} s JOIN accounts a ON a.customer_id = s.customer_id AND a.kind = 'demand'
        JOIN daily_balances d ON d.account_id = a.id
        WHERE substr(d.on_date, 1, 7) IN (SELECT month FROM temp.rm_months)
        GROUP BY a.id, substr(d.on_date, 1, 7))
      GROUP BY 1, 2) x
    WHERE x.customer_id = rm_fig.customer_id AND x.month = rm_fig.month`);
  db.exec(`UPDATE temp.rm_fig SET dep = dep + x.s FROM (
      SELECT f.customer_id, f.month, SUM(t.principal_fen) AS s FROM temp.rm_fig f JOIN term_deposits t ON t.customer_id = f.customer_id
      WHERE t.start_on <= ${monthEnd('f.month')} AND (t.status = 'active' OR (t.status = 'matured' AND t.maturity_on > ${monthEnd('f.month')}))
      GROUP BY 1, 2) x
    WHERE x.customer_id = rm_fig.customer_id AND x.month = rm_fig.month`);
  db.exec(`UPDATE temp.rm_fig SET wlt = x.s FROM (
      SELECT f.customer_id, f.month, SUM(h.market_value_fen) AS s FROM temp.rm_fig f JOIN wealth_holdings h ON h.customer_id = f.customer_id
      WHERE h.purchased_on <= ${monthEnd('f.month')} AND (h.status = 'active' OR (h.status = 'matured' AND h.maturity_on > ${monthEnd('f.month')}))
      GROUP BY 1, 2) x
    WHERE x.customer_id = rm_fig.customer_id AND x.month = rm_fig.month`);
  db.exec(`UPDATE temp.rm_fig SET lon = x.s FROM (
      SELECT f.customer_id, f.month, SUM(l.balance_fen) AS s FROM temp.rm_fig f JOIN loans l ON l.customer_id = f.customer_id
      WHERE l.disbursed_on <= ${monthEnd('f.month')} AND l.status = 'active'
      GROUP BY 1, 2) x
    WHERE x.customer_id = rm_fig.customer_id AND x.month = rm_fig.month`);
  db.exec(`INSERT INTO report_customer_months (customer_id, month, deposit_fen, wealth_fen, loan_fen, aum_change_fen, tier)
    SELECT f.customer_id, f.month, f.dep, f.wlt, f.lon,
      CASE WHEN EXISTS (SELECT 1 FROM report_months pm WHERE pm.month = ${prevMonth('f.month')})
           THEN f.dep + f.wlt - COALESCE((SELECT p.dep + p.wlt FROM temp.rm_fig p WHERE p.customer_id = f.customer_id AND p.month = ${prevMonth('f.month')}),
                                         (SELECT x.deposit_fen + x.wealth_fen FROM report_customer_months x WHERE x.customer_id = f.customer_id AND x.month = ${prevMonth('f.month')}), 0)
      END,
      ${tierOn('f.customer_id', monthEnd('f.month'), "COALESCE(c.tier, '')")}
    FROM temp.rm_fig f JOIN customers c ON c.id = f.customer_id`);
  db.exec('DELETE FROM temp.rm_fig');
}

/** The month after each of `months` (when it is a reporting month) gets its aum_change recomputed for everyone. */
function fixFollowingMonths(db: Database, months: readonly string[]): void {
  const reporting = new Set(REPORT_MONTHS.all(db).map((r) => r.month));
  const upd = db.prepare(`UPDATE report_customer_months SET aum_change_fen =
      CASE WHEN EXISTS (SELECT 1 FROM report_months pm WHERE pm.month = ?)
           THEN deposit_fen + wealth_fen - COALESCE((SELECT x.deposit_fen + x.wealth_fen FROM report_customer_months x
                                                     WHERE x.customer_id = report_customer_months.customer_id AND x.month = ?), 0)
      END
    WHERE month = ?`);
  for (const m of months) {
    const next = shiftMonth(m, 1);
    if (reporting.has(next) && !months.includes(next)) upd.run(m, m, next);
  }
}

/**
 * Holdings and sales per customer of the set and product: one row with month '' for what the customer
 * holds today (held, balance, holder = 1), and one row per month the product was opened (sold,
 * amount sold). Reading today's holdings is then a PK-prefix read of month '' in summary_products,
 * never a pass over years of sales months.
 */
function computeProducts(db: Database): void {
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS rp_rows (customer_id INTEGER, product_id INTEGER, month TEXT, held INTEGER, bal INTEGER, sold_fen INTEGER)`,
  );
  db.exec('DELETE FROM temp.rp_rows');
  db.exec(`INSERT INTO temp.rp_rows
      SELECT a.customer_id, a.product_id, substr(a.opened_on, 1, 7), a.status <> 'closed', CASE WHEN a.status <> 'closed' THEN a.balance_fen ELSE 0 END, 0
      FROM ${SET} s JOIN accounts a ON a.customer_id = s.customer_id WHERE a.kind IN ('demand', 'card')
      UNION ALL
      SELECT t.customer_id, t.product_id, substr(t.start_on, 1, 7), t.status = 'active', CASE WHEN t.status = 'active' THEN t.principal_fen ELSE 0 END, t.principal_fen
      FROM ${SET} s JOIN term_deposits t ON t.customer_id = s.customer_id
      UNION ALL
      SELECT h.customer_id, h.product_id, substr(h.purchased_on, 1, 7), h.status = 'active', CASE WHEN h.status = 'active' THEN h.market_value_fen ELSE 0 END, h.cost_fen
      FROM ${SET} s JOIN wealth_holdings h ON h.customer_id = s.customer_id
      UNION ALL
      SELECT l.customer_id, l.product_id, substr(l.disbursed_on, 1, 7), l.status = 'active', CASE WHEN l.status = 'active' THEN l.balance_fen ELSE 0 END, l.principal_fen
      FROM ${SET} s JOIN loans l ON l.customer_id = s.customer_id`);
  // Today's holdings under today's tier; each month's sales under the tier at that month's end.
  db.exec(`INSERT INTO report_customer_products (customer_id, product_id, month, held, balance_fen, sold, sold_fen, holder, tier)
      SELECT x.*, CASE x.month WHEN '' THEN COALESCE(c.tier, '') ELSE ${tierOn('x.customer_id', monthEnd('x.month'), "COALESCE(c.tier, '')")} END
      FROM (SELECT customer_id, product_id, '' AS month, SUM(held), SUM(bal), 0, 0, 1 FROM temp.rp_rows GROUP BY 1, 2 HAVING SUM(held) > 0
            UNION ALL
            SELECT customer_id, product_id, month, 0, 0, COUNT(*), SUM(sold_fen), 0 FROM temp.rp_rows GROUP BY 1, 2, 3) x
      JOIN customers c ON c.id = x.customer_id`);
  db.exec('DELETE FROM temp.rp_rows');
}

// ---------------------------------------------------------------------------------------------
// Summaries from per-customer rows (sign +1 adds the set's contribution, -1 takes it out).

// CROSS JOIN keeps SQLite driving from the customer set (a handful, or everyone) into the per-customer
// tables by primary key, rather than walking a whole per-customer table and probing the set.
function applyCustomerRows(db: Database, sign: 1 | -1): void {
  db.exec(`INSERT INTO summary_months (month, branch_id, manager_staff_id, tier, kind, customers, deposit_fen, wealth_fen, loan_fen)
    SELECT m.month, r.branch_id, r.manager_staff_id, m.tier, r.kind, ${sign} * COUNT(*), ${sign} * SUM(m.deposit_fen), ${sign} * SUM(m.wealth_fen), ${sign} * SUM(m.loan_fen)
    FROM ${SET} s CROSS JOIN report_customers r ON r.customer_id = s.customer_id CROSS JOIN report_customer_months m ON m.customer_id = s.customer_id
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (month, branch_id, manager_staff_id, tier, kind) DO UPDATE SET
      customers = customers + excluded.customers, deposit_fen = deposit_fen + excluded.deposit_fen,
      wealth_fen = wealth_fen + excluded.wealth_fen, loan_fen = loan_fen + excluded.loan_fen`);
  db.exec(`INSERT INTO summary_products (month, product_id, branch_id, manager_staff_id, tier, holders, held, balance_fen, sold, sold_fen)
    SELECT p.month, p.product_id, r.branch_id, r.manager_staff_id, p.tier, ${sign} * SUM(p.holder), ${sign} * SUM(p.held), ${sign} * SUM(p.balance_fen),
           ${sign} * SUM(p.sold), ${sign} * SUM(p.sold_fen)
    FROM ${SET} s CROSS JOIN report_customers r ON r.customer_id = s.customer_id CROSS JOIN report_customer_products p ON p.customer_id = s.customer_id
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (month, product_id, branch_id, manager_staff_id, tier) DO UPDATE SET
      holders = holders + excluded.holders, held = held + excluded.held, balance_fen = balance_fen + excluded.balance_fen,
      sold = sold + excluded.sold, sold_fen = sold_fen + excluded.sold_fen`);
}

/**
 * Adds sign x the contribution of a set of transactions. `source` is a constant SELECT (never built
 * from input) yielding customer_id, txn_at, channel, txn_type, direction, amount_fen, teller_staff_id;
 * customers are grouped under their report_customers attributes.
 */
const TXN_TIER = tierOn('t.customer_id', txnDay('t'), 'r.tier');

function applyTransactions(db: Database, sign: 1 | -1, source: string, params: unknown[] = []): void {
  // Three direct aggregations: the source is small for deltas; for a rebuild each is one pass over the
  // journal, cheaper than one finer grouping (weekday x hour x teller) re-grouped three times.
  db.prepare(`INSERT INTO summary_txn_months (month, branch_id, manager_staff_id, tier, channel, txn_type, direction, n, amount_fen)
    SELECT substr(t.txn_at, 1, 7), r.branch_id, r.manager_staff_id, ${TXN_TIER}, t.channel, t.txn_type, t.direction, ${sign} * COUNT(*), ${sign} * SUM(t.amount_fen)
    FROM (${source}) t JOIN report_customers r ON r.customer_id = t.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (month, branch_id, manager_staff_id, tier, channel, txn_type, direction) DO UPDATE SET
      n = n + excluded.n, amount_fen = amount_fen + excluded.amount_fen`).run(...params);
  // By date and hour first (weekday follows from the date), then folded into months.
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS rt_clock (day TEXT, hour INTEGER, branch_id INTEGER, tier TEXT, channel TEXT, n INTEGER, amount_fen INTEGER)`,
  );
  db.exec('DELETE FROM temp.rt_clock');
  db.prepare(`INSERT INTO temp.rt_clock
    SELECT substr(t.txn_at, 1, 10), CAST(substr(t.txn_at, 12, 2) AS INTEGER), r.branch_id, ${TXN_TIER}, t.channel, COUNT(*), SUM(t.amount_fen)
    FROM (${source}) t JOIN report_customers r ON r.customer_id = t.customer_id
    GROUP BY substr(t.txn_at, 1, 13), r.branch_id, 4, t.channel`).run(...params);
  db.exec(`INSERT INTO summary_txn_clock (month, branch_id, tier, channel, weekday, hour, n, amount_fen)
    SELECT substr(day, 1, 7), branch_id, tier, channel, CAST(strftime('%w', day) AS INTEGER), hour, ${sign} * SUM(n), ${sign} * SUM(amount_fen)
    FROM temp.rt_clock GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (month, branch_id, tier, channel, weekday, hour) DO UPDATE SET
      n = n + excluded.n, amount_fen = amount_fen + excluded.amount_fen`);
  db.exec('DELETE FROM temp.rt_clock');
  db.prepare(`INSERT INTO summary_teller_months (month, teller_staff_id, txn_type, direction, n, amount_fen)
    SELECT substr(t.txn_at, 1, 7), t.teller_staff_id, t.txn_type, t.direction, ${sign} * COUNT(*), ${sign} * SUM(t.amount_fen)
    FROM (${source}) t JOIN report_customers r ON r.customer_id = t.customer_id WHERE t.teller_staff_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (month, teller_staff_id, txn_type, direction) DO UPDATE SET
      n = n + excluded.n, amount_fen = amount_fen + excluded.amount_fen`).run(...params);
}

const TXN_COLS = 't.customer_id, t.txn_at, t.channel, t.txn_type, t.direction, t.amount_fen, t.teller_staff_id';
const TXN_ABOVE_ID = `SELECT ${TXN_COLS} FROM transactions t WHERE t.id > ?`;
const TXN_ID_RANGE = `SELECT ${TXN_COLS} FROM transactions t WHERE t.id > ? AND t.id <= ?`;
const TXN_MAX_ID = query<[], { maxId: number | null }>('SELECT MAX(id) AS maxId FROM transactions');
const TXN_CREATED_BY = `SELECT ${TXN_COLS} FROM transactions t WHERE t.created_job_id = ?`;
const TXN_UPDATED_BY = `SELECT ${TXN_COLS} FROM transactions t WHERE t.id IN (SELECT row_id FROM import_changes WHERE job_id = ? AND tbl = 'transactions')`;
/** The rows a job updated, as they were before it (columns the job did not map are unchanged). */
const before = (col: string) =>
  `CASE WHEN json_type(c.before, '$.${col}') IS NULL THEN t.${col} ELSE json_extract(c.before, '$.${col}') END`;
const TXN_BEFORE_IMAGES = `SELECT ${['customer_id', 'txn_at', 'channel', 'txn_type', 'direction', 'amount_fen', 'teller_staff_id'].map((c) => `${before(c)} AS ${c}`).join(', ')}
  FROM import_changes c JOIN transactions t ON t.id = c.row_id WHERE c.job_id = ? AND c.tbl = 'transactions'`;

function dropEmpty(db: Database): void {
  db.exec('DELETE FROM summary_months WHERE customers = 0');
  db.exec('DELETE FROM summary_products WHERE holders = 0 AND held = 0 AND sold = 0');
  db.exec('DELETE FROM summary_txn_months WHERE n = 0');
  db.exec('DELETE FROM summary_txn_clock WHERE n = 0');
  db.exec('DELETE FROM summary_teller_months WHERE n = 0');
}

/**
 * Moves the transactions of temp.report_moved (those dated from `since` on, or all) from their old
 * group (report_customers, not yet updated) to their new one (customers). One pass over their
 * transactions, grouped by (old group, new group, cell) into a small table both summaries are fed
 * from; teller work has no customer group and does not move. The tier of a transaction is the one on
 * its day, falling back to the old and the new current tier respectively. Re-tiering moves the day's
 * transactions this way, a CIF import that reassigns customers all of theirs.
 */
function moveTransactions(db: Database, since: string | null = null): void {
  db.exec('DROP TABLE IF EXISTS temp.mv_attrs');
  db.exec(`CREATE TEMP TABLE mv_attrs AS
    SELECT m.customer_id, r.branch_id AS ob, r.manager_staff_id AS om, r.tier AS ot,
           c.branch_id AS nb, COALESCE(c.manager_staff_id, 0) AS nm, COALESCE(c.tier, '') AS nt
    FROM temp.report_moved m JOIN report_customers r ON r.customer_id = m.customer_id JOIN customers c ON c.id = m.customer_id`);
  db.exec('DROP TABLE IF EXISTS temp.mv_t');
  // CROSS JOIN: from the moved customers into transactions through transactions_customer.
  const [ot, nt] = [tierOn('a.customer_id', txnDay('t'), 'a.ot'), tierOn('a.customer_id', txnDay('t'), 'a.nt')];
  db.prepare(`CREATE TEMP TABLE mv_t AS
    SELECT a.ob, a.om, ${ot} AS ot, a.nb, a.nm, ${nt} AS nt, substr(t.txn_at, 1, 7) AS month, t.channel, t.txn_type, t.direction,
           CAST(strftime('%w', substr(t.txn_at, 1, 10)) AS INTEGER) AS weekday, CAST(substr(t.txn_at, 12, 2) AS INTEGER) AS hour,
           COUNT(*) AS n, SUM(t.amount_fen) AS amount_fen
    FROM temp.mv_attrs a CROSS JOIN transactions t ON t.customer_id = a.customer_id${since === null ? '' : ' AND t.txn_at >= ?'}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12`).run(...(since === null ? [] : [since]));
  // Rows whose group does not change would only take out and put back the same amounts: skipped.
  for (const [sign, b, m, t] of [
    [-1, 'ob', 'om', 'ot'],
    [1, 'nb', 'nm', 'nt'],
  ] as const) {
    db.exec(`INSERT INTO summary_txn_months (month, branch_id, manager_staff_id, tier, channel, txn_type, direction, n, amount_fen)
      SELECT month, ${b}, ${m}, ${t}, channel, txn_type, direction, ${sign} * SUM(n), ${sign} * SUM(amount_fen)
      FROM temp.mv_t WHERE (ob, om, ot) IS NOT (nb, nm, nt) GROUP BY 1, 2, 3, 4, 5, 6, 7
      ON CONFLICT (month, branch_id, manager_staff_id, tier, channel, txn_type, direction) DO UPDATE SET
        n = n + excluded.n, amount_fen = amount_fen + excluded.amount_fen`);
  }
  // The clock summary has branch and tier only: customers who changed manager alone stay where they are.
  for (const [sign, b, t] of [
    [-1, 'ob', 'ot'],
    [1, 'nb', 'nt'],
  ] as const) {
    db.exec(`INSERT INTO summary_txn_clock (month, branch_id, tier, channel, weekday, hour, n, amount_fen)
      SELECT month, ${b}, ${t}, channel, weekday, hour, ${sign} * SUM(n), ${sign} * SUM(amount_fen)
      FROM temp.mv_t WHERE (ob, ot) IS NOT (nb, nt) GROUP BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (month, branch_id, tier, channel, weekday, hour) DO UPDATE SET
        n = n + excluded.n, amount_fen = amount_fen + excluded.amount_fen`);
  }
  for (const x of ['mv_attrs', 'mv_t']) db.exec(`DROP TABLE IF EXISTS temp.${x}`);
}

// ---------------------------------------------------------------------------------------------
// Public maintenance.

const CURRENT_ATTRS = `SELECT c.id AS customer_id, c.branch_id, COALESCE(c.manager_staff_id, 0) AS manager_staff_id, COALESCE(c.tier, '') AS tier, c.kind FROM customers c`;

/**
 * Brings the customers in temp.report_set up to date: moves the transactions of those whose branch,
 * manager or tier changed, and (figures: true, the default) recomputes their month and product rows
 * from the raw tables. Customers deleted from `customers` drop out. Call inside a transaction.
 */
export function refreshCustomers(db: Database, opts: { figures?: boolean } = {}): void {
  ensureTemp(db);
  db.exec('DELETE FROM temp.report_moved');
  db.exec(`INSERT INTO temp.report_moved (customer_id)
    SELECT s.customer_id FROM ${SET} s LEFT JOIN report_customers r ON r.customer_id = s.customer_id LEFT JOIN customers c ON c.id = s.customer_id
    WHERE (r.customer_id IS NULL) <> (c.id IS NULL)
       OR (c.id IS NOT NULL AND (r.branch_id, r.manager_staff_id, r.tier, r.kind) IS NOT (c.branch_id, COALESCE(c.manager_staff_id, 0), COALESCE(c.tier, ''), c.kind))`);
  const moved = first<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM temp.report_moved')?.n ?? 0;
  if (moved > 0) moveTransactions(db);
  applyCustomerRows(db, -1);
  if (moved > 0) {
    db.exec('DELETE FROM report_customers WHERE customer_id IN (SELECT customer_id FROM temp.report_moved)');
    db.exec(`INSERT INTO report_customers (customer_id, branch_id, manager_staff_id, tier, kind)
      ${CURRENT_ATTRS} WHERE c.id IN (SELECT customer_id FROM temp.report_moved)`);
  }
  if (opts.figures !== false) {
    db.exec(`DELETE FROM report_customer_months WHERE customer_id IN (SELECT customer_id FROM ${SET})`);
    db.exec(`DELETE FROM report_customer_products WHERE customer_id IN (SELECT customer_id FROM ${SET})`);
    computeMonths(db);
    computeProducts(db);
  }
  applyCustomerRows(db, 1);
  dropEmpty(db);
  db.exec('DELETE FROM temp.report_moved');
}

/**
 * While the summaries are being refilled after an upgrade (db/refills.ts, in steps), nothing may apply
 * changes to them: a change folded into half-refilled tables would be counted twice or lost. Imports,
 * reverts and re-tiering are refused as "store busy" until it ends (minutes, and marked on screen).
 */
function assertNotRefilling(db: Database): void {
  if (db.prepare("SELECT 1 FROM settings WHERE key = 'refill.reporting'").get())
    throw new AppError('IMPORT_STORE_BUSY', { reason: 'refill' });
}

/**
 * Re-tiering, inside its transaction, after the customers' new tiers and the version's changes are
 * logged (customer_tier_changes, dated `day`): the changed customers' figures dated on or after that
 * day move to the tier they now hold there; everything dated before keeps the tier it was counted
 * under. That is the current month's month-end row, today's holdings and this month's sales rows, and
 * the transactions of `day` itself (or later), rather than every row and transaction of the customers.
 */
export function reportingRetier(db: Database, version: number, day: string): void {
  assertNotRefilling(db);
  ensureTemp(db);
  const month = day.slice(0, 7);
  db.exec('DROP TABLE IF EXISTS temp.rt_moved');
  db.exec('CREATE TEMP TABLE rt_moved (customer_id INTEGER PRIMARY KEY, ot TEXT NOT NULL, nt TEXT NOT NULL)');
  db.prepare(
    `INSERT OR IGNORE INTO temp.rt_moved (customer_id, ot, nt)
     SELECT r.customer_id, r.tier, COALESCE(x.to_tier, '') FROM customer_tier_changes x JOIN report_customers r ON r.customer_id = x.customer_id
     WHERE x.model_version = ?`,
  ).run(version);
  // Nothing is logged after `day` (retier() refuses a clock set back), so every row and transaction
  // dated from `day` on was counted under the customer's old tier and now takes the new one.

  // Per-customer rows dated on or after the day: one grouped pass gives each cell's (old tier, new
  // tier) totals, which leave the old tier and join the new one; then the rows take their new tier.
  db.exec('DROP TABLE IF EXISTS temp.rt_cells');
  db.prepare(`CREATE TEMP TABLE rt_cells AS
    SELECT m.month, r.branch_id, r.manager_staff_id, r.kind, m.tier AS ot, a.nt AS nt,
           COUNT(*) AS n, SUM(m.deposit_fen) AS dep, SUM(m.wealth_fen) AS wlt, SUM(m.loan_fen) AS lon
    FROM temp.rt_moved a CROSS JOIN report_customer_months m ON m.customer_id = a.customer_id AND m.month >= ? CROSS JOIN report_customers r ON r.customer_id = a.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6`).run(month);
  for (const [sign, tier] of [
    [-1, 'ot'],
    [1, 'nt'],
  ] as const) {
    db.exec(`INSERT INTO summary_months (month, branch_id, manager_staff_id, tier, kind, customers, deposit_fen, wealth_fen, loan_fen)
      SELECT month, branch_id, manager_staff_id, ${tier}, kind, ${sign} * SUM(n), ${sign} * SUM(dep), ${sign} * SUM(wlt), ${sign} * SUM(lon)
      FROM temp.rt_cells WHERE ot <> nt GROUP BY 1, 2, 3, 4, 5
      ON CONFLICT (month, branch_id, manager_staff_id, tier, kind) DO UPDATE SET
        customers = customers + excluded.customers, deposit_fen = deposit_fen + excluded.deposit_fen,
        wealth_fen = wealth_fen + excluded.wealth_fen, loan_fen = loan_fen + excluded.loan_fen`);
  }
  db.exec('DROP TABLE IF EXISTS temp.rt_cells');
  db.prepare(`CREATE TEMP TABLE rt_cells AS
    SELECT p.month, p.product_id, r.branch_id, r.manager_staff_id, p.tier AS ot, a.nt AS nt,
           SUM(p.holder) AS holders, SUM(p.held) AS held, SUM(p.balance_fen) AS bal, SUM(p.sold) AS sold, SUM(p.sold_fen) AS sold_fen
    FROM temp.rt_moved a CROSS JOIN report_customer_products p ON p.customer_id = a.customer_id AND (p.month = '' OR p.month >= ?)
    CROSS JOIN report_customers r ON r.customer_id = a.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6`).run(month);
  for (const [sign, tier] of [
    [-1, 'ot'],
    [1, 'nt'],
  ] as const) {
    db.exec(`INSERT INTO summary_products (month, product_id, branch_id, manager_staff_id, tier, holders, held, balance_fen, sold, sold_fen)
      SELECT month, product_id, branch_id, manager_staff_id, ${tier}, ${sign} * SUM(holders), ${sign} * SUM(held), ${sign} * SUM(bal), ${sign} * SUM(sold), ${sign} * SUM(sold_fen)
      FROM temp.rt_cells WHERE ot <> nt GROUP BY 1, 2, 3, 4, 5
      ON CONFLICT (month, product_id, branch_id, manager_staff_id, tier) DO UPDATE SET
        holders = holders + excluded.holders, held = held + excluded.held, balance_fen = balance_fen + excluded.balance_fen,
        sold = sold + excluded.sold, sold_fen = sold_fen + excluded.sold_fen`);
  }
  db.exec('DROP TABLE IF EXISTS temp.rt_cells');
  db.prepare(
    `UPDATE report_customer_months AS t SET tier = a.nt FROM temp.rt_moved a WHERE t.customer_id = a.customer_id AND t.month >= ?`,
  ).run(month);
  db.prepare(
    `UPDATE report_customer_products AS t SET tier = a.nt FROM temp.rt_moved a WHERE t.customer_id = a.customer_id AND (t.month = '' OR t.month >= ?)`,
  ).run(month);
  // Transactions on or after the day: from the old tier to the new one (branch and manager stay).
  db.exec('DELETE FROM temp.report_moved');
  db.exec('INSERT INTO temp.report_moved (customer_id) SELECT customer_id FROM temp.rt_moved');
  moveTransactions(db, day);
  db.exec(
    `UPDATE report_customers SET tier = a.nt FROM temp.rt_moved a WHERE report_customers.customer_id = a.customer_id`,
  );
  dropEmpty(db);
  dropTemp(db);
}

/**
 * Adds reporting months (a balance extract for a new month end): every customer gets rows for those
 * months only (one month of a million customers, not the whole history), added to summary_months, and
 * the following month's aum_change follows. Uses its own customer set: call before beginReportSet().
 */
function addMonths(db: Database, months: string[]): void {
  if (months.length === 0) return;
  const ins = db.prepare('INSERT OR IGNORE INTO report_months (month) VALUES (?)');
  for (const m of months) ins.run(m);
  ensureTemp(db);
  db.exec(`DELETE FROM ${SET}`);
  db.exec(`INSERT INTO ${SET} (customer_id) SELECT id FROM customers`);
  computeMonths(db, months);
  db.exec(`INSERT INTO summary_months (month, branch_id, manager_staff_id, tier, kind, customers, deposit_fen, wealth_fen, loan_fen)
    SELECT m.month, r.branch_id, r.manager_staff_id, r.tier, r.kind, COUNT(*), SUM(m.deposit_fen), SUM(m.wealth_fen), SUM(m.loan_fen)
    FROM temp.rm_months nm JOIN report_customer_months m ON m.month = nm.month JOIN report_customers r ON r.customer_id = m.customer_id
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (month, branch_id, manager_staff_id, tier, kind) DO UPDATE SET
      customers = customers + excluded.customers, deposit_fen = deposit_fen + excluded.deposit_fen,
      wealth_fen = wealth_fen + excluded.wealth_fen, loan_fen = loan_fen + excluded.loan_fen`);
  fixFollowingMonths(db, months);
  db.exec(`DELETE FROM ${SET}`);
}

/** Months no longer reported (their only balances were reverted): their rows and summaries go. */
function dropMonths(db: Database, months: string[]): void {
  if (months.length === 0) return;
  for (const sql of [
    'DELETE FROM report_months WHERE month = ?',
    'DELETE FROM report_customer_months WHERE month = ?',
    'DELETE FROM summary_months WHERE month = ?',
  ]) {
    const st = db.prepare(sql);
    for (const m of months) st.run(m);
  }
  fixFollowingMonths(db, months);
}

export interface JobMark {
  kind: ImportKind;
  jobId: number;
  /** transactions: the highest id before the job wrote (rows above it are the job's). */
  maxTxnId: number;
  /**
   * customers: the store held no customers (and so no reporting rows, accounts or transactions of
   * any) when the job began, so every customer it leaves is new and has no figures yet.
   */
  fresh?: boolean;
}

/** Import job, inside its transaction before the first row. */
export function reportingJobBegin(db: Database, kind: ImportKind, jobId: number): JobMark {
  assertNotRefilling(db);
  const maxTxnId = kind === 'transactions' ? (MAX_TXN_ID.get(db)?.m ?? 0) : 0;
  const fresh =
    kind === 'customers' &&
    db.prepare('SELECT 1 FROM customers LIMIT 1').get() === undefined &&
    db.prepare('SELECT 1 FROM report_customers LIMIT 1').get() === undefined;
  return { kind, jobId, maxTxnId, fresh };
}

/** Customers whose per-customer rows a job of this kind may have changed (rows it inserted or updated). */
function markJobCustomers(db: Database, kind: ImportKind, jobId: number): void {
  const mark = (sql: string) => db.prepare(sql).run(jobId);
  switch (kind) {
    case 'customers':
      mark(`INSERT OR IGNORE INTO ${SET} SELECT id FROM customers WHERE last_job_id = ?`);
      mark(`INSERT OR IGNORE INTO ${SET} SELECT row_id FROM import_changes WHERE job_id = ? AND tbl = 'customers'`);
      break;
    case 'accounts':
    case 'term_deposits':
    case 'wealth_holdings':
    case 'loans': {
      mark(`INSERT OR IGNORE INTO ${SET} SELECT customer_id FROM ${kind} WHERE last_job_id = ?`);
      mark(`INSERT OR IGNORE INTO ${SET} SELECT json_extract(before, '$.customer_id') FROM import_changes
            WHERE job_id = ? AND tbl = '${kind}' AND json_extract(before, '$.customer_id') IS NOT NULL`);
      break;
    }
    case 'daily_balances':
      mark(
        `INSERT OR IGNORE INTO ${SET} SELECT a.customer_id FROM import_balance_changes b JOIN accounts a ON a.id = b.account_id WHERE b.job_id = ?`,
      );
      break;
    default:
      break;
  }
}

function jobMonths(db: Database, jobId: number): string[] {
  return JOB_MONTHS.all(db, jobId).map((r) => r.m);
}

/** Import job, inside its transaction, after the customer figures (db/summaries) are current. */
export function reportingJobFinish(db: Database, mark: JobMark): void {
  jobFinish(db, mark);
  dropTemp(db);
}

function jobFinish(db: Database, mark: JobMark): void {
  const { kind, jobId } = mark;
  if (kind === 'branches' || kind === 'staff' || kind === 'products') return;
  if (kind === 'transactions') {
    applyTransactions(db, -1, TXN_BEFORE_IMAGES, [jobId]);
    applyTransactions(db, 1, TXN_UPDATED_BY, [jobId]);
    // Every transaction the job added, grouped three ways: a million-row journal sorts better in small runs.
    withSortSettings(db, () => applyTransactions(db, 1, TXN_ABOVE_ID, [mark.maxTxnId]));
    dropEmpty(db);
    return;
  }
  if (mark.fresh) {
    // A first load (a million customers): refreshCustomers would compare, move and recompute a
    // million customers to find each new with nothing to move and no figures; their rows are just added.
    db.prepare(
      `INSERT INTO report_customers (customer_id, branch_id, manager_staff_id, tier, kind) ${CURRENT_ATTRS} WHERE c.created_job_id = ?`,
    ).run(jobId);
    return;
  }
  if (kind === 'daily_balances') {
    const known = new Set(REPORT_MONTHS.all(db).map((r) => r.month));
    addMonths(
      db,
      jobMonths(db, jobId).filter((m) => !known.has(m)),
    );
  }
  beginReportSet(db);
  markJobCustomers(db, kind, jobId);
  refreshCustomers(db);
  db.exec(`DELETE FROM ${SET}`);
}

/** Revert, inside its transaction before anything is undone: takes out what must be re-added after. */
export function reportingRevertBefore(db: Database, kind: ImportKind, jobId: number): void {
  assertNotRefilling(db);
  beginReportSet(db);
  if (kind === 'transactions') {
    applyTransactions(db, -1, TXN_CREATED_BY, [jobId]);
    applyTransactions(db, -1, TXN_UPDATED_BY, [jobId]);
    return;
  }
  if (kind === 'customers') {
    // Rows it inserted will be gone, rows it updated get their old branch/manager/tier back.
    db.prepare(`INSERT OR IGNORE INTO ${SET} SELECT id FROM customers WHERE created_job_id = ?`).run(jobId);
  }
  markJobCustomers(db, kind, jobId);
}

/** Revert, inside its transaction after the rows are restored. */
export function reportingRevertAfter(db: Database, kind: ImportKind, jobId: number): void {
  revertAfter(db, kind, jobId);
  dropTemp(db);
}

function revertAfter(db: Database, kind: ImportKind, jobId: number): void {
  if (kind === 'branches' || kind === 'staff' || kind === 'products') return;
  if (kind === 'transactions') {
    applyTransactions(db, 1, TXN_UPDATED_BY, [jobId]);
    dropEmpty(db);
    return;
  }
  if (kind === 'daily_balances') {
    // Months whose only balances came from this job are no longer reporting months.
    const gone = jobMonths(db, jobId).filter(
      (m) =>
        db
          .prepare('SELECT 1 FROM daily_balances WHERE on_date >= ? AND on_date <= ? LIMIT 1')
          .get(`${m}-01`, `${m}-31`) === undefined,
    );
    dropMonths(db, gone);
  }
  refreshCustomers(db);
  db.exec(`DELETE FROM ${SET}`);
}

/** Transactions folded into the summaries per this many ids, so a long rebuild can report its progress. */
const REBUILD_TXN_CHUNK = 1_000_000;

/**
 * Repair (and first fill): every reporting table recomputed from the raw tables. `onProgress` gets
 * (steps done, steps in all): four steps for balances, products and customers, then one per million
 * transaction ids; the journal's aggregations are additive, so folding it in chunks gives the same sums.
 */
export function rebuildReporting(
  db: Database,
  opts: { onProgress?: (done: number, total: number) => void; txnChunk?: number } = {},
): void {
  const { onProgress, txnChunk = REBUILD_TXN_CHUNK } = opts;
  db.transaction(() => {
    const maxTxnId = TXN_MAX_ID.get(db)?.maxId ?? 0;
    const chunks = Math.ceil(maxTxnId / txnChunk);
    const total = 4 + chunks;
    const report = (done: number) => onProgress?.(done, total);
    report(0);
    for (const t of [
      'report_months',
      'report_customers',
      'report_customer_months',
      'report_customer_products',
      'summary_months',
      'summary_products',
      'summary_txn_months',
      'summary_txn_clock',
      'summary_teller_months',
    ])
      db.exec(`DELETE FROM ${t}`);
    db.exec(`INSERT INTO report_months (month) SELECT DISTINCT substr(on_date, 1, 7) FROM daily_balances`);
    db.exec(`INSERT INTO report_customers (customer_id, branch_id, manager_staff_id, tier, kind) ${CURRENT_ATTRS}`);
    ensureTemp(db);
    db.exec(`DELETE FROM ${SET}`);
    db.exec(`INSERT INTO ${SET} (customer_id) SELECT id FROM customers`);
    report(1);
    computeMonths(db);
    report(2);
    computeProducts(db);
    report(3);
    applyCustomerRows(db, 1);
    db.exec(`DELETE FROM ${SET}`);
    report(4);
    for (let c = 0; c < chunks; c++) {
      applyTransactions(db, 1, TXN_ID_RANGE, [c * txnChunk, (c + 1) * txnChunk]);
      report(5 + c);
    }
    dropEmpty(db);
    dropTemp(db);
  })();
}

/**
 * The same rebuild as rebuildReporting(), cut into steps of bounded size for the refill after an upgrade
 * (db/refills.ts), which runs each in its own short transaction so the app's own writes (a sign-in, an
 * audit entry) get the store between them instead of waiting minutes: clear and fill the per-customer
 * attributes; then per range of customer ids their month and product rows and what they add to the
 * summaries; then the journal per range of ids; then the tidy-up. Every part is additive per customer or
 * per transaction, so the end state equals rebuildReporting()'s (the refill test compares them). Readers
 * between steps see partial figures: the refill's request row marks them "updating" until the last step.
 */
export function reportingRebuildSteps(
  db: Database,
  opts: { customerChunk?: number; txnChunk?: number } = {},
): (() => void)[] {
  // About a second a step on a million-customer store on a branch PC: the app's writers wait no longer.
  const customerChunk = opts.customerChunk ?? 5_000;
  const txnChunk = opts.txnChunk ?? 100_000;
  const maxTxnId = TXN_MAX_ID.get(db)?.maxId ?? 0;
  const maxCustomerId = (db.prepare('SELECT MAX(id) AS m FROM customers').get() as { m: number | null }).m ?? 0;
  const steps: (() => void)[] = [
    () => {
      for (const t of REPORTING_TABLES) db.exec(`DELETE FROM ${t}`);
      db.exec(`INSERT INTO report_months (month) SELECT DISTINCT substr(on_date, 1, 7) FROM daily_balances`);
      db.exec(`INSERT INTO report_customers (customer_id, branch_id, manager_staff_id, tier, kind) ${CURRENT_ATTRS}`);
    },
  ];
  for (let from = 0; from < maxCustomerId; from += customerChunk) {
    steps.push(() => {
      ensureTemp(db);
      db.exec(`DELETE FROM ${SET}`);
      db.prepare(`INSERT INTO ${SET} (customer_id) SELECT id FROM customers WHERE id > ? AND id <= ?`).run(
        from,
        from + customerChunk,
      );
      computeMonths(db);
      computeProducts(db);
      applyCustomerRows(db, 1);
      db.exec(`DELETE FROM ${SET}`);
    });
  }
  for (let from = 0; from < maxTxnId; from += txnChunk) {
    steps.push(() => applyTransactions(db, 1, TXN_ID_RANGE, [from, from + txnChunk]));
  }
  steps.push(() => {
    dropEmpty(db);
    dropTemp(db);
  });
  return steps;
}

/** The tables rebuildReporting() owns, for tests comparing incremental and rebuilt states. */
export const REPORTING_TABLES = [
  'report_months',
  'report_customers',
  'report_customer_months',
  'report_customer_products',
  'summary_months',
  'summary_products',
  'summary_txn_months',
  'summary_txn_clock',
  'summary_teller_months',
] as const;
