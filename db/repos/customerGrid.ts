/**
 * The customer grid's queries: a filter and a sort from the renderer become ONE parameterised SQL
 * statement over `customers c`, with the caller's scope ANDed in. SQL text comes only from the
 * whitelists below (columns, predicates); every value the user typed is a bound parameter.
 */
import { addDays } from '../../shared/dates';
import type { Database } from 'better-sqlite3';
import {
  QUERY_ENUMS,
  QUERY_FIELDS,
  type GridFilter,
  type GridSort,
  type QueryCondition,
  type QueryGroup,
} from '../../shared/api/grid';
import { CUSTOMER_FIELDS, FIELD_KEYS, QUERY_COLUMN_FIELDS, type CustomerField } from '../../shared/customer-fields';
import { AppError } from '../../shared/errors';
import { yuanToFen } from '../../shared/money';
import { maskIdNo, maskPhone } from '../../shared/mask';
import { FIELD_SELECT, FIELD_SQL, needsJoins, SORT_SQL } from '../customer-field-sql';
import type { Scope } from '../scope';
import {
  buildColumns,
  countRows,
  freshColumns,
  installColumns,
  columnStamp,
  matchRows,
  pageIds,
  sqlPart,
  statsRows,
  type ColumnData,
} from '../customer-columns';
import { classifySearch, searchPredicate } from './customers';
import { drillPredicate } from '../reporting/drill';

/** A grid row as the store gives it: the catalogue's fields by wire name, money in fen, identifiers masked. */
export type GridDbRow = { id: number } & Record<CustomerField, string | number | null>;

// CROSS JOIN keeps customers the outer loop: joined the ordinary way, SQLite may start from the
// branch table and walk every customer of a branch through the branch index to test a predicate
// that has an index of its own (a quick search took seconds on a million customers).
const FROM = `FROM customers c CROSS JOIN branches b ON b.id = c.branch_id LEFT JOIN staff m ON m.id = c.manager_staff_id`;

const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

type Param = string | number;

function invalid(path: (string | number)[], code: string): never {
  throw new AppError('VALIDATION', { issues: [{ path: ['filter', 'advanced', ...path.map(String)], code }] });
}

