/**
 * The customer book as columns in memory, for the grid's counts, quick stats and pages.
 *
 * A million customers' filter fields fit in ~60 MB of typed arrays; testing a chip filter over all of
 * them in JavaScript takes a few milliseconds, where SQLite needs a full pass over the wide customer
 * rows (hundreds of milliseconds) for anything the maintained summaries cannot answer. Sorted orders
 * of every sortable column are kept as permutations computed by SQLite itself (so ties, NULLs and
 * BINARY collation are exactly SQL's), and a page at any depth is a walk along one permutation.
 *
 * The columns are built off the main thread (main/grid/columns.ts runs buildColumns in a worker) and
 * are used only while fresh: the connection's PRAGMA data_version (another connection committed, e.g.
 * an import) and the customers generation (this connection changed customers: re-tiering, a revert;
 * db/summaries.ts bumps it) must both match the build's. Anything else takes the SQL path, which stays
 * the reference: tests run every filter through both and compare.
 *
 * Filter parts the columns hold (tiers, managers, branches, kinds, statuses, money bounds, birthday
 * month, inactivity: COLUMN_KEYS) are evaluated here; the others (search, products, maturities,
 * favourites, lists, advanced queries, drill-downs) come from SQL as id sets, driven by their own
 * indexes. Why a third path beside SQL and the summaries (db/repos/customer-grid.ts says which answers
 * when): the summaries cover only tier, manager and branch, and SQL needs a full pass for the chip
 * filters and deep sorted pages; the columns answer those in milliseconds, at the price of a build of
 * a few seconds after each change (and of memory, so small books skip them).
 */
import type { Database } from 'better-sqlite3';
import type { GridFilter, GridSort, SortColumn } from '../shared/api/grid';
import { CUSTOMER_KINDS, CUSTOMER_STATUSES } from '../shared/customer-fields';
import { addDays } from '../shared/dates';
import { yuanToFen } from '../shared/money';
import { TIERS } from '../shared/tiers';
import { readColumnsState } from './customer-columns-cache';
import type { Scope } from './scope';

/** Codes as small integers, index 0 for none (the catalogue's lists, shared/customer-fields.ts). */
export const TIER_CODES = ['none', ...TIERS] as const;
export const KIND_CODES = ['', ...CUSTOMER_KINDS] as const;
export const STATUS_CODES = ['', ...CUSTOMER_STATUSES] as const;

/** Exact integer fen split as hi * 2^32 + lo, so sums over a million rows stay exact in doubles. */
export interface MoneyColumn {
  hi: Int32Array;
  lo: Uint32Array;
}

export interface ColumnData {
  n: number;
  /** Customer ids in ascending order; row r is customer ids[r]. */
  ids: Int32Array;
  /** id -> row, -1 when absent. */
  rowOf: Int32Array;
  branch: Int32Array;
  /** Manager of record's staff id, 0 when none. */
  manager: Int32Array;
  /** The same as a dense index into `managers` (for grouping without a hash lookup per row). */
  managerIdx: Int32Array;
  /** Distinct manager staff ids (0 = none), indexed by managerIdx. */
  managers: Int32Array;
  tier: Uint8Array;
  kind: Uint8Array;
  status: Uint8Array;
  aum: MoneyColumn;
  deposits: MoneyColumn;
  wealth: MoneyColumn;
  loans: MoneyColumn;
  /** YYYYMMDD of last_txn_on, 0 when NULL. */
  lastTxn: Int32Array;
  /** Month of birth_date (1-12), 0 when unknown. */
  birthMonth: Uint8Array;
  /**
   * YYYYMMDD of birth_date, 0 when NULL, -1 when the text is not a well-formed date: for well-formed
   * dates the number orders as SQL orders the text, so the birth-date order can be updated in memory
   * (db/customer-columns-delta.ts); a -1 anywhere leaves that order to SQL.
   */
  birthDay: Int32Array;
  /** Rows in ascending (column, id) order, per sortable column. */
  perms: Partial<Record<SortColumn, Int32Array>>;
  /**
   * Tier-change history (customer_tier_changes) by row: changes of row r are changeStart[r] ..
   * changeStart[r + 1] - 1, in (changed_at, id) order; day as YYYYMMDD of changed_at's date; tiers as
   * TIER_CODES indexes. The tier migration report reads it instead of grouping the log.
   */
  changeStart: Int32Array;
  changeDay: Int32Array;
  changeFrom: Uint8Array;
  changeTo: Uint8Array;
}

