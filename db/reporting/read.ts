/**
 * Read functions over the maintained reporting summaries (migration 0012, kept by ./maintain.ts) for
 * desktops (widgets) and the reports pages. All money is BigInt fen (safeIntegers: a branch total never
 * loses a fen); months are 'YYYY-MM'; dates 'YYYY-MM-DD'. Every function takes a ReportScope, applied in
 * SQL: a president passes the branch ids of their scope (db/scope.ts Scope.branchIds), a manager passes
 * their staff id (their OWN book: customers whose manager of record they are; granted customers are
 * not in a manager's reports). Use reportScopeOf(scope) to turn a db/scope Scope into one.
 *
 *   reportMonths(db)                                   reporting months (those with balance data), ascending
 *   kpis(db, scope, month?)                            deposits, wealth, loans, AUM, customers at a month end
 *                                                      (default: latest) with previous month and previous year
 *                                                      where that month exists, plus today's figures
 *   monthlyTrend(db, scope, filter?, range?)           the same figures for every reporting month
 *   monthBy(db, scope, filter, month, dim)             one month's figures by branch, kind, tier or manager
 *   tierPyramid(db, scope, filter?)                    customers and AUM per tier today (summary_customers)
 *   channelMix(db, scope, filter?, range?)             transactions per channel (count, amount)
 *   txnBreakdown(db, scope, filter?, range?)           per month x channel x type x direction (fund flows)
 *   channelClock(db, scope, filter?, range?)           per channel x weekday x hour
 *   productMix(db, scope, filter?)                     holdings per product today (holders, held, balance)
 *   productSales(db, scope, filter?, range?)           holdings opened per month x product (count, amount)
 *   movers(db, scope, { month?, limit?, order })       customers whose AUM changed most vs the month before
 *   maturities(db, scope, { today, days })             term deposits, wealth and loans maturing in the next N days
 *   maturitySummary(db, scope, { today, days })        the same per kind: items, amount, distinct customers
 *   staffLeague(db, scope, { month? })                 per manager: customers, deposits, AUM, gold+quality share, AUM change
 *   tellerLeague(db, scope, range?)                    per teller: counter transactions handled, credits taken in
 *   tierMigration(db, scope, { from, to })             from-tier x to-tier customer counts between two dates
 *
 * `filter` narrows inside the scope: branchIds (outlets), managerStaffId (a president looking at one
 * manager), tiers, kind (individual/corporate), channels, productIds; not every function uses every key.
 * `range` is { from?: 'YYYY-MM', to?: 'YYYY-MM' } (inclusive).
 */
import { comparisonMonths } from '../../shared/comparisons';
import type { Database } from 'better-sqlite3';
import type { Scope } from '../scope';
import { addDays } from '../../shared/dates';
import { shiftMonth } from './months';
import { tierOn } from './maintain';
import { freshColumns, KIND_CODES, migrationCells, TIER_CODES, ymd } from '../customer-columns';
import { storedTiers, TIER_CHANGE_CTE, tierChangeBounds } from './drill';
import { all, query, type SqlParam } from '../sql';

export interface ReportScope {
  /** Branch ids the caller may see (president, teller). */
  branchIds?: readonly number[];
  /** A manager's own book (manager of record). */
  managerStaffId?: number;
}

export interface ReportFilter {
  branchIds?: readonly number[];
  managerStaffId?: number;
  tiers?: readonly string[];
  kind?: 'individual' | 'corporate';
  channels?: readonly string[];
  productIds?: readonly number[];
}

export interface MonthRange {
  from?: string;
  to?: string;
}

export function reportScopeOf(scope: Scope): ReportScope {
  if (scope.kind === 'branch' && scope.branchIds) return { branchIds: scope.branchIds };
  if (scope.kind === 'manager' && scope.staffId != null) return { managerStaffId: scope.staffId };
  return { branchIds: [] };
}

type Params = (string | number)[];
interface Where {
  sql: string;
  params: Params;
}

const inList = (col: string, xs: readonly (string | number)[], params: Params): string => {
  params.push(...xs);
  return xs.length === 0 ? '0' : `${col} IN (${xs.map(() => '?').join(',')})`;
};