/** Query fields that compare one column: the catalogue's plain ones, and the manager and branch ids. */
const COLUMN: Record<string, string> = {
  ...Object.fromEntries(QUERY_COLUMN_FIELDS.map((k) => [k, FIELD_SQL[k]])),
  managerId: 'COALESCE(c.manager_staff_id, 0)',
  branchId: 'c.branch_id',
};
const SQL_OP: Record<string, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** Compiles one advanced-query condition; every value is a parameter, every name from a whitelist. */
function compileCondition(c: QueryCondition, today: string, params: Param[], path: (string | number)[]): string {
  const type = QUERY_FIELDS[c.field];
  const values = Array.isArray(c.value) ? c.value : [c.value];
  const norm = (v: string | number, i: number): Param => {
    switch (type) {
      case 'money': {
        const t = typeof v === 'number' ? String(v) : v;
        if (!/^-?\d{1,13}(\.\d{1,2})?$/.test(t.trim())) invalid([...path, 'value', i], 'not_money');
        return Number(yuanToFen(t));
      }
      case 'date':
        if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
          invalid([...path, 'value', i], 'not_date');
        return v;
      case 'number':
      case 'id':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) invalid([...path, 'value', i], 'not_whole_number');
        return v;
      case 'enum':
      case 'channel':
        if (typeof v !== 'string' || !QUERY_ENUMS[c.field]!.includes(v)) invalid([...path, 'value', i], 'not_allowed');
        return v;
      case 'code':
        if (typeof v !== 'string' || !/^[\w-]{1,16}$/.test(v)) invalid([...path, 'value', i], 'not_code');
        return v;
    }
  };
  const vs = values.map(norm);
  const one = () => {
    if (Array.isArray(c.value)) invalid([...path, 'value'], 'expects_one_value');
    return vs[0]!;
  };
  const comparison = (expr: string): string => {
    if (c.op === 'in') {
      if (!Array.isArray(c.value) || vs.length === 0) invalid([...path, 'value'], 'expects_list');
      params.push(...vs);
      return `${expr} IN (${inList(vs.length)})`;
    }
    if (c.op === 'between') {
      if (!Array.isArray(c.value) || vs.length !== 2) invalid([...path, 'value'], 'expects_two_values');
      if (vs[0]! > vs[1]!) invalid([...path, 'value'], 'impossible_range');
      params.push(vs[0]!, vs[1]!);
      return `${expr} BETWEEN ? AND ?`;
    }
    params.push(one());
    return `${expr} ${SQL_OP[c.op]} ?`;
  };
  const onlyEquality = () => {
    if (!['eq', 'ne', 'in'].includes(c.op)) invalid([...path, 'op'], 'op_not_supported');
  };
  const column = COLUMN[c.field];
  if (column && type === 'enum') {
    // Codes compare for equality only; "not this code" keeps the rows without one.
    onlyEquality();
    return c.op === 'ne' ? `(${column} IS NULL OR ${comparison(column)})` : comparison(column);
  }
  switch (c.field) {
    case 'age': {
      // Whole years at today's date, for individuals (a corporate's "birth date" is its founding).
      params.push(today, today);
      const age = `(CAST(substr(?, 1, 4) AS INTEGER) - CAST(substr(c.birth_date, 1, 4) AS INTEGER) - (substr(?, 6, 5) < substr(c.birth_date, 6, 5)))`;
      return `(c.kind = 'individual' AND c.birth_date IS NOT NULL AND ${comparison(age)})`;
    }
    case 'holdsProduct':
    case 'holdsCategory': {
      onlyEquality();
      const col = c.field === 'holdsProduct' ? 'p.code' : 'p.category';
      const list = c.op === 'in' ? vs : [one()];
      const l = inList(list.length);
      params.push(...list, ...list, ...list);
      const exists = `(EXISTS (SELECT 1 FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.customer_id = c.id AND a.status <> 'closed' AND ${col} IN (${l}))
        OR EXISTS (SELECT 1 FROM wealth_holdings h JOIN products p ON p.id = h.product_id WHERE h.customer_id = c.id AND h.status = 'active' AND ${col} IN (${l}))
        OR EXISTS (SELECT 1 FROM loans lo JOIN products p ON p.id = lo.product_id WHERE lo.customer_id = c.id AND lo.status = 'active' AND ${col} IN (${l})))`;
      return c.op === 'ne' ? `NOT ${exists}` : exists;
    }
    case 'channelUse': {
      onlyEquality();
      const list = c.op === 'in' ? vs : [one()];
      const since = addDays(today, -(c.days ?? 90));
      params.push(...list, `${since} 00:00:00`, c.minCount ?? 1);
      const n = `(SELECT COUNT(*) FROM transactions t WHERE t.customer_id = c.id AND t.channel IN (${inList(list.length)}) AND t.txn_at >= ?) >= ?`;
      return c.op === 'ne' ? `NOT ${n}` : n;
    }
    case 'loanMaturingDays':
    case 'depositMaturingDays': {
      if (!['lte', 'lt'].includes(c.op)) invalid([...path, 'op'], 'op_not_supported');
      const days = one() as number;
      const until = addDays(today, c.op === 'lt' ? days - 1 : days);
      if (c.field === 'loanMaturingDays') {
        params.push(today, until);
        return `EXISTS (SELECT 1 FROM loans lo WHERE lo.customer_id = c.id AND lo.status = 'active' AND lo.maturity_on BETWEEN ? AND ?)`;
      }
      params.push(today, until, today, until);
      return `(EXISTS (SELECT 1 FROM term_deposits t WHERE t.customer_id = c.id AND t.status = 'active' AND t.maturity_on BETWEEN ? AND ?)
        OR EXISTS (SELECT 1 FROM wealth_holdings h WHERE h.customer_id = c.id AND h.status = 'active' AND h.maturity_on BETWEEN ? AND ?))`;
    }
    default: {
      if (!column) invalid([...path, 'field'], 'unknown_field');
      return comparison(column);
    }
  }
}