export interface ColumnStamp {
  dataVersion: number;
  generation: number;
  /**
   * The book's token (db/customer-columns-cache.ts) when the columns were read from a clean state of
   * it, else null. While the store still shows that token, clean, the book is the one they were read
   * from, whatever else other connections committed (follow-up runs, audit, sync): they stay fresh.
   */
  token?: string | null;
}

const TWO32 = 4294967296;

/** SQL order expressions per sortable column (db/customer-field-sql.ts SORT_SQL). */
export type SortSql = Record<SortColumn, string>;

/** Columns for n rows and ids up to maxId, every value zero (rowOf -1), no orders or tier changes yet. */
export function emptyColumns(n: number, maxId: number): ColumnData {
  const money = (): MoneyColumn => ({ hi: new Int32Array(n), lo: new Uint32Array(n) });
  return {
    n,
    ids: new Int32Array(n),
    rowOf: new Int32Array(maxId + 1).fill(-1),
    branch: new Int32Array(n),
    manager: new Int32Array(n),
    managerIdx: new Int32Array(n),
    managers: new Int32Array(0),
    tier: new Uint8Array(n),
    kind: new Uint8Array(n),
    status: new Uint8Array(n),
    aum: money(),
    deposits: money(),
    wealth: money(),
    loans: money(),
    lastTxn: new Int32Array(n),
    birthMonth: new Uint8Array(n),
    birthDay: new Int32Array(n),
    perms: {},
    changeStart: new Int32Array(n + 1),
    changeDay: new Int32Array(0),
    changeFrom: new Uint8Array(0),
    changeTo: new Uint8Array(0),
  };
}

/**
 * Reads the whole book into columns in one read transaction. Runs in a worker thread on its own
 * connection. Throws UnsafeColumns when a value cannot be held exactly (the SQL path then serves).
 */
export function buildColumns(db: Database, sortSql: SortSql, atSnapshot?: (db: Database) => void): ColumnData {
  db.exec('BEGIN');
  try {
    // First read of the transaction: whatever it reads (the cache identity) is of the build's snapshot.
    atSnapshot?.(db);
    const { n, maxId } = db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS maxId FROM customers').get() as {
      n: number;
      maxId: number;
    };
    if (maxId > 0x7fffffff) throw new Error('customer ids beyond 2^31');
    const d = emptyColumns(n, maxId);
    const stmt = db.prepare(`SELECT ${CUSTOMER_ROW_SQL} FROM customers ORDER BY id`);
    let r = 0;
    for (const row of stmt.raw().iterate() as IterableIterator<CustomerRow>) {
      if (r >= n) throw new Error('customers changed during the build');
      d.ids[r] = row[0];
      d.rowOf[row[0]] = r;
      fillRow(d, r, row);
      r++;
    }
    if (r !== n) throw new Error('customers changed during the build');
    denseManagers(d);
    readTierChanges(db, d, code);
    for (const [col, expr] of Object.entries(sortSql) as [SortColumn, string][]) d.perms[col] = sqlOrder(db, d, expr);
    return d;
  } finally {
    db.exec('COMMIT');
  }
}

/** The customers columns a build reads per row, in CustomerRow order. */
export const CUSTOMER_ROW_SQL =
  "id, branch_id, COALESCE(manager_staff_id, 0), COALESCE(tier, 'none'), kind, status, aum_fen, deposit_fen, wealth_fen, loan_fen, last_txn_on, birth_date";
export type CustomerRow = [
  number,
  number,
  number,
  string,
  string,
  string,
  number,
  number,
  number,
  number,
  string | null,
  string | null,
];

export const code = (list: readonly string[], v: string | null): number => {
  const i = list.indexOf(v ?? '');
  if (i < 0) throw new Error(`unexpected value ${v}`);
  return i;
};

