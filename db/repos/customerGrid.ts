/**
 * The customer grid's queries: a filter and a sort from the renderer become ONE parameterised SQL
 * statement over `customers c`, with the caller's scope ANDed in. SQL text comes only from the
 * whitelists below (columns, predicates); every value the user typed is a bound parameter.
 */
import type { Database } from 'better-sqlite3';
import type { GridFilter, GridSort, SortColumn } from '../../shared/api/grid';
import { yuanToFen } from '../../shared/money';
import { maskIdNo, maskPhone } from '../../shared/mask';
import type { Scope } from '../scope';
import { classifySearch, prefixEnd, type CustomerListRow } from './customers';

export interface GridDbRow extends CustomerListRow {
  wealth_fen: number;
  opened_on: string;
  last_txn_on: string | null;
  birth_date: string | null;
}

const SORT_SQL: Record<SortColumn, string> = {
  customerNo: 'c.customer_no',
  name: 'c.name',
  tier: "CASE c.tier WHEN 'gold' THEN 1 WHEN 'quality' THEN 2 WHEN 'key' THEN 3 WHEN 'ordinary' THEN 4 WHEN 'restricted' THEN 5 WHEN 'exit' THEN 6 ELSE 7 END",
  status: 'c.status',
  branchName: 'b.name',
  managerName: 'm.name',
  aum: 'c.aum_fen',
  deposits: 'c.deposit_fen',
  wealth: 'c.wealth_fen',
  loans: 'c.loan_fen',
  openedOn: 'c.opened_on',
  lastTxnOn: 'c.last_txn_on',
  birthDate: 'c.birth_date',
};

const COLUMNS = `c.id, c.customer_no, c.kind, c.name, c.id_type, c.id_no, c.mobile, c.tier, c.status,
  b.name AS branch_name, m.name AS manager_name, c.aum_fen, c.deposit_fen, c.loan_fen, c.wealth_fen,
  c.opened_on, c.last_txn_on, c.birth_date`;
const FROM = `FROM customers c JOIN branches b ON b.id = c.branch_id LEFT JOIN staff m ON m.id = c.manager_staff_id`;

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The quick-search predicate for one typed string (index-backed where the kind allows). */
export function searchPredicate(raw: string): { sql: string; params: (string | number)[] } {
  const { kind, q } = classifySearch(raw);
  switch (kind) {
    case 'id_no':
      return { sql: 'c.id_no = ?', params: [q] };
    case 'mobile_or_no':
      return { sql: '(c.mobile = ? OR c.customer_no = ?)', params: [q, q] };
    case 'customer_no':
      return { sql: 'c.customer_no = ?', params: [q] };
    case 'digits':
      return q.length >= 4
        ? { sql: '((c.customer_no >= ? AND c.customer_no < ?) OR c.mobile LIKE ? OR c.id_no LIKE ?)', params: [q, prefixEnd(q), `%${q}`, `%${q}`] }
        : { sql: '(c.customer_no >= ? AND c.customer_no < ?)', params: [q, prefixEnd(q)] };
    case 'initials':
      return { sql: '(c.name_initials >= ? AND c.name_initials < ?)', params: [q, prefixEnd(q)] };
    case 'name':
    default:
      return { sql: '(c.name >= ? AND c.name < ?)', params: [q, prefixEnd(q)] };
  }
}

/** WHERE clause and parameters for scope + filter. `today` is the clock's date (YYYY-MM-DD). */
export function compileFilter(scope: Scope, f: GridFilter, today: string): { where: string; params: (string | number)[] } {
  const where: string[] = [scope.sql];
  const params: (string | number)[] = [...scope.params];
  const add = (sql: string, ...p: (string | number)[]) => {
    where.push(sql);
    params.push(...p);
  };
  if (f.q) {
    const s = searchPredicate(f.q);
    add(s.sql, ...s.params);
  }
  if (f.tiers?.length) {
    const real = f.tiers.filter((t) => t !== 'none');
    const parts: string[] = [];
    if (real.length) parts.push(`c.tier IN (${inList(real.length)})`);
    if (f.tiers.includes('none')) parts.push('c.tier IS NULL');
    add(`(${parts.join(' OR ')})`, ...real);
  }
  if (f.managerIds?.length) add(`COALESCE(c.manager_staff_id, 0) IN (${inList(f.managerIds.length)})`, ...f.managerIds);
  if (f.branchIds?.length) add(`c.branch_id IN (${inList(f.branchIds.length)})`, ...f.branchIds);
  if (f.kinds?.length) add(`c.kind IN (${inList(f.kinds.length)})`, ...f.kinds);
  if (f.statuses?.length) add(`c.status IN (${inList(f.statuses.length)})`, ...f.statuses);
  // Money bounds compare integer fen; a bound beyond 2^53 fen cannot match a stored amount anyway.
  const fen = (s: string) => Number(yuanToFen(s));
  if (f.aumMin !== undefined) add('c.aum_fen >= ?', fen(f.aumMin));
  if (f.aumMax !== undefined) add('c.aum_fen <= ?', fen(f.aumMax));
  if (f.depositsMin !== undefined) add('c.deposit_fen >= ?', fen(f.depositsMin));
  if (f.loansMin !== undefined) add('c.loan_fen >= ?', fen(f.loansMin));
  if (f.productCodes?.length) {
    const l = inList(f.productCodes.length);
    add(
      `(EXISTS (SELECT 1 FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.customer_id = c.id AND a.status <> 'closed' AND p.code IN (${l}))
        OR EXISTS (SELECT 1 FROM wealth_holdings h JOIN products p ON p.id = h.product_id WHERE h.customer_id = c.id AND h.status = 'active' AND p.code IN (${l}))
        OR EXISTS (SELECT 1 FROM loans l JOIN products p ON p.id = l.product_id WHERE l.customer_id = c.id AND l.status = 'active' AND p.code IN (${l})))`,
      ...f.productCodes,
      ...f.productCodes,
      ...f.productCodes,
    );
  }
  if (f.maturingWithinDays !== undefined) {
    const until = addDays(today, f.maturingWithinDays);
    add(
      `(EXISTS (SELECT 1 FROM term_deposits t WHERE t.customer_id = c.id AND t.status = 'active' AND t.maturity_on BETWEEN ? AND ?)
        OR EXISTS (SELECT 1 FROM wealth_holdings h WHERE h.customer_id = c.id AND h.status = 'active' AND h.maturity_on BETWEEN ? AND ?)
        OR EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id AND l.status = 'active' AND l.maturity_on BETWEEN ? AND ?))`,
      today,
      until,
      today,
      until,
      today,
      until,
    );
  }
  if (f.birthdayThisMonth) add(`c.kind = 'individual' AND substr(c.birth_date, 6, 2) = ?`, today.slice(5, 7));
  if (f.inactiveDays !== undefined) add('(c.last_txn_on IS NULL OR c.last_txn_on <= ?)', addDays(today, -f.inactiveDays));
  return { where: where.join(' AND '), params };
}