export function compileGroup(
  g: QueryGroup,
  today: string,
  params: Param[],
  path: (string | number)[] = [],
  depth = 0,
  budget = { n: 0 },
): string {
  if (depth > 4) invalid(path, 'too_deep');
  const parts = g.items.map((item, i) => {
    if (++budget.n > 60) invalid(path, 'too_many_conditions');
    return 'items' in item
      ? `(${compileGroup(item, today, params, [...path, 'items', i], depth + 1, budget)})`
      : compileCondition(item, today, params, [...path, 'items', i]);
  });
  return `(${parts.join(g.op === 'and' ? ' AND ' : ' OR ')})`;
}

type IdSourceKey = 'productCodes' | 'maturingWithinDays';

/**
 * Filters that are a set of customer ids found from another table's index (a few products -> their
 * holders; the maturity indexes -> customers with something maturing), as a SELECT of those ids.
 * compileFilter() tests `c.id IN (...)`; the in-memory columns take the ids as they are.
 */
function idSource(k: IdSourceKey, f: GridFilter, today: string): { sql: string; params: (string | number)[] } | null {
  if (k === 'productCodes' && f.productCodes?.length) {
    const l = inList(f.productCodes.length);
    return {
      sql: `SELECT a.customer_id FROM accounts a WHERE a.status <> 'closed' AND a.product_id IN (SELECT id FROM products WHERE code IN (${l}))
        UNION SELECT h.customer_id FROM wealth_holdings h WHERE h.status = 'active' AND h.product_id IN (SELECT id FROM products WHERE code IN (${l}))
        UNION SELECT l.customer_id FROM loans l WHERE l.status = 'active' AND l.product_id IN (SELECT id FROM products WHERE code IN (${l}))`,
      params: [...f.productCodes, ...f.productCodes, ...f.productCodes],
    };
  }
  if (k === 'maturingWithinDays' && f.maturingWithinDays !== undefined) {
    const until = addDays(today, f.maturingWithinDays);
    return {
      sql: `SELECT t.customer_id FROM term_deposits t WHERE t.status = 'active' AND t.maturity_on BETWEEN ? AND ?
        UNION SELECT h.customer_id FROM wealth_holdings h WHERE h.status = 'active' AND h.maturity_on BETWEEN ? AND ?
        UNION SELECT l.customer_id FROM loans l WHERE l.status = 'active' AND l.maturity_on BETWEEN ? AND ?`,
      params: [today, until, today, until, today, until],
    };
  }
  return null;
}

/**
 * The SQL part of a filter (sqlPart) as id SELECTs only, when every key of it is one; else null.
 * Their intersection is the part's matching customers, whatever the scope (the columns apply it).
 */
function idSources(part: GridFilter, today: string): { sql: string; params: (string | number)[] }[] | null {
  const out: { sql: string; params: (string | number)[] }[] = [];
  for (const [k, v] of Object.entries(part)) {
    if (v === undefined) continue;
    if (k === 'productCodes' || k === 'maturingWithinDays') {
      const s = idSource(k, part, today);
      if (s) out.push(s);
    } else if (k === 'drill') {
      const d = drillPredicate(part.drill!, today);
      if (!d.ids) return null;
      out.push({ sql: d.ids, params: d.params });
    } else return null;
  }
  return out;
}

/**
 * WHERE clause and parameters for scope + filter. `today` is the clock's date (YYYY-MM-DD); `userId`
 * the caller (favourites and lists are per user).
 */