function setMoney(col: MoneyColumn, r: number, v: number): void {
  if (!Number.isSafeInteger(v) || Math.abs(v) >= 2 ** 52) throw new Error('amount beyond exact range');
  const hi = Math.floor(v / TWO32);
  col.hi[r] = hi;
  col.lo[r] = v - hi * TWO32;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Row r's values from its customers row (all but ids, rowOf and managerIdx). Throws on a value it cannot hold exactly. */
export function fillRow(d: ColumnData, r: number, row: CustomerRow): void {
  const [, branch, manager, tier, kind, status, aum, dep, wlt, lon, last, birth] = row;
  d.branch[r] = branch;
  d.manager[r] = manager;
  d.tier[r] = code(TIER_CODES, tier);
  d.kind[r] = code(KIND_CODES, kind);
  d.status[r] = code(STATUS_CODES, status);
  setMoney(d.aum, r, aum);
  setMoney(d.deposits, r, dep);
  setMoney(d.wealth, r, wlt);
  setMoney(d.loans, r, lon);
  // The SQL compares the text: only a well-formed date can be compared as a number instead (and 0
  // stands for NULL, so a zero date is refused rather than ordered as one).
  if (last === null) d.lastTxn[r] = 0;
  else if (ISO_DAY.test(last) && ymd(last) > 0) d.lastTxn[r] = ymd(last);
  else throw new Error(`unexpected last_txn_on ${last}`);
  const m = birth === null ? '' : birth.slice(5, 7);
  d.birthMonth[r] = /^\d\d$/.test(m) && Number(m) >= 1 && Number(m) <= 12 ? Number(m) : 0;
  d.birthDay[r] = birth === null ? 0 : ISO_DAY.test(birth) && ymd(birth) > 0 ? ymd(birth) : -1;
}

/** managerIdx and managers from the manager column: dense indexes in order of first appearance by row. */
export function denseManagers(d: ColumnData): void {
  let max = 0;
  for (let r = 0; r < d.n; r++) if (d.manager[r]! > max) max = d.manager[r]!;
  const order: number[] = [];
  if (max <= 4 * d.n + 100_000) {
    // Staff ids are small: a table instead of a hash look-up per row (a million rows ~10x faster).
    const dense = new Int32Array(max + 1).fill(-1);
    for (let r = 0; r < d.n; r++) {
      const manager = d.manager[r]!;
      let k = manager >= 0 ? dense[manager]! : -1;
      if (k < 0) {
        k = order.length;
        order.push(manager);
        if (manager >= 0) dense[manager] = k;
      }
      d.managerIdx[r] = k;
    }
  } else {
    const dense = new Map<number, number>();
    for (let r = 0; r < d.n; r++) {
      const manager = d.manager[r]!;
      let k = dense.get(manager);
      if (k === undefined) {
        k = order.length;
        order.push(manager);
        dense.set(manager, k);
      }
      d.managerIdx[r] = k;
    }
  }
  d.managers = Int32Array.from(order);
}

/** Rows in ascending (expr, id) order, as SQLite orders them (the build's way for every sortable column). */
export function sqlOrder(db: Database, d: ColumnData, expr: string): Int32Array {
  // Only the join the expression reads (the grid's aliases: b branch, m manager of record).
  let from = 'customers c';
  if (/\bb\./.test(expr)) from += ' JOIN branches b ON b.id = c.branch_id';
  if (/\bm\./.test(expr)) from += ' LEFT JOIN staff m ON m.id = c.manager_staff_id';
  const perm = new Int32Array(d.n);
  let i = 0;
  for (const id of db
    .prepare(`SELECT c.id FROM ${from} ORDER BY ${expr} ASC, c.id ASC`)
    .pluck()
    .iterate() as IterableIterator<number>) {
    if (i >= d.n) throw new Error('sort order grew during the build');
    perm[i++] = d.rowOf[id]!;
  }
  if (i !== d.n) throw new Error('sort order incomplete');
  return perm;
}

/** The tier-change log into the build's CSR arrays (customer order, then changed_at, id: the log's index order). */
function readTierChanges(
  db: Database,
  d: ColumnData,
  code: (list: readonly string[], v: string | null) => number,
): void {
  const m = (db.prepare('SELECT COUNT(*) AS n FROM customer_tier_changes').get() as { n: number }).n;
  d.changeDay = new Int32Array(m);
  d.changeFrom = new Uint8Array(m);
  d.changeTo = new Uint8Array(m);
  const counts = new Int32Array(d.n + 1);
  let i = 0;
  let prevRow = -1;
  for (const [cid, at, from, to] of db
    .prepare(
      'SELECT customer_id, changed_at, from_tier, to_tier FROM customer_tier_changes INDEXED BY customer_tier_changes_customer ORDER BY customer_id, changed_at, id',
    )
    .raw()
    .iterate() as IterableIterator<[number, string, string | null, string | null]>) {
    if (i >= m) throw new Error('tier changes grew during the build');
    const r = cid < d.rowOf.length ? d.rowOf[cid]! : -1;
    if (r < 0 || r < prevRow) throw new Error('tier change of an unknown customer');
    prevRow = r;
    counts[r + 1]!++;
    d.changeDay[i] = ymd(at);
    d.changeFrom[i] = code(TIER_CODES, from || 'none');
    d.changeTo[i] = code(TIER_CODES, to || 'none');
    i++;
  }
  if (i !== m) throw new Error('tier changes shrank during the build');
  for (let r = 0; r < d.n; r++) counts[r + 1]! += counts[r]!;
  d.changeStart = counts;
}

/**
 * Tier migration over the columns: for the rows `keep` passes with at least one change dated in
 * [lo, hi) (YYYYMMDD), the tier before the first and after the last; counts by (from, to) codes.
 */
export function migrationCells(
  d: ColumnData,
  keep: (r: number) => boolean,
  lo: number,
  hi: number,
): Map<string, number> {
  const out = new Map<string, number>();
  const { changeStart: start, changeDay: day, changeFrom: from, changeTo: to } = d;
  for (let r = 0; r < d.n; r++) {
    const a = start[r]!;
    const b = start[r + 1]!;
    if (a === b) continue;
    let first = -1;
    let last = -1;
    for (let k = a; k < b; k++) {
      const x = day[k]!;
      if (x < lo || x >= hi) continue;
      if (first < 0) first = k;
      last = k;
    }
    if (first < 0 || !keep(r)) continue;
    const key = `${TIER_CODES[from[first]!]}>${TIER_CODES[to[last]!]}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** Every typed array of a build, for transferring it out of the worker without a copy. */
export function transferList(d: ColumnData): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [
    d.ids,
    d.rowOf,
    d.branch,
    d.manager,
    d.managerIdx,
    d.managers,
    d.tier,
    d.kind,
    d.status,
    d.lastTxn,
    d.birthMonth,
    d.birthDay,
    d.changeStart,
    d.changeDay,
    d.changeFrom,
    d.changeTo,
  ];
  for (const m of [d.aum, d.deposits, d.wealth, d.loans]) arrays.push(m.hi, m.lo);
  arrays.push(...Object.values(d.perms));
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

const COLUMN_KEYS = new Set([
  'tiers',
  'managerIds',
  'branchIds',
  'kinds',
  'statuses',
  'aumMin',
  'aumMax',
  'depositsMin',
  'loansMin',
  'birthdayThisMonth',
  'inactiveDays',
]);

/** The parts of a filter the columns cannot answer: SQL gives their matching ids. */
export function sqlPart(f: GridFilter): GridFilter | null {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || COLUMN_KEYS.has(k)) continue;
    out[k] = v;
    any = true;
  }
  return any ? (out as GridFilter) : null;
}

/** YYYYMMDD of an ISO date or timestamp, as a number. */
export const ymd = (iso: string) => Number(iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10));

/**
 * Which rows pass scope + filter. `scopeRows`/`sqlRows` are the id sets SQL supplied (grants of a
 * manager; the filter's SQL part), already mapped to rows; null when not applicable.
 */
export function matchRows(
  d: ColumnData,
  scope: Scope,
  f: GridFilter,
  today: string,
  extra: { grantRows: Int32Array | null; sqlRows: Int32Array | null },
  /** Where to write the mask (n bytes, all zero): a mask given back by releaseMask (takeMask). */
  into?: Uint8Array,
): Uint8Array {
  const n = d.n;
  if (into && into.length !== n) throw new Error('mask of another size');
  const out = into ?? new Uint8Array(n);
  // Start from the scope.
  if (scope.kind === 'none') return out;
  if (scope.kind === 'manager') {
    const staff = scope.staffId!;
    for (let r = 0; r < n; r++) if (d.manager[r] === staff) out[r] = 1;
    if (extra.grantRows) for (const r of extra.grantRows) out[r] = 1;
  } else if (scope.sql === '1' || !scope.branchIds) {
    out.fill(1);
  } else {
    const allowed = new Set(scope.branchIds);
    for (let r = 0; r < n; r++) if (allowed.has(d.branch[r]!)) out[r] = 1;
  }
  if (extra.sqlRows) {
    const keep = new Uint8Array(n);
    for (const r of extra.sqlRows) keep[r] = 1;
    for (let r = 0; r < n; r++) out[r]! &= keep[r]!;
  }
  // Column at a time: one tight loop per condition (a closure per row and condition costs several
  // times more on a million rows); the loops below without a test of `out[r]` go over every row.
  const keep = (test: (r: number) => boolean) => {
    for (let r = 0; r < n; r++) if (out[r] && !test(r)) out[r] = 0;
  };
  // Conditions on a column of codes clear the rows whose code is not in the set, without a branch on
  // the data (as in orderedRows: the rows' values come in no predictable order).
  const inCodes = (col: Uint8Array, codes: number[]) => {
    const set = new Uint8Array(256);
    for (const c of codes) if (c >= 0) set[c] = 1;
    for (let r = 0; r < n; r++) out[r]! &= set[col[r]!]!;
  };
  if (f.tiers?.length)
    inCodes(
      d.tier,
      f.tiers.map((t) => TIER_CODES.indexOf(t)),
    );
  if (f.managerIds?.length) {
    const set = new Set(f.managerIds);
    const col = d.manager;
    for (let r = 0; r < n; r++) if (out[r] && !set.has(col[r]!)) out[r] = 0;
  }
  if (f.branchIds?.length) {
    const set = new Set(f.branchIds);
    const col = d.branch;
    for (let r = 0; r < n; r++) if (out[r] && !set.has(col[r]!)) out[r] = 0;
  }
  if (f.kinds?.length)
    inCodes(
      d.kind,
      f.kinds.map((k) => KIND_CODES.indexOf(k)),
    );
  if (f.statuses?.length)
    inCodes(
      d.status,
      f.statuses.map((s) => STATUS_CODES.indexOf(s)),
    );
  const fen = (s: string) => Number(yuanToFen(s));
  const money = (c: MoneyColumn, min: number, max: number) => {
    const { hi, lo } = c;
    for (let r = 0; r < n; r++) {
      const v = hi[r]! * TWO32 + lo[r]!;
      out[r]! &= +(v >= min) & +(v <= max);
    }
  };
  if (f.aumMin !== undefined || f.aumMax !== undefined)
    money(d.aum, f.aumMin !== undefined ? fen(f.aumMin) : -Infinity, f.aumMax !== undefined ? fen(f.aumMax) : Infinity);
  if (f.depositsMin !== undefined) money(d.deposits, fen(f.depositsMin), Infinity);
  if (f.loansMin !== undefined) money(d.loans, fen(f.loansMin), Infinity);
  if (f.birthdayThisMonth) {
    const m = Number(today.slice(5, 7));
    keep((r) => d.kind[r] === 1 && d.birthMonth[r] === m);
  }
  if (f.inactiveDays !== undefined) {
    const cut = ymd(addDays(today, -f.inactiveDays));
    const col = d.lastTxn;
    for (let r = 0; r < n; r++) out[r]! &= +(col[r] === 0) | +(col[r]! <= cut);
  }
  return out;
}

export function countRows(match: Uint8Array): number {
  let c = 0;
  for (let r = 0; r < match.length; r++) c += match[r]!;
  return c;
}

const ordered = new WeakMap<Uint8Array, Map<SortColumn, Int32Array>>();

/*
 * Spare buffers of a build (issue 18.1, the first seconds): every new view needs a mask of n bytes and
 * a deep page an ordered row list of up to 4n; allocated afresh, each is memory outside the JavaScript
 * heap that only a full garbage collection of the window's thread gives back, and a few views a
 * second (a million customers: ~5 MB each) brought one every second or so, each pausing every request
 * for tens of milliseconds. The grid's view cache gives back the masks it drops (releaseMask), and
 * the ordered lists dropped with them or by their own cache go back too; the next view takes them.
 */
interface Spares {
  masks: Uint8Array[];
  /** Full-size (n) row lists; an ordered list is a prefix view of one. */
  rows: Int32Array[];
  /** The buffers of row lists taken from here (only those go back: never a build's own permutation). */
  pooled: WeakSet<ArrayBufferLike>;
}
const spares = new WeakMap<ColumnData, Spares>();
const MAX_SPARE_MASKS = 2;
const MAX_SPARE_ROWS = 3;

function sparesOf(d: ColumnData): Spares {
  let s = spares.get(d);
  if (!s) {
    s = { masks: [], rows: [], pooled: new WeakSet() };
    spares.set(d, s);
  }
  return s;
}

/** An all-zero mask of the build's size: a spare one when there is one, else a new one. */
export function takeMask(d: ColumnData): Uint8Array {
  const m = spares.get(d)?.masks.pop();
  if (!m) return new Uint8Array(d.n);
  m.fill(0);
  return m;
}

/**
 * Gives back a mask the caller will never use again (nor anything derived from it: its ordered row
 * lists go back with it), for the next view of the same build.
 */
export function releaseMask(d: ColumnData, mask: Uint8Array): void {
  if (mask.length !== d.n) return;
  const s = sparesOf(d);
  const byCol = ordered.get(mask);
  ordered.delete(mask);
  if (byCol) for (const rows of byCol.values()) releaseRows(s, rows);
  if (s.masks.length < MAX_SPARE_MASKS && !s.masks.includes(mask)) s.masks.push(mask);
}

function releaseRows(s: Spares, rows: Int32Array): void {
  if (!s.pooled.has(rows.buffer) || s.rows.length >= MAX_SPARE_ROWS) return;
  const full = new Int32Array(rows.buffer);
  if (!s.rows.some((r) => r.buffer === full.buffer)) s.rows.push(full);
}

/** A row list of `count` rows (a prefix of a full-size spare). */
function takeRows(d: ColumnData, count: number): Int32Array {
  const s = sparesOf(d);
  const full = s.rows.pop() ?? new Int32Array(d.n);
  s.pooled.add(full.buffer);
  return full.subarray(0, count);
}
/** Pages starting before this row are found by a partial walk of the order while no full one is kept. */
let FIRST_PAGES = 2000;
/** Tests: pages from `row` on take the full ordered set (both ways must give the same pages). */
export function setPartialWalkLimit(row: number): void {
  FIRST_PAGES = row;
}

/**
 * The matching rows in ascending (column, id) order, kept per mask and column: the first page of a
 * view walks the permutation once, every later page (scrolling) is a slice.
 */
function orderedRows(d: ColumnData, match: Uint8Array, col: SortColumn, perm: Int32Array): Int32Array {
  let byCol = ordered.get(match);
  if (!byCol) {
    byCol = new Map();
    ordered.set(match, byCol);
  }
  const hit = byCol.get(col);
  if (hit) return hit;
  const n = countRows(match);
  let rows: Int32Array;
  if (n === d.n) rows = perm;
  else {
    // Every row is written and the cursor moves on only past a match: no branch on the mask, which
    // in sort order is as good as random (measured on a million rows: 2.2 ms against 6-7 ms with an
    // `if` when a third or more match). The last writes land past the matches, inside the full list.
    const full = takeRows(d, d.n);
    let k = 0;
    for (let i = 0; i < perm.length; i++) {
      const r = perm[i]!;
      full[k] = r;
      k += match[r]!;
    }
    rows = full.subarray(0, n);
  }
  byCol.set(col, rows);
  while (byCol.size > 3) {
    const oldest = byCol.keys().next().value!;
    const dropped = byCol.get(oldest)!;
    byCol.delete(oldest);
    releaseRows(sparesOf(d), dropped);
  }
  return rows;
}

/**
 * The page's customer ids, or null when the sort is not one the columns hold (several keys): the
 * SQL path then answers. Same total order as orderBy(): the key, then the id in the key's direction.
 */
export function pageIds(
  d: ColumnData,
  match: Uint8Array,
  sort: GridSort,
  offset: number,
  limit: number,
): number[] | null {
  if (sort.length > 1) return null;
  const key = sort[0] ?? { col: 'aum' as const, dir: 'desc' as const };
  const perm = d.perms[key.col];
  if (!perm) return null;
  const desc = key.dir !== 'asc';
  const out: number[] = [];
  const cached = ordered.get(match)?.get(key.col);
  if (!cached && offset < FIRST_PAGES) {
    // The first pages of a new view: walk the order from its start only until the page is full,
    // rather than collecting every match (a dense filter fills a page within a few hundred rows).
    let skip = offset;
    const N = perm.length;
    for (let i = 0; i < N && out.length < limit; i++) {
      const r = perm[desc ? N - 1 - i : i]!;
      if (!match[r]) continue;
      if (skip > 0) skip--;
      else out.push(d.ids[r]!);
    }
    return out;
  }
  const rows = cached ?? orderedRows(d, match, key.col, perm);
  const m = rows.length;
  for (let i = offset; i < m && out.length < limit; i++) out.push(d.ids[rows[desc ? m - 1 - i : i]!]!);
  return out;
}

export interface ColumnStats {
  total: { n: bigint; aum: bigint; dep: bigint; wlt: bigint; lon: bigint };
  byTier: { tier: string; n: bigint; aum: bigint }[];
  byManager: { mid: bigint; n: bigint; aum: bigint }[];
}

/** Count and sums of the matching rows, by tier and by manager; exact (hi/lo halves summed apart). */
/**
 * Per build, for quick stats (issue 18.1: a million rows' stats took 90-140 ms on a busy 2-core box,
 * against the 100 ms target): each row's tier x manager group, and the rows whose amounts have a high
 * half anywhere (2^32 fen, ~43M yuan, or more, or below zero: a few in a book), so the pass over the
 * matching rows reads five columns instead of ten. Made once, at the build's first stats.
 */
const statsIndexes = new WeakMap<ColumnData, { group: Int32Array; high: Int32Array }>();

/** `into`: a group column of the same size to write over (a replaced build's). */
function statsIndex(d: ColumnData, into?: Int32Array): { group: Int32Array; high: Int32Array } {
  const have = statsIndexes.get(d);
  if (have) return have;
  const M = d.managers.length;
  const { tier, managerIdx } = d;
  const group = into?.length === d.n ? into : new Int32Array(d.n);
  const high: number[] = [];
  const a = d.aum.hi;
  const b = d.deposits.hi;
  const c = d.wealth.hi;
  const e = d.loans.hi;
  for (let r = 0; r < d.n; r++) {
    group[r] = tier[r]! * M + managerIdx[r]!;
    if (a[r] !== 0 || b[r] !== 0 || c[r] !== 0 || e[r] !== 0) high.push(r);
  }
  const made = { group, high: Int32Array.from(high) };
  statsIndexes.set(d, made);
  return made;
}

export function statsRows(d: ColumnData, match: Uint8Array): ColumnStats {
  // Groups are tier x manager (dense index), folded into the three views at the end.
  const T = TIER_CODES.length;
  const M = d.managers.length;
  const G = T * M;
  const count = new Float64Array(G);
  const sums = {
    aum: [new Float64Array(G), new Float64Array(G)],
    dep: [new Float64Array(G), new Float64Array(G)],
    wlt: [new Float64Array(G), new Float64Array(G)],
    lon: [new Float64Array(G), new Float64Array(G)],
  };
  const [aumHi, aumLo] = sums.aum as [Float64Array, Float64Array];
  const [depHi, depLo] = sums.dep as [Float64Array, Float64Array];
  const [wltHi, wltLo] = sums.wlt as [Float64Array, Float64Array];
  const [lonHi, lonLo] = sums.lon as [Float64Array, Float64Array];
  const { group, high } = statsIndex(d);
  const aum = d.aum.lo;
  const dep = d.deposits.lo;
  const wlt = d.wealth.lo;
  const lon = d.loans.lo;
  // The low halves of every matching row; the high halves only where a row has one (a few rows).
  for (let r = 0; r < d.n; r++) {
    if (!match[r]) continue;
    const g = group[r]!;
    count[g]!++;
    aumLo[g]! += aum[r]!;
    depLo[g]! += dep[r]!;
    wltLo[g]! += wlt[r]!;
    lonLo[g]! += lon[r]!;
  }
  for (let i = 0; i < high.length; i++) {
    const r = high[i]!;
    if (!match[r]) continue;
    const g = group[r]!;
    aumHi[g]! += d.aum.hi[r]!;
    depHi[g]! += d.deposits.hi[r]!;
    wltHi[g]! += d.wealth.hi[r]!;
    lonHi[g]! += d.loans.hi[r]!;
  }
  const big = (pair: Float64Array[], g: number) => BigInt(pair[0]![g]!) * BigInt(TWO32) + BigInt(pair[1]![g]!);
  const total = { n: 0n, aum: 0n, dep: 0n, wlt: 0n, lon: 0n };
  const tiers = new Map<string, { tier: string; n: bigint; aum: bigint }>();
  const byMgr = new Map<number, { mid: bigint; n: bigint; aum: bigint }>();
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < M; k++) {
      const g = t * M + k;
      if (!count[g]) continue;
      const n = BigInt(count[g]!);
      const aum = big(sums.aum, g);
      total.n += n;
      total.aum += aum;
      total.dep += big(sums.dep, g);
      total.wlt += big(sums.wlt, g);
      total.lon += big(sums.lon, g);
      const tierName = TIER_CODES[t]!;
      const te = tiers.get(tierName) ?? { tier: tierName, n: 0n, aum: 0n };
      te.n += n;
      te.aum += aum;
      tiers.set(tierName, te);
      const mid = d.managers[k]!;
      const me = byMgr.get(mid) ?? { mid: BigInt(mid), n: 0n, aum: 0n };
      me.n += n;
      me.aum += aum;
      byMgr.set(mid, me);
    }
  }
  const byTier = [...tiers.values()].sort((a, b) => (a.tier < b.tier ? -1 : a.tier > b.tier ? 1 : 0));
  const byManager = [...byMgr.values()].sort((a, b) =>
    b.aum > a.aum ? 1 : b.aum < a.aum ? -1 : a.mid < b.mid ? -1 : a.mid > b.mid ? 1 : 0,
  );
  return { total, byTier, byManager };
}

/**
 * Installed builds per connection. A build is used only while its stamp matches the connection's
 * current one; a stale or missing build asks the registered builder (main/grid/columns.ts) for a new
 * one and the caller takes the SQL path meanwhile.
 */
const installed = new WeakMap<Database, { data: ColumnData; stamp: ColumnStamp }>();
const builders = new WeakMap<Database, () => void>();
const generations = new WeakMap<Database, number>();

/**
 * Called by everything that changes customer rows through this connection (summaries' refresh,
 * re-tiering, reverts): other connections' commits are seen through PRAGMA data_version instead.
 */
export function noteCustomersChanged(db: Database): void {
  generations.set(db, (generations.get(db) ?? 0) + 1);
}

export function columnStamp(db: Database): ColumnStamp {
  return {
    dataVersion: Number(db.pragma('data_version', { simple: true })),
    generation: generations.get(db) ?? 0,
    token: null,
  };
}

/** Installs a build for the connection; true when it replaced another one. */
export function installColumns(db: Database, data: ColumnData, stamp: ColumnStamp): boolean {
  const prev = installed.get(db)?.data;
  installed.set(db, { data, stamp });
  const replaced = prev !== undefined && prev !== data;
  const reuse = replaced ? handOver(prev, data) : undefined;
  statsIndex(data, reuse); // here (start-up, a hand-over) rather than in the first quick stats' time
  return replaced;
}

/** Called with a build another one replaced on a connection (the grid gives back its views' masks). */
const replacedHooks = new Set<(prev: ColumnData) => void>();
export function onColumnsReplaced(hook: (prev: ColumnData) => void): void {
  replacedHooks.add(hook);
}

/**
 * A build replaced by one of the same size (an import's hand-over, a delta: issue 18.1, the first
 * second after them) passes on its spare masks and row lists, and its quick-stats group column to be
 * written over: the new build's first views then take no new memory outside the heap, whose growth
 * (each view ~5 MB at a million customers) is what set off full collections during the first requests.
 * Returns the group column to reuse, if any.
 */
function handOver(prev: ColumnData, next: ColumnData): Int32Array | undefined {
  for (const h of replacedHooks) h(prev);
  if (prev.n !== next.n) return undefined;
  const from = spares.get(prev);
  if (from) {
    const to = sparesOf(next);
    for (const m of from.masks) if (to.masks.length < MAX_SPARE_MASKS) to.masks.push(m);
    for (const r of from.rows) {
      if (to.rows.length >= MAX_SPARE_ROWS) break;
      to.rows.push(r);
      to.pooled.add(r.buffer);
    }
    spares.delete(prev);
  }
  const group = statsIndexes.get(prev)?.group;
  statsIndexes.delete(prev);
  return group;
}

export function dropColumns(db: Database): void {
  installed.delete(db);
}

export function onColumnsStale(db: Database, request: (() => void) | null): void {
  if (request) builders.set(db, request);
  else builders.delete(db);
}

/** The fresh build for this connection, or null (and a new build is requested). */
export function freshColumns(db: Database): ColumnData | null {
  const data = peekColumns(db);
  if (data) return data;
  builders.get(db)?.();
  return null;
}

/** The fresh build for this connection, or null; asks for nothing. */
export function peekColumns(db: Database): ColumnData | null {
  const have = installed.get(db);
  if (have) {
    const now = columnStamp(db);
    if (now.dataVersion === have.stamp.dataVersion && now.generation === have.stamp.generation) {
      if (!have.stamp.token) return have.data;
      // Columns of a named book: also a write through this connection that forgot noteCustomersChanged
      // (its own commits leave data_version as it was) is seen, by the flag the triggers set.
      const state = readColumnsState(db);
      if (state && !state.dirty && state.token === have.stamp.token) return have.data;
      return null;
    }
    // Another connection committed: still the same book if its token is unchanged and nothing marked it.
    const token = have.stamp.token;
    if (token && now.generation === have.stamp.generation) {
      const state = readColumnsState(db);
      if (state && !state.dirty && state.token === token) {
        have.stamp = { ...now, token };
        return have.data;
      }
    }
  }
  return null;
}