/**
 * WHERE over a summary table aliased `alias` with branch_id / manager_staff_id / tier columns.
 * Tier '' (not tiered) is selected by the tier name 'none'.
 */
function where(
  alias: string,
  scope: ReportScope,
  filter: ReportFilter = {},
  cols: { manager?: boolean; tier?: boolean; kind?: boolean } = {},
): Where {
  const parts: string[] = [];
  const params: Params = [];
  const a = alias ? `${alias}.` : '';
  if (scope.managerStaffId != null) {
    if (cols.manager === false) throw new Error('manager scope on a table without managers');
    parts.push(`${a}manager_staff_id = ?`);
    params.push(scope.managerStaffId);
  } else {
    parts.push(inList(`${a}branch_id`, scope.branchIds ?? [], params));
  }
  if (filter.branchIds) parts.push(inList(`${a}branch_id`, filter.branchIds, params));
  if (filter.managerStaffId != null && cols.manager !== false) {
    parts.push(`${a}manager_staff_id = ?`);
    params.push(filter.managerStaffId);
  }
  if (filter.tiers && cols.tier !== false) parts.push(inList(`${a}tier`, storedTiers(filter.tiers), params));
  if (filter.kind && cols.kind) {
    parts.push(`${a}kind = ?`);
    params.push(filter.kind);
  }
  return { sql: parts.join(' AND '), params };
}

function range(alias: string, r: MonthRange | undefined, w: Where, col = 'month'): Where {
  const parts = [w.sql];
  const params = [...w.params];
  const a = alias ? `${alias}.` : '';
  if (r?.from) {
    parts.push(`${a}${col} >= ?`);
    params.push(r.from);
  }
  if (r?.to) {
    parts.push(`${a}${col} <= ?`);
    params.push(r.to);
  }
  return { sql: parts.join(' AND '), params };
}

/**
 * SQL built here at run time, its integers read as BigInt (sums of a million balances pass 2^53 fen);
 * each call names its row type once, instead of casting what comes back.
 */
const big = <R>(db: Database, sql: string) => db.prepare<SqlParam[], R>(sql).safeIntegers(true);
const num = (v: bigint | number | null | undefined): number => Number(v ?? 0);

export { shiftMonth };

const MONTHS = query<[], { month: string }>('SELECT month FROM report_months ORDER BY month');
const STAFF = query<[], { id: number; name: string; branch_id: number }>('SELECT id, name, branch_id FROM staff');

export function reportMonths(db: Database): string[] {
  return MONTHS.all(db).map((r) => r.month);
}

export interface MonthFigures {
  month: string;
  customers: number;
  depositFen: bigint;
  wealthFen: bigint;
  loanFen: bigint;
  aumFen: bigint;
}

export function monthlyTrend(
  db: Database,
  scope: ReportScope,
  filter: ReportFilter = {},
  r?: MonthRange,
): MonthFigures[] {
  const w = range('s', r, where('s', scope, filter, { kind: true }));
  const rows = big<{ month: string; customers: bigint; dep: bigint; wlt: bigint; lon: bigint }>(
    db,
    `SELECT s.month, SUM(s.customers) AS customers, SUM(s.deposit_fen) AS dep, SUM(s.wealth_fen) AS wlt, SUM(s.loan_fen) AS lon
     FROM summary_months s WHERE ${w.sql} GROUP BY s.month ORDER BY s.month`,
  ).all(...w.params);
  return rows.map((x) => ({
    month: x.month,
    customers: num(x.customers),
    depositFen: x.dep,
    wealthFen: x.wlt,
    loanFen: x.lon,
    aumFen: x.dep + x.wlt,
  }));
}