export function compileFilter(
  scope: Scope,
  f: GridFilter,
  today: string,
  userId = 0,
): { where: string; params: (string | number)[] } {
  const where: string[] = [scope.sql];
  const params: (string | number)[] = [...scope.params];
  const add = (sql: string, ...p: (string | number)[]) => {
    where.push(sql);
    params.push(...p);
  };
  if (f.favorites)
    add('EXISTS (SELECT 1 FROM customer_favorites fv WHERE fv.user_id = ? AND fv.customer_id = c.id)', userId);
  if (f.listId !== undefined) {
    // The list must be the caller's own or shared; its members still pass through the scope above.
    add(
      `EXISTS (SELECT 1 FROM customer_list_members lm JOIN customer_lists l ON l.id = lm.list_id
        WHERE lm.list_id = ? AND lm.customer_id = c.id AND (l.owner_id = ? OR l.shared = 1))`,
      f.listId,
      userId,
    );
  }
  if (f.advanced) {
    const p: Param[] = [];
    const sql = compileGroup(f.advanced, today, p);
    add(sql, ...p);
  }
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
  for (const k of ['productCodes', 'maturingWithinDays'] as const) {
    const ids = idSource(k, f, today);
    if (ids) add(`c.id IN (${ids.sql})`, ...ids.params);
  }
  if (f.birthdayThisMonth) add(`c.kind = 'individual' AND substr(c.birth_date, 6, 2) = ?`, today.slice(5, 7));
  if (f.inactiveDays !== undefined)
    add('(c.last_txn_on IS NULL OR c.last_txn_on <= ?)', addDays(today, -f.inactiveDays));
  if (f.drill) {
    const d = drillPredicate(f.drill, today);
    add(d.sql, ...d.params);
  }
  return { where: where.join(' AND '), params };
}

/**
 * A total order (pages never repeat or skip a row): the sort, then the id in the first key's
 * direction, which is the order a single-column index already holds (its rowid suffix), so
 * SQLite walks the index instead of sorting a million rows.
 */
export function orderBy(sort: GridSort): string {
  const keys = sort.length ? sort : [{ col: 'aum' as const, dir: 'desc' as const }];
  const parts = keys.map((s) => `${SORT_SQL[s.col]} ${s.dir === 'asc' ? 'ASC' : 'DESC'}`);
  parts.push(`c.id ${keys[0]!.dir === 'asc' ? 'ASC' : 'DESC'}`);
  return parts.join(', ');
}

/**
 * Typing a name with no sort chosen lists the matches in name order, which the name index already
 * holds (AUM order would sort every 王 in the book before showing 20). Grid and export share it.
 */
export function effectiveSort(sort: GridSort, filter: GridFilter): GridSort {
  return sort.length === 0 && filter.q && classifySearch(filter.q).kind === 'name'
    ? [{ col: 'name', dir: 'asc' }]
    : sort;
}

/** Branch and manager names are joined only when the sort needs them. */
function fromFor(sort: GridSort): string {
  return sort.some((s) => needsJoins(SORT_SQL[s.col])) ? FROM : 'FROM customers c';
}

/**
 * Deep pages: OFFSET 900000 walks 900,000 rows on every request. Instead the ordered ids of a view
 * (scope + filter + sort) are taken once into an Int32Array, and any page is then a slice of it
 * plus a primary-key fetch. Snapshots are per connection, few (LRU), and dropped whenever another
 * connection commits (an import: PRAGMA data_version moves) or after a minute.
 */
const SNAPSHOT_FROM_OFFSET = 1000;
const SNAPSHOT_TTL_MS = 60_000;
const SNAPSHOT_MAX = 6;
interface Snapshot {
  ids: Int32Array;
  version: number;
  at: number;
}
const snapshots = new WeakMap<Database, Map<string, Snapshot>>();

function snapshotFor(db: Database, key: string, build: () => Int32Array): Int32Array {
  let cache = snapshots.get(db);
  if (!cache) {
    cache = new Map();
    snapshots.set(db, cache);
  }
  const version = Number(db.pragma('data_version', { simple: true }));
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.version === version && now - hit.at < SNAPSHOT_TTL_MS) {
    cache.delete(key); // LRU: most recent last
    cache.set(key, hit);
    return hit.ids;
  }
  const ids = build();
  cache.set(key, { ids, version, at: now });
  while (cache.size > SNAPSHOT_MAX) cache.delete(cache.keys().next().value!);
  return ids;
}

