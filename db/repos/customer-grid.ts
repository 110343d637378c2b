/**
 * The customer grid's queries: a filter and a sort from the renderer become ONE parameterised SQL
 * statement over `customers c`, with the caller's scope ANDed in. SQL text comes only from the
 * whitelists (db/customer-field-sql.ts, ./customer-query.ts, the predicates below); every value the
 * user typed is a bound parameter.
 *
 * Three paths answer the grid, and this file picks one per call:
 *  - SQL over customers (compileFilter, below) answers EVERY filter and sort: scope, search, chips,
 *    money bounds, products, maturities, favourites, lists, advanced queries, drill-downs. It is the
 *    reference the other two are tested against, and what small books (below the columns' threshold)
 *    and the moments after an import (columns stale) use. Its cost is a pass over the wide customer
 *    rows for any filter without an index of its own: hundreds of milliseconds on a million.
 *  - The summaries (./customer-summary-counts.ts) answer counts and quick stats only, for scope +
 *    tiers, managers and branches: a few hundred rows, so the views every grid opens with are
 *    instant even before the columns exist.
 *  - The in-memory columns (db/customer-columns.ts) answer scope + tiers, managers, branches, kinds,
 *    statuses, money bounds, birthday month and inactivity themselves, take every other filter part as
 *    an id set from SQL (columnarMatch), and serve counts, stats and single-key sorted pages at any
 *    depth in milliseconds; they exist only while fresh and are rebuilt in a worker after a change.
 */
import type { Database } from 'better-sqlite3';
import type { GridFilter, GridSort } from '../../shared/api/grid';
import { CUSTOMER_FIELDS, FIELD_KEYS, type CustomerField } from '../../shared/customer-fields';
import { addDays } from '../../shared/dates';
import { maskIdNo, maskPhone } from '../../shared/mask';
import { yuanToFen } from '../../shared/money';
import { FIELD_FROM, FIELD_SELECT, FIELD_SQL, fromFor, SORT_SQL } from '../customer-field-sql';
import type { Scope } from '../scope';
import { allCached, exists, first, query, type SqlParam } from '../sql';
import {
  buildColumns,
  countRows,
  freshColumns,
  installColumns,
  columnStamp,
  matchRows,
  onColumnsReplaced,
  releaseMask,
  takeMask,
  pageIds,
  sqlPart,
  statsRows,
  type ColumnData,
} from '../customer-columns';
import { compileGroup, inList, type Param } from './customer-query';
import { summaryStats, summaryWhere } from './customer-summary-counts';
import { classifySearch, searchPredicate } from './customers';
import { drillPredicate } from '../reporting/drill';

/** A grid row as the store gives it: the catalogue's fields by wire name, money in fen, identifiers masked. */
export type GridDbRow = { id: number } & Record<CustomerField, string | number | null>;

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
 * The SQL path: WHERE clause and parameters for scope + any filter. `today` is the clock's date (YYYY-MM-DD); `userId`
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
const sortFrom = (sort: GridSort): string => fromFor(sort.map((s) => SORT_SQL[s.col]));

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
 * A branch scope that covers every branch of the store (a one-branch workstation, its president)
 * filters nothing: drop the predicate so SQLite can walk one index for sorts and counts instead of
 * testing every row's branch. Customers' branch_id is a foreign key, so this is exact.
 */
function effective(db: Database, scope: Scope): Scope {
  if (scope.kind !== 'branch' || !scope.branchIds) return scope;
  const outside = exists(
    db,
    `SELECT 1 FROM branches WHERE id NOT IN (${inList(scope.branchIds.length)}) LIMIT 1`,
    ...scope.branchIds,
  );
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

/**
 * One column of SQL built at run time as plain values (better-sqlite3's pluck): id lists here can
 * be a million long, where a row object per id would cost time and memory. Typed once here.
 */
function column<R>(db: Database, sql: string, ...params: readonly SqlParam[]): R[] {
  return db
    .prepare<SqlParam[], R>(sql)
    .pluck()
    .all(...params);
}

const GRANTED = query<[staffId: number, today: string], { customer_id: number }>(
  'SELECT customer_id FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?)',
);
const STAFF_NAME = query<[id: bigint], { name: string }>('SELECT name FROM staff WHERE id = ?');
const staffName = (db: Database, id: bigint): string | null =>
  id === 0n ? null : (STAFF_NAME.get(db, id)?.name ?? null);

/** Per tier x manager group of the SQL path's quick stats; sums read as BigInt (see gridStats). */
interface StatsGroup {
  tier: string;
  mid: bigint;
  n: bigint;
  aum: bigint;
  dep: bigint;
  wlt: bigint;
  lon: bigint;
}
const matches = new WeakMap<ColumnData, Map<string, Uint8Array>>();
// A replaced build's kept views are of a book no longer shown: their masks go to its spares, and from
// there (at most two) to the build that replaced it when that one has as many rows.
onColumnsReplaced((prev) => {
  const kept = matches.get(prev);
  if (!kept) return;
  matches.delete(prev);
  for (const m of kept.values()) releaseMask(prev, m);
});

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
    const ids = GRANTED.all(db, scope.staffId!, scope.today ?? today).map((g) => g.customer_id);
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
        const rows = toRows(column<number>(db, s.sql, ...s.params));
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
      sqlRows = toRows(column<number>(db, `SELECT c.id FROM customers c WHERE ${where}`, ...params));
      if (!sqlRows) return null;
    }
  }
  // A kept view's mask is written over the least recent one's (issue 18.1: no new n bytes per view).
  let into: Uint8Array | undefined;
  if (!volatile && cache.size >= 4) {
    const oldest = cache.keys().next().value!;
    const dropped = cache.get(oldest)!;
    cache.delete(oldest);
    releaseMask(d, dropped);
    into = takeMask(d);
  }
  const match = matchRows(d, scope, f, today, { grantRows, sqlRows }, into);
  if (!volatile) cache.set(key, match);
  return { d, match };
}