/** Month-end figures at one month split by a dimension (a closed list; the column name never comes from input). */
export function monthBy(
  db: Database,
  scope: ReportScope,
  filter: ReportFilter,
  month: string,
  dim: 'branch' | 'kind' | 'tier' | 'manager',
): (MonthFigures & { key: string | number })[] {
  const col = { branch: 's.branch_id', kind: 's.kind', tier: 's.tier', manager: 's.manager_staff_id' }[dim];
  const w = range('s', { from: month, to: month }, where('s', scope, filter, { kind: true }));
  const rows = big<{ k: string | bigint; customers: bigint; dep: bigint; wlt: bigint; lon: bigint }>(
    db,
    `SELECT ${col} AS k, SUM(s.customers) AS customers, SUM(s.deposit_fen) AS dep, SUM(s.wealth_fen) AS wlt, SUM(s.loan_fen) AS lon
     FROM summary_months s WHERE ${w.sql} GROUP BY 1 ORDER BY 1`,
  ).all(...w.params);
  return rows.map((x) => ({
    key: typeof x.k === 'bigint' ? Number(x.k) : x.k,
    month,
    customers: num(x.customers),
    depositFen: x.dep,
    wealthFen: x.wlt,
    loanFen: x.lon,
    aumFen: x.dep + x.wlt,
  }));
}

export interface Kpis {
  month: string | null;
  at: MonthFigures | null;
  prevMonth: MonthFigures | null;
  prevYear: MonthFigures | null;
  /** Today's figures (customers' maintained figures via summary_customers). */
  current: { customers: number; depositFen: bigint; wealthFen: bigint; loanFen: bigint; aumFen: bigint };
}

export function kpis(db: Database, scope: ReportScope, month?: string, filter: ReportFilter = {}): Kpis {
  const months = reportMonths(db);
  const m = month ?? months[months.length - 1] ?? null;
  const pick = (mm: string | null): MonthFigures | null => {
    if (!mm || !months.includes(mm)) return null;
    return (
      monthlyTrend(db, scope, filter, { from: mm, to: mm })[0] ?? {
        month: mm,
        customers: 0,
        depositFen: 0n,
        wealthFen: 0n,
        loanFen: 0n,
        aumFen: 0n,
      }
    );
  };
  const w = where('s', scope, filter);
  // Sums without GROUP BY: always exactly one row.
  const cur = big<{ c: bigint; d: bigint; w: bigint; l: bigint; a: bigint }>(
    db,
    `SELECT COALESCE(SUM(customers), 0) AS c, COALESCE(SUM(deposit_fen), 0) AS d, COALESCE(SUM(wealth_fen), 0) AS w, COALESCE(SUM(loan_fen), 0) AS l,
            COALESCE(SUM(aum_fen), 0) AS a FROM summary_customers s WHERE ${w.sql}`,
  ).get(...w.params)!;
  // 较上月末 / 较上年同期: the one definition the desktop shares (shared/comparisons.ts)
  const cmp = comparisonMonths(months, m);
  return {
    month: m,
    at: pick(m),
    prevMonth: pick(cmp.prevMonth),
    prevYear: pick(cmp.prevYear),
    current: { customers: num(cur.c), depositFen: cur.d, wealthFen: cur.w, loanFen: cur.l, aumFen: cur.a },
  };
}

export interface TierRow {
  tier: string;
  customers: number;
  aumFen: bigint;
  depositFen: bigint;
  loanFen: bigint;
}

/** Tier '' (not tiered) comes back as 'none'. */
export function tierPyramid(db: Database, scope: ReportScope, filter: ReportFilter = {}): TierRow[] {
  const w = where('s', scope, filter);
  const rows = big<{ tier: string; c: bigint; a: bigint; d: bigint; l: bigint }>(
    db,
    `SELECT s.tier, SUM(s.customers) AS c, SUM(s.aum_fen) AS a, SUM(s.deposit_fen) AS d, SUM(s.loan_fen) AS l FROM summary_customers s
     WHERE ${w.sql} GROUP BY s.tier`,
  ).all(...w.params);
  return rows.map((x) => ({ tier: x.tier || 'none', customers: num(x.c), aumFen: x.a, depositFen: x.d, loanFen: x.l }));
}

export interface ChannelRow {
  channel: string;
  n: number;
  amountFen: bigint;
}

function txnWhere(scope: ReportScope, filter: ReportFilter, r?: MonthRange): Where {
  const w = range('s', r, where('s', scope, filter));
  if (filter.channels) {
    const params = [...w.params];
    return { sql: `${w.sql} AND ${inList('s.channel', filter.channels, params)}`, params };
  }
  return w;
}