/**
 * Counts and quick stats for filters the maintained summary table can answer exactly (scope, tier,
 * manager, branch): read from summary_customers (a few hundred rows) instead of a million customers.
 * A manager with active grants sees customers beyond their own book, which the summary cannot
 * separate: they take the customers path.
 */
function summaryWhere(db: Database, scope: Scope, f: GridFilter): { where: string; params: Param[] } | null {
  const keys = Object.keys(f).filter((k) => (f as Record<string, unknown>)[k] !== undefined);
  if (keys.some((k) => !['tiers', 'managerIds', 'branchIds'].includes(k))) return null;
  const where: string[] = [];
  const params: Param[] = [];
  if (scope.kind === 'branch' && scope.branchIds) {
    where.push(`s.branch_id IN (${inList(scope.branchIds.length)})`);
    params.push(...scope.branchIds);
  } else if (scope.kind === 'manager' && scope.staffId !== undefined && scope.today) {
    const grants = db
      .prepare('SELECT 1 FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?) LIMIT 1')
      .get(scope.staffId, scope.today);
    if (grants) return null;
    where.push('s.manager_staff_id = ?');
    params.push(scope.staffId);
  } else if (scope.kind === 'none') {
    where.push('0');
  } else return null;
  if (f.tiers?.length) {
    where.push(`s.tier IN (${inList(f.tiers.length)})`);
    params.push(...f.tiers.map((t) => (t === 'none' ? '' : t)));
  }
  if (f.managerIds?.length) {
    where.push(`s.manager_staff_id IN (${inList(f.managerIds.length)})`);
    params.push(...f.managerIds);
  }
  if (f.branchIds?.length) {
    where.push(`s.branch_id IN (${inList(f.branchIds.length)})`);
    params.push(...f.branchIds);
  }
  return { where: where.join(' AND '), params };
}

function summaryStats(db: Database, q: { where: string; params: Param[] }) {
  const total = db
    .prepare(
      `SELECT COALESCE(SUM(s.customers), 0) AS n, SUM(s.aum_fen) AS aum, SUM(s.deposit_fen) AS dep, SUM(s.wealth_fen) AS wlt, SUM(s.loan_fen) AS lon
       FROM summary_customers s WHERE ${q.where}`,
    )
    .safeIntegers(true)
    .get(...q.params) as { n: bigint; aum: bigint | null; dep: bigint | null; wlt: bigint | null; lon: bigint | null };
  const byTier = db
    .prepare(
      `SELECT CASE s.tier WHEN '' THEN 'none' ELSE s.tier END AS tier, SUM(s.customers) AS n, SUM(s.aum_fen) AS aum FROM summary_customers s WHERE ${q.where} GROUP BY 1 HAVING SUM(s.customers) > 0 ORDER BY 1`,
    )
    .safeIntegers(true)
    .all(...q.params) as { tier: string; n: bigint; aum: bigint }[];
  const byManager = db
    .prepare(
      `SELECT s.manager_staff_id AS mid, m.name AS mname, SUM(s.customers) AS n, SUM(s.aum_fen) AS aum
       FROM summary_customers s LEFT JOIN staff m ON m.id = s.manager_staff_id WHERE ${q.where} GROUP BY 1 HAVING SUM(s.customers) > 0 ORDER BY aum DESC`,
    )
    .safeIntegers(true)
    .all(...q.params) as { mid: bigint; mname: string | null; n: bigint; aum: bigint }[];
  return { total, byTier, byManager };
}

/**
 * A branch scope that covers every branch of the store (a one-branch workstation, its president)
 * filters nothing: drop the predicate so SQLite can walk one index for sorts and counts instead of
 * testing every row's branch. Customers' branch_id is a foreign key, so this is exact.
 */