function mask(r: GridDbRow): GridDbRow {
  for (const k of MASKED) r[k] = MASK[CUSTOMER_FIELDS[k].mask](r[k] as string | null);
  return r;
}

/** A page's rows by primary key, in the page's order. */
function fetchByIds(db: Database, page: number[]): GridDbRow[] {
  if (page.length === 0) return [];
  const rows = allCached<GridDbRow>(
    db,
    `SELECT ${FIELD_SELECT} ${FIELD_FROM} WHERE c.id IN (${inList(page.length)})`,
    ...page,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A row deleted since the snapshot is simply skipped; the next data_version drops the snapshot.
  return page.flatMap((id) => {
    const r = byId.get(id);
    return r ? [mask(r)] : [];
  });
}

/** A page of the grid: scope, filter and sort, rows `offset` to `offset + limit`, identifiers masked. */
export function gridRows(
  db: Database,
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
  if (fromColumns) return fetchByIds(db, fromColumns);
  const { where, params } = compileFilter(scope, filter, today, userId);
  const order = orderBy(sort);
  // Favourites and lists change through this very connection (no data_version bump): never cached.
  if (offset < SNAPSHOT_FROM_OFFSET || filter.favorites || filter.listId !== undefined) {
    // Ids first, from customers alone (joining branches and staff here lets SQLite start from the
    // branch table and test every customer of it), then the page's rows by primary key.
    return fetchByIds(
      db,
      column<number>(
        db,
        `SELECT c.id ${sortFrom(sort)} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
        ...params,
        limit,
        offset,
      ),
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
    return Int32Array.from(
      column<number>(db, `SELECT c.id ${sortFrom(sort)} WHERE ${where} ORDER BY ${snapOrder}`, ...params),
    );
  });
  return fetchByIds(db, Array.from(ids.subarray(offset, offset + limit)));
}

/** How many customers scope + filter match: from the summaries, the in-memory columns or SQL. */
export function gridCount(db: Database, scope: Scope, filter: GridFilter, today: string, userId = 0): number {
  const fast = summaryWhere(db, scope, filter);
  if (fast) {
    // Read as BigInt: the sum of the summary's counts is exact whatever its size.
    const row = db
      .prepare<SqlParam[], { n: bigint }>(
        `SELECT COALESCE(SUM(s.customers), 0) AS n FROM summary_customers s WHERE ${fast.where}`,
      )
      .safeIntegers(true)
      .get(...fast.params);
    return Number(row?.n ?? 0n);
  }
  const eff = effective(db, scope);
  const col = columnarMatch(db, eff, filter, today, userId);
  if (col) return countRows(col.match);
  const { where, params } = compileFilter(eff, filter, today, userId);
  return first<{ n: number }>(db, `SELECT COUNT(*) AS n FROM customers c WHERE ${where}`, ...params)?.n ?? 0;
}

/** Quick stats: count and sums, by tier and by manager (sums as BigInt: a million balances can pass 2^53 fen). */
export function gridStats(db: Database, scope: Scope, filter: GridFilter, today: string, userId = 0) {
  const fast = summaryWhere(db, scope, filter);
  if (fast) return summaryStats(db, fast);
  const eff = effective(db, scope);
  const col = columnarMatch(db, eff, filter, today, userId);
  if (col) {
    const s = statsRows(col.d, col.match);
    return {
      total: s.total,
      byTier: s.byTier,
      byManager: s.byManager.map((m) => ({ ...m, mname: staffName(db, m.mid) })),
    };
  }
  const { where, params } = compileFilter(eff, filter, today, userId);
  // One pass over the filtered customers, grouped by tier x manager; the three views are folded
  // from those few groups. Sums are BigInt: a million balances can exceed 2^53 fen.
  const groups = db
    .prepare<SqlParam[], StatsGroup>(
      `SELECT COALESCE(c.tier, 'none') AS tier, COALESCE(c.manager_staff_id, 0) AS mid, COUNT(*) AS n,
              SUM(c.aum_fen) AS aum, SUM(c.deposit_fen) AS dep, SUM(c.wealth_fen) AS wlt, SUM(c.loan_fen) AS lon
       FROM customers c WHERE ${where} GROUP BY 1, 2`,
    )
    .safeIntegers(true)
    .all(...params);
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
  for (const m of managers.values()) m.mname = staffName(db, m.mid);
  const byTier = [...tiers.values()].sort((a, b) => (a.tier < b.tier ? -1 : a.tier > b.tier ? 1 : 0));
  const byManager = [...managers.values()].sort((a, b) => (b.aum > a.aum ? 1 : b.aum < a.aum ? -1 : 0));
  return { total, byTier, byManager };
}

/**
 * The grid's exact query (scope, filter, sort) selecting `columns` in order, for an export worker:
 * only those columns, and only the joins they and the sort read.
 */
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
  const order = orderBy(effectiveSort(sort, filter));
  return {
    sql: `SELECT ${cols.join(', ')} ${fromFor([...cols, order])} WHERE ${where} ORDER BY ${order}`,
    countSql: `SELECT COUNT(*) AS n FROM customers c WHERE ${where}`,
    params,
  };
}