export function channelMix(db: Database, scope: ReportScope, filter: ReportFilter = {}, r?: MonthRange): ChannelRow[] {
  const w = txnWhere(scope, filter, r);
  const rows = big<{ channel: string; n: bigint; a: bigint }>(
    db,
    `SELECT s.channel, SUM(s.n) AS n, SUM(s.amount_fen) AS a FROM summary_txn_months s WHERE ${w.sql} GROUP BY s.channel ORDER BY s.channel`,
  ).all(...w.params);
  return rows.map((x) => ({ channel: x.channel, n: num(x.n), amountFen: x.a }));
}

export interface TxnRow {
  month: string;
  channel: string;
  txnType: string;
  direction: 'C' | 'D';
  n: number;
  amountFen: bigint;
}

export function txnBreakdown(db: Database, scope: ReportScope, filter: ReportFilter = {}, r?: MonthRange): TxnRow[] {
  const w = txnWhere(scope, filter, r);
  const rows = big<{
    month: string;
    channel: string;
    txn_type: string;
    direction: 'C' | 'D';
    n: bigint;
    a: bigint;
  }>(
    db,
    `SELECT s.month, s.channel, s.txn_type, s.direction, SUM(s.n) AS n, SUM(s.amount_fen) AS a FROM summary_txn_months s WHERE ${w.sql}
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
  ).all(...w.params);
  return rows.map((x) => ({
    month: x.month,
    channel: x.channel,
    txnType: x.txn_type,
    direction: x.direction,
    n: num(x.n),
    amountFen: x.a,
  }));
}

export interface ClockRow {
  channel: string;
  weekday: number;
  hour: number;
  n: number;
  amountFen: bigint;
}

/**
 * Per channel x weekday (0 = Sunday) x hour. The clock summary has no manager column: a manager's
 * own book (or a president's manager filter) is read from transactions through the customers_manager
 * and transactions_customer indexes, which a single book keeps small.
 */
type ClockSum = { channel: string; weekday: bigint; hour: bigint; n: bigint; a: bigint };

export function channelClock(db: Database, scope: ReportScope, filter: ReportFilter = {}, r?: MonthRange): ClockRow[] {
  const manager = scope.managerStaffId ?? filter.managerStaffId;
  let rows: ClockSum[];
  if (manager != null) {
    const params: Params = [manager];
    const parts = ['c.manager_staff_id = ?'];
    if (scope.managerStaffId == null) parts.push(inList('c.branch_id', scope.branchIds ?? [], params));
    if (filter.branchIds) parts.push(inList('c.branch_id', filter.branchIds, params));
    // The tier on the transaction's day, as the clock summary counts it (point-in-time tiers).
    if (filter.tiers)
      parts.push(
        inList(tierOn('c.id', 'substr(t.txn_at, 1, 10)', "COALESCE(c.tier, '')"), storedTiers(filter.tiers), params),
      );
    if (filter.channels) parts.push(inList('t.channel', filter.channels, params));
    if (r?.from) {
      parts.push('t.txn_at >= ?');
      params.push(`${r.from}-01`);
    }
    if (r?.to) {
      parts.push('t.txn_at < ?');
      params.push(`${shiftMonth(r.to, 1)}-01`);
    }
    rows = big<ClockSum>(
      db,
      `SELECT t.channel, CAST(strftime('%w', substr(t.txn_at, 1, 10)) AS INTEGER) AS weekday, CAST(substr(t.txn_at, 12, 2) AS INTEGER) AS hour,
              COUNT(*) AS n, SUM(t.amount_fen) AS a
       FROM customers c JOIN transactions t ON t.customer_id = c.id WHERE ${parts.join(' AND ')} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ).all(...params);
  } else {
    const w = range('s', r, where('s', scope, filter, { manager: false }));
    const params = [...w.params];
    const ch = filter.channels ? ` AND ${inList('s.channel', filter.channels, params)}` : '';
    rows = big<ClockSum>(
      db,
      `SELECT s.channel, s.weekday, s.hour, SUM(s.n) AS n, SUM(s.amount_fen) AS a FROM summary_txn_clock s WHERE ${w.sql}${ch} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ).all(...params);
  }
  return rows.map((x) => ({
    channel: x.channel,
    weekday: num(x.weekday),
    hour: num(x.hour),
    n: num(x.n),
    amountFen: x.a,
  }));
}

export interface ProductRow {
  productId: number;
  code: string;
  name: string;
  category: string;
  holders: number;
  held: number;
  balanceFen: bigint;
}

export function productMix(db: Database, scope: ReportScope, filter: ReportFilter = {}): ProductRow[] {
  const w = where('s', scope, filter);
  const params = [...w.params];
  const pf = filter.productIds ? ` AND ${inList('s.product_id', filter.productIds, params)}` : '';
  const rows = big<{
    id: bigint;
    code: string;
    name: string;
    category: string;
    holders: bigint;
    held: bigint;
    bal: bigint;
  }>(
    db,
    `SELECT p.id, p.code, p.name, p.category, x.holders, x.held, x.bal FROM (
       SELECT s.product_id, SUM(s.holders) AS holders, SUM(s.held) AS held, SUM(s.balance_fen) AS bal FROM summary_products s
       WHERE s.month = '' AND ${w.sql}${pf} GROUP BY s.product_id) x JOIN products p ON p.id = x.product_id
     WHERE x.held > 0 ORDER BY x.bal DESC, p.id`,
  ).all(...params);
  return rows.map((x) => ({
    productId: num(x.id),
    code: x.code,
    name: x.name,
    category: x.category,
    holders: num(x.holders),
    held: num(x.held),
    balanceFen: x.bal,
  }));
}

export interface SalesRow {
  month: string;
  productId: number;
  sold: number;
  soldFen: bigint;
}

export function productSales(db: Database, scope: ReportScope, filter: ReportFilter = {}, r?: MonthRange): SalesRow[] {
  const w = range('s', r, where('s', scope, filter));
  const params = [...w.params];
  const pf = filter.productIds ? ` AND ${inList('s.product_id', filter.productIds, params)}` : '';
  const rows = big<{ month: string; product_id: bigint; sold: bigint; f: bigint }>(
    db,
    `SELECT s.month, s.product_id, SUM(s.sold) AS sold, SUM(s.sold_fen) AS f FROM summary_products s WHERE s.month <> '' AND ${w.sql}${pf}
     GROUP BY 1, 2 HAVING SUM(s.sold) > 0 ORDER BY 1, 2`,
  ).all(...params);
  return rows.map((x) => ({ month: x.month, productId: num(x.product_id), sold: num(x.sold), soldFen: x.f }));
}

/** customers-table condition for a scope + filter (alias c), for the few reads that list customers. */
function customerWhere(scope: ReportScope, filter: ReportFilter = {}, tier = "COALESCE(c.tier, '')"): Where {
  const params: Params = [];
  const parts: string[] = [];
  if (scope.managerStaffId != null) {
    parts.push('c.manager_staff_id = ?');
    params.push(scope.managerStaffId);
  } else parts.push(inList('c.branch_id', scope.branchIds ?? [], params));
  if (filter.branchIds) parts.push(inList('c.branch_id', filter.branchIds, params));
  if (filter.managerStaffId != null) {
    parts.push('c.manager_staff_id = ?');
    params.push(filter.managerStaffId);
  }
  if (filter.tiers) parts.push(inList(tier, storedTiers(filter.tiers), params));
  if (filter.kind) {
    parts.push('c.kind = ?');
    params.push(filter.kind);
  }
  return { sql: parts.join(' AND '), params };
}

export interface MoverRow {
  customerId: number;
  customerNo: string;
  name: string;
  tier: string | null;
  managerStaffId: number | null;
  aumFen: bigint;
  changeFen: bigint;
}

/**
 * Customers whose AUM changed most between `month` (default: latest) and the month before, read
 * through report_customer_months_movers (month, aum_change_fen) in order, so the first `limit` in
 * scope end the scan. order 'top' = biggest increase, 'bottom' = biggest decrease.
 */
export function movers(
  db: Database,
  scope: ReportScope,
  opts: { month?: string; limit?: number; order: 'top' | 'bottom' },
  filter: ReportFilter = {},
): MoverRow[] {
  const months = reportMonths(db);
  const month = opts.month ?? months[months.length - 1];
  if (!month) return [];
  // The tier at that month's end (stored on the month row), like every month-end figure.
  const w = customerWhere(scope, filter, 'm.tier');
  const dir = opts.order === 'top' ? 'DESC' : 'ASC';
  const sign = opts.order === 'top' ? '>' : '<';
  const rows = big<{
    id: bigint;
    customer_no: string;
    name: string;
    tier: string | null;
    manager_staff_id: bigint | null;
    aum: bigint;
    chg: bigint;
  }>(
    db,
    `SELECT c.id, c.customer_no, c.name, c.tier, c.manager_staff_id, m.deposit_fen + m.wealth_fen AS aum, m.aum_change_fen AS chg
     FROM report_customer_months m INDEXED BY report_customer_months_movers JOIN customers c ON c.id = m.customer_id
     WHERE m.month = ? AND m.aum_change_fen ${sign} 0 AND ${w.sql}
     ORDER BY m.aum_change_fen ${dir}, c.id LIMIT ?`,
  ).all(month, ...w.params, opts.limit ?? 10);
  return rows.map((x) => ({
    customerId: num(x.id),
    customerNo: x.customer_no,
    name: x.name,
    tier: x.tier,
    managerStaffId: x.manager_staff_id == null ? null : num(x.manager_staff_id),
    aumFen: x.aum,
    changeFen: x.chg,
  }));
}

export interface MaturityRow {
  kind: 'term' | 'wealth' | 'loan';
  id: number;
  customerId: number;
  customerName: string;
  productName: string;
  maturityOn: string;
  amountFen: bigint;
}

/**
 * Active term deposits, wealth holdings and loans maturing from today to today + days (inclusive), through
 * the partial maturity indexes (status = 'active'); a month of maturities is a few thousand rows.
 */
export function maturities(
  db: Database,
  scope: ReportScope,
  opts: { today: string; days: number },
  filter: ReportFilter = {},
): MaturityRow[] {
  const until = addDays(opts.today, opts.days);
  const w = customerWhere(scope, filter);
  const params = [opts.today, until, ...w.params, opts.today, until, ...w.params, opts.today, until, ...w.params];
  const rows = big<{
    kind: MaturityRow['kind'];
    id: bigint;
    cid: bigint;
    cname: string;
    pname: string;
    d: string;
    a: bigint;
  }>(
    db,
    `SELECT 'term' AS kind, t.id, c.id AS cid, c.name AS cname, p.name AS pname, t.maturity_on AS d, t.principal_fen AS a
       FROM term_deposits t JOIN customers c ON c.id = t.customer_id JOIN products p ON p.id = t.product_id
       WHERE t.status = 'active' AND t.maturity_on BETWEEN ? AND ? AND ${w.sql}
     UNION ALL
     SELECT 'wealth', h.id, c.id, c.name, p.name, h.maturity_on, h.market_value_fen
       FROM wealth_holdings h JOIN customers c ON c.id = h.customer_id JOIN products p ON p.id = h.product_id
       WHERE h.status = 'active' AND h.maturity_on BETWEEN ? AND ? AND ${w.sql}
     UNION ALL
     SELECT 'loan', l.id, c.id, c.name, p.name, l.maturity_on, l.balance_fen
       FROM loans l JOIN customers c ON c.id = l.customer_id JOIN products p ON p.id = l.product_id
       WHERE l.status = 'active' AND l.maturity_on BETWEEN ? AND ? AND ${w.sql}
     ORDER BY 6, 1, 2`,
  ).all(...params);
  return rows.map((x) => ({
    kind: x.kind,
    id: num(x.id),
    customerId: num(x.cid),
    customerName: x.cname,
    productName: x.pname,
    maturityOn: x.d,
    amountFen: x.a,
  }));
}

export interface MaturitySummaryRow {
  kind: MaturityRow['kind'];
  items: number;
  amountFen: bigint;
  /** Distinct customers (the drill-down's count). */
  customers: number;
}

/** maturities() counted per kind in SQL (items, amount, distinct customers), without listing the rows. */
export function maturitySummary(
  db: Database,
  scope: ReportScope,
  opts: { today: string; days: number },
  filter: ReportFilter = {},
): MaturitySummaryRow[] {
  const until = addDays(opts.today, opts.days);
  const w = customerWhere(scope, filter);
  const part = (kind: string, table: string, amount: string) =>
    `SELECT '${kind}' AS kind, COUNT(*) AS items, COALESCE(SUM(x.${amount}), 0) AS a, COUNT(DISTINCT x.customer_id) AS cs
     FROM ${table} x JOIN customers c ON c.id = x.customer_id WHERE x.status = 'active' AND x.maturity_on BETWEEN ? AND ? AND ${w.sql}`;
  const rows = big<{
    kind: MaturityRow['kind'];
    items: bigint;
    a: bigint;
    cs: bigint;
  }>(
    db,
    `${part('term', 'term_deposits', 'principal_fen')} UNION ALL ${part('wealth', 'wealth_holdings', 'market_value_fen')} UNION ALL ${part('loan', 'loans', 'balance_fen')}`,
  ).all(opts.today, until, ...w.params, opts.today, until, ...w.params, opts.today, until, ...w.params);
  return rows
    .filter((r) => r.items > 0n)
    .map((r) => ({ kind: r.kind, items: num(r.items), amountFen: r.a, customers: num(r.cs) }));
}

export interface StaffRow {
  staffId: number;
  name: string;
  branchId: number;
  customers: number;
  depositFen: bigint;
  aumFen: bigint;
  loanFen: bigint;
  /** Gold + quality customers. */
  qualityCustomers: number;
  /** AUM at the month end and the month before (reporting months), for growth. */
  monthAumFen: bigint | null;
  prevMonthAumFen: bigint | null;
}

/** Managers of record in scope with today's book (summary_customers) and month-end AUM (summary_months). */
export function staffLeague(
  db: Database,
  scope: ReportScope,
  opts: { month?: string } = {},
  filter: ReportFilter = {},
): StaffRow[] {
  const months = reportMonths(db);
  const month = opts.month ?? months[months.length - 1] ?? null;
  const w = where('s', scope, filter);
  const cur = big<{ sid: bigint; c: bigint; d: bigint; a: bigint; l: bigint; q: bigint }>(
    db,
    `SELECT s.manager_staff_id AS sid, SUM(s.customers) AS c, SUM(s.deposit_fen) AS d, SUM(s.aum_fen) AS a, SUM(s.loan_fen) AS l,
            SUM(CASE WHEN s.tier IN ('gold', 'quality') THEN s.customers ELSE 0 END) AS q
     FROM summary_customers s WHERE ${w.sql} AND s.manager_staff_id <> 0 GROUP BY 1`,
  ).all(...w.params);
  const monthAum = (m: string | null): Map<number, bigint> => {
    const out = new Map<number, bigint>();
    if (!m || !months.includes(m)) return out;
    const rows = big<{ sid: bigint; a: bigint }>(
      db,
      `SELECT s.manager_staff_id AS sid, SUM(s.deposit_fen + s.wealth_fen) AS a FROM summary_months s WHERE s.month = ? AND ${w.sql} GROUP BY 1`,
    ).all(m, ...w.params);
    for (const r of rows) out.set(num(r.sid), r.a);
    return out;
  };
  const at = monthAum(month);
  const prev = monthAum(month ? shiftMonth(month, -1) : null);
  const staff = new Map(STAFF.all(db).map((s) => [s.id, s]));
  const hasMonth = !!month && months.includes(month);
  const hasPrev = !!month && months.includes(shiftMonth(month, -1));
  return cur
    .map((x) => {
      const id = num(x.sid);
      return {
        staffId: id,
        name: staff.get(id)?.name ?? String(id),
        branchId: staff.get(id)?.branch_id ?? 0,
        customers: num(x.c),
        depositFen: x.d,
        aumFen: x.a,
        loanFen: x.l,
        qualityCustomers: num(x.q),
        monthAumFen: hasMonth ? (at.get(id) ?? 0n) : null,
        prevMonthAumFen: hasPrev ? (prev.get(id) ?? 0n) : null,
      };
    })
    .sort((a, b) => (a.aumFen === b.aumFen ? a.staffId - b.staffId : a.aumFen > b.aumFen ? -1 : 1));
}

export interface TellerRow {
  staffId: number;
  name: string;
  branchId: number;
  n: number;
  creditN: number;
  creditFen: bigint;
  debitFen: bigint;
}

/**
 * Counter work per teller (summary_teller_months) for tellers of the branches in scope. A manager's
 * scope has no tellers (an empty list).
 */
export function tellerLeague(db: Database, scope: ReportScope, r?: MonthRange, filter: ReportFilter = {}): TellerRow[] {
  if (scope.managerStaffId != null) return [];
  const params: Params = [];
  const parts = [inList('st.branch_id', scope.branchIds ?? [], params)];
  if (filter.branchIds) parts.push(inList('st.branch_id', filter.branchIds, params));
  if (r?.from) {
    parts.push('s.month >= ?');
    params.push(r.from);
  }
  if (r?.to) {
    parts.push('s.month <= ?');
    params.push(r.to);
  }
  const rows = big<{ id: bigint; name: string; branch_id: bigint; n: bigint; cn: bigint; cf: bigint; df: bigint }>(
    db,
    `SELECT st.id, st.name, st.branch_id, SUM(s.n) AS n, SUM(CASE WHEN s.direction = 'C' THEN s.n ELSE 0 END) AS cn,
            SUM(CASE WHEN s.direction = 'C' THEN s.amount_fen ELSE 0 END) AS cf, SUM(CASE WHEN s.direction = 'D' THEN s.amount_fen ELSE 0 END) AS df
     FROM summary_teller_months s JOIN staff st ON st.id = s.teller_staff_id WHERE ${parts.join(' AND ')}
     GROUP BY st.id ORDER BY n DESC, st.id`,
  ).all(...params);
  return rows.map((x) => ({
    staffId: num(x.id),
    name: x.name,
    branchId: num(x.branch_id),
    n: num(x.n),
    creditN: num(x.cn),
    creditFen: x.cf,
    debitFen: x.df,
  }));
}

export interface MigrationCell {
  from: string;
  to: string;
  customers: number;
}

/**
 * Tier migration between two dates: for each customer in scope whose tier changed at least once with
 * from < changed_at <= to (dates, whole days), the tier before the first change and after the last
 * one. Customers who changed and changed back appear on the diagonal. Tier null/'' is 'none'.
 */
export function tierMigration(
  db: Database,
  scope: ReportScope,
  opts: { from: string; to: string },
  filter: ReportFilter = {},
): MigrationCell[] {
  const d = freshColumns(db);
  if (d) {
    // A large book: the grid's in-memory columns hold every customer's change history (a re-tier can
    // log most of a million customers; grouping that log per request takes seconds).
    const [lo, hi] = tierChangeBounds(opts.from, opts.to).map(ymd);
    const inScope = scope.managerStaffId != null ? null : new Set(scope.branchIds ?? []);
    const branches = filter.branchIds ? new Set(filter.branchIds) : null;
    const tiers = filter.tiers
      ? new Set(filter.tiers.map((t) => TIER_CODES.indexOf((t || 'none') as (typeof TIER_CODES)[number])))
      : null;
    const kind = filter.kind ? KIND_CODES.indexOf(filter.kind) : -1;
    const keep = (r: number) =>
      (inScope ? inScope.has(d.branch[r]!) : d.manager[r] === scope.managerStaffId) &&
      (!branches || branches.has(d.branch[r]!)) &&
      (filter.managerStaffId == null || d.manager[r] === filter.managerStaffId) &&
      (!tiers || tiers.has(d.tier[r]!)) &&
      (kind < 0 || d.kind[r] === kind);
    return [...migrationCells(d, keep, lo!, hi!)]
      .map(([k, customers]) => {
        const [from, to] = k.split('>') as [string, string];
        return { from, to, customers };
      })
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  }
  const w = customerWhere(scope, filter);
  return all<MigrationCell>(
    db,
    `${TIER_CHANGE_CTE}
     SELECT m.from_tier AS "from", m.to_tier AS "to", COUNT(*) AS customers
     FROM moved m JOIN customers c ON c.id = m.customer_id WHERE ${w.sql} GROUP BY 1, 2 ORDER BY 1, 2`,
    ...tierChangeBounds(opts.from, opts.to),
    ...w.params,
  );
}