function effective(db: Database, scope: Scope): Scope {
  if (scope.kind !== 'branch' || !scope.branchIds) return scope;
  const outside = db
    .prepare(`SELECT 1 FROM branches WHERE id NOT IN (${inList(scope.branchIds.length)}) LIMIT 1`)
    .get(...scope.branchIds);
  return outside ? scope : { ...scope, sql: '1', params: [] };
}

/** Builds the in-memory columns on this connection now (tests; the app builds them in a worker). */
export function buildColumnsNow(db: Database): void {
  const stamp = columnStamp(db);
  installColumns(db, buildColumns(db, SORT_SQL), stamp);
}

type MaskedField = {
  [K in CustomerField]: (typeof CUSTOMER_FIELDS)[K] extends { mask: string } ? K : never;
}[CustomerField];
const MASKED = FIELD_KEYS.filter((k): k is MaskedField => 'mask' in CUSTOMER_FIELDS[k]);
const MASK = { id: maskIdNo, phone: maskPhone };

const ALL: Scope = { kind: 'branch', sql: '1', params: [], masked: true };
const matches = new WeakMap<ColumnData, Map<string, Uint8Array>>();

/**
 * Scope + filter as a row mask over the in-memory columns, or null when they are not fresh (the SQL
 * path then answers). The few masks of the latest views are kept per build (a grid asks for count,
 * stats and pages of the same view); favourites and lists change through this connection without a
 * new build, so views over them are never kept.
 */
function columnarMatch(
  db: Database,
  scope: Scope,
  f: GridFilter,
  today: string,
  userId: number,
): { d: ColumnData; match: Uint8Array } | null {
  const d = freshColumns(db);
  if (!d) return null;
  const volatile = f.favorites || f.listId !== undefined;
  const key = JSON.stringify([
    scope.kind,
    scope.sql === '1' ? 'all' : (scope.branchIds ?? null),
    scope.staffId ?? null,
    f,
    today,
    userId,
  ]);
  let cache = matches.get(d);
  if (!cache) {
    cache = new Map();
    matches.set(d, cache);
  }
  const hit = volatile ? undefined : cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return { d, match: hit };
  }
  const toRows = (ids: number[]): Int32Array | null => {
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i]! < d.rowOf.length ? d.rowOf[ids[i]!]! : -1;
      if (r < 0) return null; // a customer the build does not know: it is stale after all
      out[i] = r;
    }
    return out;
  };
  let grantRows: Int32Array | null = null;
  if (scope.kind === 'manager') {
    const ids = db
      .prepare('SELECT customer_id FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?)')
      .pluck()
      .all(scope.staffId!, scope.today ?? today) as number[];
    grantRows = toRows(ids);
    if (!grantRows) return null;
  }
  let sqlRows: Int32Array | null = null;
  const part = sqlPart(f);
  if (part) {
    const sources = idSources(part, today);
    if (sources && sources.length > 0) {
      // Ids straight from the other tables' indexes (no look-up of each customer); the columns apply
      // the scope. Several sources: the rows every one of them names.
      let hits: Uint8Array | null = null;
      for (const s of sources) {
        const rows = toRows(
          db
            .prepare(s.sql)
            .pluck()
            .all(...s.params) as number[],
        );
        if (!rows) return null;
        const mark = new Uint8Array(d.n);
        for (const r of rows) if (hits === null || hits[r]) mark[r] = 1;
        hits = mark;
      }
      const list: number[] = [];
      for (let r = 0; r < d.n; r++) if (hits![r]) list.push(r);
      sqlRows = Int32Array.from(list);
    } else {
      // Within the caller's scope: a manager's book bounds the ids SQL hands over.
      const { where, params } = compileFilter(scope.kind === 'manager' ? scope : ALL, part, today, userId);
      sqlRows = toRows(
        db
          .prepare(`SELECT c.id FROM customers c WHERE ${where}`)
          .pluck()
          .all(...params) as number[],
      );
      if (!sqlRows) return null;
    }
  }
  const match = matchRows(d, scope, f, today, { grantRows, sqlRows });
  if (!volatile) {
    cache.set(key, match);
    while (cache.size > 4) cache.delete(cache.keys().next().value!);
  }
  return { d, match };
}