function orderBy(sort: GridSort): string {
  const parts = sort.map((s) => `${SORT_SQL[s.col]} ${s.dir === 'asc' ? 'ASC' : 'DESC'}`);
  if (parts.length === 0) parts.push('c.aum_fen DESC');
  parts.push('c.id'); // a total order: pages never repeat or skip a row
  return parts.join(', ');
}

export function customerGridRepo(db: Database) {
  return {
    rows(scope: Scope, filter: GridFilter, sort: GridSort, offset: number, limit: number, today: string): GridDbRow[] {
      const { where, params } = compileFilter(scope, filter, today);
      const rows = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE ${where} ORDER BY ${orderBy(sort)} LIMIT ? OFFSET ?`).all(...params, limit, offset) as GridDbRow[];
      return rows.map((r) => ({ ...r, id_no: maskIdNo(r.id_no), mobile: maskPhone(r.mobile) }));
    },

    count(scope: Scope, filter: GridFilter, today: string): number {
      const { where, params } = compileFilter(scope, filter, today);
      return (db.prepare(`SELECT COUNT(*) AS n FROM customers c WHERE ${where}`).get(...params) as { n: number }).n;
    },

    /** Sums are read as BigInt: a million balances can exceed 2^53 fen. */
    stats(scope: Scope, filter: GridFilter, today: string) {
      const { where, params } = compileFilter(scope, filter, today);
      const total = db
        .prepare(`SELECT COUNT(*) AS n, SUM(c.aum_fen) AS aum, SUM(c.deposit_fen) AS dep, SUM(c.wealth_fen) AS wlt, SUM(c.loan_fen) AS lon FROM customers c WHERE ${where}`)
        .safeIntegers(true)
        .get(...params) as { n: bigint; aum: bigint | null; dep: bigint | null; wlt: bigint | null; lon: bigint | null };
      const byTier = db
        .prepare(`SELECT COALESCE(c.tier, 'none') AS tier, COUNT(*) AS n, SUM(c.aum_fen) AS aum FROM customers c WHERE ${where} GROUP BY 1 ORDER BY 1`)
        .safeIntegers(true)
        .all(...params) as { tier: string; n: bigint; aum: bigint }[];
      const byManager = db
        .prepare(
          `SELECT COALESCE(c.manager_staff_id, 0) AS mid, m.name AS mname, COUNT(*) AS n, SUM(c.aum_fen) AS aum
           FROM customers c LEFT JOIN staff m ON m.id = c.manager_staff_id WHERE ${where} GROUP BY 1 ORDER BY aum DESC`,
        )
        .safeIntegers(true)
        .all(...params) as { mid: bigint; mname: string | null; n: bigint; aum: bigint }[];
      return { total, byTier, byManager };
    },
  };
}

/** Store expression per export column (same whitelist discipline as sorting). */
export const EXPORT_SQL: Record<string, string> = {
  customerNo: 'c.customer_no',
  name: 'c.name',
  kind: 'c.kind',
  tier: 'c.tier',
  aum: 'c.aum_fen',
  deposits: 'c.deposit_fen',
  wealth: 'c.wealth_fen',
  loans: 'c.loan_fen',
  idNo: 'c.id_no',
  mobile: 'c.mobile',
  managerName: 'm.name',
  branchName: 'b.name',
  status: 'c.status',
  openedOn: 'c.opened_on',
  lastTxnOn: 'c.last_txn_on',
  birthDate: 'c.birth_date',
};

/** The grid's exact query (scope, filter, sort) selecting `columns` in order, for an export worker. */
export function exportQuery(scope: Scope, filter: GridFilter, sort: GridSort, columns: readonly string[], today: string) {
  const { where, params } = compileFilter(scope, filter, today);
  const cols = columns.map((c) => {
    const e = EXPORT_SQL[c];
    if (!e) throw new Error(`not an export column: ${c}`);
    return e;
  });
  return {
    sql: `SELECT ${cols.join(', ')} ${FROM} WHERE ${where} ORDER BY ${orderBy(sort)}`,
    countSql: `SELECT COUNT(*) AS n FROM customers c WHERE ${where}`,
    params,
  };
}