export function customerGridRepo(db: Database) {
  const mask = (r: GridDbRow): GridDbRow => {
    for (const k of MASKED) r[k] = MASK[CUSTOMER_FIELDS[k].mask](r[k] as string | null);
    return r;
  };
  /** A page's rows by primary key, in the page's order. */
  const fetchByIds = (page: number[]): GridDbRow[] => {
    if (page.length === 0) return [];
    const rows = db
      .prepare(`SELECT ${FIELD_SELECT} ${FROM} WHERE c.id IN (${inList(page.length)})`)
      .all(...page) as GridDbRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    // A row deleted since the snapshot is simply skipped; the next data_version drops the snapshot.
    return page.flatMap((id) => {
      const r = byId.get(id);
      return r ? [mask(r)] : [];
    });
  };
  return {
    rows(
      scope: Scope,
      filter: GridFilter,
      sort: GridSort,
      offset: number,
      limit: number,
      today: string,
      userId = 0,
    ): GridDbRow[] {
      scope = effective(db, scope);
      sort = effectiveSort(sort, filter);
      // A quick search's first pages come straight off the name/number indexes (LIMIT 20 of the
      // matches); the columns would first have to collect every match of a common surname.
      const viaIndex = filter.q !== undefined && offset < SNAPSHOT_FROM_OFFSET;
      const col = viaIndex ? null : columnarMatch(db, scope, filter, today, userId);
      const fromColumns = col ? pageIds(col.d, col.match, sort, offset, limit) : null;
      if (fromColumns) return fetchByIds(fromColumns);
      const { where, params } = compileFilter(scope, filter, today, userId);
      const order = orderBy(sort);
      // Favourites and lists change through this very connection (no data_version bump): never cached.
      if (offset < SNAPSHOT_FROM_OFFSET || filter.favorites || filter.listId !== undefined) {
        // Ids first, from customers alone (joining branches and staff here lets SQLite start from the
        // branch table and test every customer of it), then the page's rows by primary key.
        return fetchByIds(
          db
            .prepare(`SELECT c.id ${fromFor(sort)} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
            .pluck()
            .all(...params, limit, offset) as number[],
        );
      }
      const key = JSON.stringify([scope.sql, scope.params, where, params, order]);
      const ids = snapshotFor(db, key, () => {
        // With a filter, take the filtered rows first (by their own index or one sequential pass)
        // and sort those: '+' keeps SQLite from walking the sort's index and fetching every row of
        // the book in index order to test the filter (seconds on a million customers). Unfiltered,
        // walking the sort's index is the fastest way.
        const filtered = Object.values(filter).some((v) => v !== undefined);
        const snapOrder = filtered ? order.replace(/(^|, )(?!c\.id )/g, '$1+') : order;
        const stmt = db.prepare(`SELECT c.id ${fromFor(sort)} WHERE ${where} ORDER BY ${snapOrder}`).pluck();
        return Int32Array.from(stmt.all(...params) as number[]);
      });
      return fetchByIds(Array.from(ids.subarray(offset, offset + limit)));
    },

    count(scope: Scope, filter: GridFilter, today: string, userId = 0): number {
      const fast = summaryWhere(db, scope, filter);
      if (fast)
        return Number(
          (
            db
              .prepare(`SELECT COALESCE(SUM(s.customers), 0) AS n FROM summary_customers s WHERE ${fast.where}`)
              .safeIntegers(true)
              .get(...fast.params) as { n: bigint }
          ).n,
        );
      const eff = effective(db, scope);
      const col = columnarMatch(db, eff, filter, today, userId);
      if (col) return countRows(col.match);
      const { where, params } = compileFilter(eff, filter, today, userId);
      return (db.prepare(`SELECT COUNT(*) AS n FROM customers c WHERE ${where}`).get(...params) as { n: number }).n;
    },

    /** Sums are read as BigInt: a million balances can exceed 2^53 fen. */
    stats(scope: Scope, filter: GridFilter, today: string, userId = 0) {
      const fast = summaryWhere(db, scope, filter);
      if (fast) return summaryStats(db, fast);
      const nameOf = db.prepare('SELECT name FROM staff WHERE id = ?').pluck();
      const eff = effective(db, scope);
      const col = columnarMatch(db, eff, filter, today, userId);
      if (col) {
        const s = statsRows(col.d, col.match);
        return {
          total: s.total,
          byTier: s.byTier,
          byManager: s.byManager.map((m) => ({
            ...m,
            mname: m.mid === 0n ? null : ((nameOf.get(m.mid) as string | undefined) ?? null),
          })),
        };
      }
      const { where, params } = compileFilter(eff, filter, today, userId);
      // One pass over the filtered customers, grouped by tier x manager; the three views are folded
      // from those few groups. Sums are BigInt: a million balances can exceed 2^53 fen.
      const groups = db
        .prepare(
          `SELECT COALESCE(c.tier, 'none') AS tier, COALESCE(c.manager_staff_id, 0) AS mid, COUNT(*) AS n,
                  SUM(c.aum_fen) AS aum, SUM(c.deposit_fen) AS dep, SUM(c.wealth_fen) AS wlt, SUM(c.loan_fen) AS lon
           FROM customers c WHERE ${where} GROUP BY 1, 2`,
        )
        .safeIntegers(true)
        .all(...params) as {
        tier: string;
        mid: bigint;
        n: bigint;
        aum: bigint;
        dep: bigint;
        wlt: bigint;
        lon: bigint;
      }[];
      const total = {
        n: 0n,
        aum: 0n as bigint | null,
        dep: 0n as bigint | null,
        wlt: 0n as bigint | null,
        lon: 0n as bigint | null,
      };
      const tiers = new Map<string, { tier: string; n: bigint; aum: bigint }>();
      const managers = new Map<bigint, { mid: bigint; mname: string | null; n: bigint; aum: bigint }>();
      for (const g of groups) {
        total.n += g.n;
        total.aum! += g.aum;
        total.dep! += g.dep;
        total.wlt! += g.wlt;
        total.lon! += g.lon;
        const t = tiers.get(g.tier) ?? { tier: g.tier, n: 0n, aum: 0n };
        t.n += g.n;
        t.aum += g.aum;
        tiers.set(g.tier, t);
        const m = managers.get(g.mid) ?? { mid: g.mid, mname: null, n: 0n, aum: 0n };
        m.n += g.n;
        m.aum += g.aum;
        managers.set(g.mid, m);
      }
      for (const m of managers.values())
        m.mname = m.mid === 0n ? null : ((nameOf.get(m.mid) as string | undefined) ?? null);
      const byTier = [...tiers.values()].sort((a, b) => (a.tier < b.tier ? -1 : a.tier > b.tier ? 1 : 0));
      const byManager = [...managers.values()].sort((a, b) => (b.aum > a.aum ? 1 : b.aum < a.aum ? -1 : 0));
      return { total, byTier, byManager };
    },
  };
}

/** The grid's exact query (scope, filter, sort) selecting `columns` in order, for an export worker. */
export function exportQuery(
  scope: Scope,
  filter: GridFilter,
  sort: GridSort,
  columns: readonly string[],
  today: string,
  userId = 0,
) {
  const { where, params } = compileFilter(scope, filter, today, userId);
  const cols = columns.map((c) => {
    const e = (FIELD_SQL as Record<string, string>)[c];
    if (!e) throw new Error(`not an export column: ${c}`);
    return e;
  });
  return {
    sql: `SELECT ${cols.join(', ')} ${FROM} WHERE ${where} ORDER BY ${orderBy(effectiveSort(sort, filter))}`,
    countSql: `SELECT COUNT(*) AS n FROM customers c WHERE ${where}`,
    params,
  };
}
