/**
 * The grid's columns (db/customer-columns.ts) brought up to date from what an import changed, instead
 * of a full build (issue 18.1): a full build of a million customers takes seconds and SQL answers the
 * grid meanwhile, where the changed customers of a nightly load are a few percent of the book.
 *
 * Two halves:
 *  - capture (the import's connection, inside its transaction): temporary triggers on the tables the
 *    columns read call back into JavaScript with every customer id written, whoever writes it (the
 *    writer, the figures' refresh, anything added later), so the set is complete by construction.
 *    Before COMMIT the capture draws the book's next token (state clean) and writes the delta file
 *    naming the token it started from (db/customer-columns-cache.ts). Only when the book was clean at
 *    the start (the columns of that token can exist) and nothing it cannot follow was written (branch
 *    or staff names, which reorder customers that were not written).
 *  - apply (the columns worker, in one read transaction of the new state): the base build's rows are
 *    kept except the changed ones, which are read again; the sorted orders are merged (the changed rows
 *    placed by their key in memory where the columns hold it exactly, else by an index seek for their
 *    predecessor, else the order is read again from SQL); the tier-change log is spliced. The result is
 *    the full build's, array for array (test/integration/grid/columns-delta.test.ts checks that).
 */
import type { Database } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { SortColumn } from '../shared/api/grid';
import { TIERS } from '../shared/tiers';
import {
  CUSTOMER_ROW_SQL,
  type ColumnData,
  type CustomerRow,
  code,
  denseManagers,
  emptyColumns,
  fillRow,
  type SortSql,
  sqlOrder,
  STATUS_CODES,
  TIER_CODES,
  ymd,
} from './customer-columns';
import { rememberedStoreKey, type StoreKey } from './cipher';
import {
  type ColumnsState,
  columnsCachePath,
  readColumnsCache,
  readColumnsState,
  writeColumnsDelta,
} from './customer-columns-cache';
import { SORT_SQL } from './customer-field-sql';

/** Ids written during a capture: a bitmap grown as ids come, plus the ids in arrival order. */
class IdLog {
  private bits = new Uint32Array(1 << 12);
  private list = new Int32Array(1 << 12);
  size = 0;
  /** Something was written that no id list can describe (a branch or staff name). */
  all = false;

  add(id: unknown): void {
    if (typeof id !== 'number' && typeof id !== 'bigint') return; // a NULL customer id: no customer
    const v = Number(id);
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      this.all = true;
      return;
    }
    const w = v >>> 5;
    if (w >= this.bits.length) {
      const bigger = new Uint32Array(Math.max(w + 1, this.bits.length * 2));
      bigger.set(this.bits);
      this.bits = bigger;
    }
    const m = 1 << (v & 31);
    if ((this.bits[w]! & m) !== 0) return;
    this.bits[w]! |= m;
    if (this.size === this.list.length) {
      const bigger = new Int32Array(this.list.length * 2);
      bigger.set(this.list);
      this.list = bigger;
    }
    this.list[this.size++] = v;
  }

  ids(): Int32Array {
    return this.list.slice(0, this.size).sort();
  }
}

const FN = 'grid_columns_delta_note';
const UPDATE_OF = '__UPDATE_OF__';
const ALL = -1;

/** The temporary triggers of a capture: one per write the columns' own triggers (migration 0025) watch. */
const CAPTURE_TRIGGERS: [name: string, sql: string][] = [
  ['grid_delta_customers_insert', `AFTER INSERT ON main.customers BEGIN SELECT ${FN}(NEW.id); END`],
  ['grid_delta_customers_delete', `AFTER DELETE ON main.customers BEGIN SELECT ${FN}(OLD.id); END`],
  [
    'grid_delta_customers_update',
    // The columns list is the store's own trigger's (UPDATE_OF below): a migration that widens it widens this.
    `AFTER UPDATE OF ${UPDATE_OF} ON main.customers BEGIN SELECT ${FN}(OLD.id); SELECT ${FN}(NEW.id); END`,
  ],
  ['grid_delta_tier_insert', `AFTER INSERT ON main.customer_tier_changes BEGIN SELECT ${FN}(NEW.customer_id); END`],
  ['grid_delta_tier_delete', `AFTER DELETE ON main.customer_tier_changes BEGIN SELECT ${FN}(OLD.customer_id); END`],
  [
    'grid_delta_tier_update',
    `AFTER UPDATE ON main.customer_tier_changes BEGIN SELECT ${FN}(OLD.customer_id); SELECT ${FN}(NEW.customer_id); END`,
  ],
  ['grid_delta_branches', `AFTER UPDATE OF id, name ON main.branches BEGIN SELECT ${FN}(${ALL}); END`],
  ['grid_delta_staff', `AFTER UPDATE OF id, name ON main.staff BEGIN SELECT ${FN}(${ALL}); END`],
];

export interface ColumnsCapture {
  /**
   * Just before COMMIT, after the job's last write to anything the columns read: draws the next token
   * and returns the delta to write (its file must exist before the commit), or null when this change
   * cannot be followed (the grid then builds in full, as before).
   */
  finish(): { token: string; schema: number; base: string; ids: Int32Array } | null;
  /** Drops the triggers (after a rollback they are already gone with it). */
  stop(): void;
}

/**
 * Starts recording what this connection writes to the columns' sources. Call inside the write
 * transaction before its first such write. Null when the book is not clean now (no columns of its
 * token can exist, so no delta could apply) or the store has no columns state.
 */
export function captureColumnChanges(db: Database): ColumnsCapture | null {
  let start: ColumnsState | null;
  try {
    start = readColumnsState(db);
  } catch {
    return null;
  }
  if (!start || start.dirty) return null;
  const log = new IdLog();
  db.function(FN, { deterministic: false }, (id: unknown) => {
    if (id === ALL) log.all = true;
    else log.add(id);
    return null;
  });
  // The customers columns whose update marks the book changed, as the store's trigger names them now.
  const sql = db
    .prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'grid_columns_customers_update'`)
    .pluck()
    .get() as string | undefined;
  const of = sql && /AFTER\s+UPDATE\s+OF\s+([\w\s,]+?)\s+ON\s+customers\b/i.exec(sql)?.[1];
  if (!of || !/^[\w\s,]+$/.test(of)) return null;
  const columns = of
    .split(',')
    .map((c) => c.trim())
    .join(', ');
  for (const [name, body] of CAPTURE_TRIGGERS)
    db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS ${name} ${body.replace(UPDATE_OF, columns)}`);
  const stop = () => {
    for (const [name] of CAPTURE_TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS temp.${name}`);
  };
  const base = start;
  return {
    stop,
    finish() {
      stop();
      const now = readColumnsState(db);
      // Not dirty: nothing the columns read was written, the token still names the book. Dirty with no
      // id noted cannot happen (these triggers mirror the ones that set it) but is no delta either.
      if (!now || log.all || now.token !== base.token || !now.dirty || log.size === 0) return null;
      const token = randomBytes(16).toString('hex');
      db.prepare('UPDATE grid_columns_state SET token = ?, dirty = 0 WHERE id = 1').run(token);
      return { token, schema: now.schema, base: base.token, ids: log.ids() };
    },
  };
}

/**
 * The capture for a write transaction that is not an import (re-tiering, a revert; the window's own
 * connection): call inside the transaction before its first write, and `beforeCommit` after its last.
 * That draws the book's next token and writes the delta file beside the cache (as an import's does), so
 * the columns worker updates the cached columns from it (main/grid/columns-worker.ts) instead of a full
 * build. Null when the store has no cache beside it or the book is not clean: a full build as before.
 * A failure to write the delta leaves the book dirty, as the store's own triggers marked it.
 */
export function recordColumnChanges(db: Database): { beforeCommit(job: number | null): void } | null {
  if (db.memory || !db.name) return null;
  const cachePath = columnsCachePath(db.name);
  if (!existsSync(cachePath)) return null;
  const capture = captureColumnChanges(db);
  if (!capture) return null;
  return {
    beforeCommit(job) {
      db.exec('SAVEPOINT columns_delta');
      try {
        const delta = capture.finish();
        if (delta)
          writeColumnsDelta(
            cachePath,
            delta.token,
            delta.schema,
            { base: delta.base, job, ids: delta.ids },
            rememberedStoreKey(db.name),
          );
        db.exec('RELEASE columns_delta');
      } catch {
        db.exec('ROLLBACK TO columns_delta');
        db.exec('RELEASE columns_delta');
        capture.stop();
      }
    },
  };
}

const TWO32 = 4294967296;

/** Sort expressions whose order the columns hold exactly in memory: the key of each row (ties by row = by id). */
type KeyOf = (d: ColumnData, db: Database) => Float64Array | null;
const money =
  (m: 'aum' | 'deposits' | 'wealth' | 'loans'): KeyOf =>
  (d) => {
    const out = new Float64Array(d.n);
    const { hi, lo } = d[m];
    for (let r = 0; r < d.n; r++) out[r] = hi[r]! * TWO32 + lo[r]!;
    return out;
  };
/** Rank of each id by `name` in SQL's order (equal names share a rank; NULL 0); ids absent map to 0. */
function nameRanks(db: Database, table: 'staff' | 'branches'): Map<number, number> {
  const ranks = new Map<number, number>();
  let rank = 0;
  let prev: string | null | undefined;
  for (const [id, name] of db
    .prepare(`SELECT id, name FROM ${table} ORDER BY name, id`)
    .raw()
    .iterate() as IterableIterator<[number, string | null]>) {
    if (name === null) {
      ranks.set(id, 0);
      continue;
    }
    if (name !== prev) rank++;
    prev = name;
    ranks.set(id, rank);
  }
  return ranks;
}
/** key[r] = table[codes[r]] (a plain loop: typed-array `from` with a map function is ~10x slower on a million rows). */
function mapped(codes: Int32Array | Uint8Array, table: Float64Array, missing = 0): Float64Array {
  const out = new Float64Array(codes.length);
  for (let r = 0; r < codes.length; r++) {
    const c = codes[r]!;
    out[r] = c >= 0 && c < table.length ? table[c]! : missing;
  }
  return out;
}
/** A rank per id as a table indexed by id (ids 0 and unknown: `missing`). */
function byId(rank: Map<number, number>, missing = 0): Float64Array {
  let max = 0;
  for (const id of rank.keys()) if (id > max) max = id;
  if (max > 50_000_000) throw new Error('ids too sparse for a table'); // the update gives way to a build
  const table = new Float64Array(max + 1).fill(missing);
  for (const [id, k] of rank) if (id > 0) table[id] = k;
  return table;
}
const MEMORY_KEYS: Record<string, KeyOf> = {
  'c.aum_fen': money('aum'),
  'c.deposit_fen': money('deposits'),
  'c.wealth_fen': money('wealth'),
  'c.loan_fen': money('loans'),
  // The tier order: SORT_SQL's CASE, best first, no tier last.
  [SORT_SQL.tier]: (d) => {
    const rank = TIER_CODES.map((t) => (TIERS as readonly string[]).indexOf(t) + 1 || TIERS.length + 1);
    return mapped(d.tier, Float64Array.from(rank));
  },
  'c.status': (d) => {
    // Codes are ASCII words: JavaScript's order of them is SQLite's BINARY order. Index 0 (NULL) first.
    const sorted = STATUS_CODES.slice(1).sort();
    const rank = STATUS_CODES.map((s, i) => (i === 0 ? 0 : sorted.indexOf(s) + 1));
    return mapped(d.status, Float64Array.from(rank));
  },
  'c.last_txn_on': (d) => new Float64Array(d.lastTxn),
  'c.birth_date': (d) => {
    // A date that is not well formed orders as SQL orders its text: only SQL can place it.
    for (let r = 0; r < d.n; r++) if (d.birthDay[r] === -1) return null;
    return new Float64Array(d.birthDay);
  },
  'm.name': (d, db) => {
    const rank = nameRanks(db, 'staff');
    return mapped(d.manager, byId(rank));
  },
  'b.name': (d, db) => {
    const rank = nameRanks(db, 'branches');
    const table = byId(rank, -1);
    const out = mapped(d.branch, table, -1);
    // A customer of an unknown branch: the inner join drops it, so only SQL can order it.
    for (let r = 0; r < d.n; r++) if (out[r] === -1) throw new Error('customer of an unknown branch');
    return out;
  },
};
/**
 * Plain customers columns with an index on (column, rowid): a changed row's predecessor is one or two
 * seeks away (value true: the column is UNIQUE, so no other row shares its value).
 */
const SEEK_COLUMNS = new Map([
  ['c.customer_no', true],
  ['c.name', false],
  ['c.opened_on', false],
]);

/**
 * The columns of the book as it stands, from `base` (the columns of an earlier state) and the ids of
 * every customer written since (`changed`: inserted, updated, deleted, or with tier changes written).
 * Runs in one read transaction; `atSnapshot` is its first read (the caller checks the state's token).
 */
export function applyColumnsDelta(
  db: Database,
  base: ColumnData,
  changed: ArrayLike<number>,
  sortSql: SortSql,
  atSnapshot?: (db: Database) => void,
  /** Where the time went, in ms (the worker's log, the bench). */
  timings: Record<string, number> = {},
): ColumnData {
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  // Inside the import's own transaction (its writes are what is read) or in a read transaction of its own.
  const own = !db.inTransaction;
  if (own) db.exec('BEGIN');
  try {
    atSnapshot?.(db);
    const ch = Int32Array.from(new Set(Array.from(changed))).sort();
    const chJson = JSON.stringify(Array.from(ch));
    const maxCh = ch.length ? ch[ch.length - 1]! : 0;
    const isChanged = new Uint8Array(Math.max(base.rowOf.length, maxCh + 1));
    for (const id of ch) isChanged[id] = 1;
    // By id from the list (CROSS JOIN: the list drives, one rowid look-up each; never a pass over the book).
    const rows = db
      .prepare(
        `WITH ids(v) AS (SELECT value FROM json_each(?)) SELECT ${CUSTOMER_ROW_SQL} FROM ids CROSS JOIN customers ON customers.id = ids.v`,
      )
      .raw()
      .all(chJson) as CustomerRow[];
    rows.sort((a, b) => a[0] - b[0]);
    lap('rows');

    // The new row order: kept rows of the base and the changed rows as they are now, by id.
    let kept = 0;
    for (let r = 0; r < base.n; r++) if (!isChanged[base.ids[r]!]) kept++;
    const n = kept + rows.length;
    const lastId = Math.max(rows.length ? rows[rows.length - 1]![0] : 0, lastKeptId(base, isChanged));
    const d = emptyColumns(n, lastId);
    const oldToNew = new Int32Array(base.n).fill(-1);
    const changedRows = new Int32Array(rows.length);
    {
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < base.n || j < rows.length) {
        while (i < base.n && isChanged[base.ids[i]!]) i++;
        const oldId = i < base.n ? base.ids[i]! : Number.MAX_SAFE_INTEGER;
        const newId = j < rows.length ? rows[j]![0] : Number.MAX_SAFE_INTEGER;
        if (oldId === Number.MAX_SAFE_INTEGER && newId === Number.MAX_SAFE_INTEGER) break;
        if (oldId < newId) {
          oldToNew[i++] = k;
          d.ids[k++] = oldId;
        } else {
          changedRows[j++] = k;
          d.ids[k++] = newId;
        }
      }
      if (k !== n) throw new Error('row count mismatch');
    }
    for (let r = 0; r < n; r++) d.rowOf[d.ids[r]!] = r;
    const same = n === base.n && oldToNew.every((v, r) => v === r);
    const copy = <T extends Int32Array | Uint32Array | Uint8Array>(from: T, to: T) => {
      if (same) to.set(from);
      else for (let r = 0; r < base.n; r++) if (oldToNew[r]! >= 0) to[oldToNew[r]!] = from[r]!;
    };
    copy(base.branch, d.branch);
    copy(base.manager, d.manager);
    copy(base.tier, d.tier);
    copy(base.kind, d.kind);
    copy(base.status, d.status);
    for (const m of ['aum', 'deposits', 'wealth', 'loans'] as const) {
      copy(base[m].hi, d[m].hi);
      copy(base[m].lo, d[m].lo);
    }
    copy(base.lastTxn, d.lastTxn);
    copy(base.birthMonth, d.birthMonth);
    copy(base.birthDay, d.birthDay);
    for (let j = 0; j < rows.length; j++) fillRow(d, changedRows[j]!, rows[j]!);
    denseManagers(d);
    lap('columns');
    spliceTierChanges(db, base, d, oldToNew, chJson);
    lap('tierChanges');

    for (const [col, expr] of Object.entries(sortSql) as [SortColumn, string][]) {
      const old = base.perms[col];
      d.perms[col] = old ? mergedOrder(db, base, d, old, oldToNew, changedRows, expr) : sqlOrder(db, d, expr);
      lap(`order.${col}`);
    }
    return d;
  } finally {
    if (own) db.exec('COMMIT');
  }
}

function lastKeptId(base: ColumnData, isChanged: Uint8Array): number {
  for (let r = base.n - 1; r >= 0; r--) if (!isChanged[base.ids[r]!]) return base.ids[r]!;
  return 0;
}

/** The tier-change log: kept rows' segments copied, changed rows' read again (same order as the build's). */
function spliceTierChanges(db: Database, base: ColumnData, d: ColumnData, oldToNew: Int32Array, chJson: string): void {
  // The changed customers' entries by the log's customer index, then sorted as the build reads them.
  const fresh = db
    .prepare(
      `WITH x AS MATERIALIZED (
         SELECT t.customer_id, t.changed_at, t.from_tier, t.to_tier, t.id FROM json_each(?) j
         CROSS JOIN customer_tier_changes t ON t.customer_id = j.value)
       SELECT customer_id, changed_at, from_tier, to_tier FROM x ORDER BY customer_id, changed_at, id`,
    )
    .raw()
    .all(chJson) as [number, string, string | null, string | null][];
  const count = new Int32Array(d.n + 1);
  const newToOld = new Int32Array(d.n).fill(-1);
  for (let r = 0; r < base.n; r++) {
    const to = oldToNew[r]!;
    if (to < 0) continue;
    newToOld[to] = r;
    count[to + 1] = base.changeStart[r + 1]! - base.changeStart[r]!;
  }
  for (const [cid] of fresh) {
    const r = cid < d.rowOf.length ? d.rowOf[cid]! : -1;
    if (r < 0 || newToOld[r] !== -1) throw new Error('tier change of an unknown customer');
    count[r + 1]!++;
  }
  for (let r = 0; r < d.n; r++) count[r + 1]! += count[r]!;
  const m = count[d.n]!;
  d.changeStart = count;
  d.changeDay = new Int32Array(m);
  d.changeFrom = new Uint8Array(m);
  d.changeTo = new Uint8Array(m);
  let f = 0;
  for (let r = 0; r < d.n; r++) {
    const o = newToOld[r]!;
    const at = count[r]!;
    if (o >= 0) {
      const a = base.changeStart[o]!;
      const b = base.changeStart[o + 1]!;
      d.changeDay.set(base.changeDay.subarray(a, b), at);
      d.changeFrom.set(base.changeFrom.subarray(a, b), at);
      d.changeTo.set(base.changeTo.subarray(a, b), at);
      continue;
    }
    for (let k = at; k < count[r + 1]!; k++) {
      const [, changedAt, from, to] = fresh[f++]!;
      d.changeDay[k] = ymd(changedAt);
      d.changeFrom[k] = code(TIER_CODES, from || 'none');
      d.changeTo[k] = code(TIER_CODES, to || 'none');
    }
  }
  if (f !== fresh.length) throw new Error('tier changes out of order');
}

/**
 * One sorted order: the base's order without the changed rows (their relative order holds: their keys
 * did not change), with the changed rows merged in at their places.
 */
function mergedOrder(
  db: Database,
  base: ColumnData,
  d: ColumnData,
  old: Int32Array,
  oldToNew: Int32Array,
  changedRows: Int32Array,
  expr: string,
): Int32Array {
  const keyOf = MEMORY_KEYS[expr];
  const key = keyOf ? keyOf(d, db) : null;
  const out = new Int32Array(d.n);
  let k = 0;
  if (key) {
    // Ties by row, which is id order (rows are in ascending id).
    const cs = changedRows.slice().sort((a, b) => key[a]! - key[b]! || a - b);
    let j = 0;
    for (let i = 0; i < old.length; i++) {
      const r = oldToNew[old[i]!]!;
      if (r < 0) continue;
      const kr = key[r]!;
      while (j < cs.length && (key[cs[j]!]! < kr || (key[cs[j]!]! === kr && cs[j]! < r))) out[k++] = cs[j++]!;
      out[k++] = r;
    }
    while (j < cs.length) out[k++] = cs[j++]!;
  } else if (SEEK_COLUMNS.has(expr) && changedRows.length * 16 <= d.n) {
    k = seekMerge(db, base, d, old, oldToNew, changedRows, expr.slice(2), SEEK_COLUMNS.get(expr)!, out);
  } else return sqlOrder(db, d, expr);
  if (k !== d.n) throw new Error('sort order incomplete');
  return out;
}

/** The changed rows placed after their predecessor in SQL's own order, found by a seek on the column's index. */
function seekMerge(
  db: Database,
  base: ColumnData,
  d: ColumnData,
  old: Int32Array,
  oldToNew: Int32Array,
  changedRows: Int32Array,
  col: string,
  unique: boolean,
  out: Int32Array,
): number {
  const ids = JSON.stringify(Array.from(changedRows, (r) => d.ids[r]!));
  // The changed rows by id, then in SQL's own order of the column (a temporary b-tree of a few rows).
  const sorted = db
    .prepare(
      `WITH x AS MATERIALIZED (SELECT c.id AS id, c.${col} AS v FROM json_each(?) j CROSS JOIN customers c ON c.id = j.value)
       SELECT id, v FROM x ORDER BY v, id`,
    )
    .raw()
    .all(ids) as [number, unknown][];
  if (sorted.length !== changedRows.length) throw new Error('changed rows moved during the update');
  const eqBefore = db.prepare(`SELECT id FROM customers WHERE ${col} = ? AND id < ? ORDER BY id DESC LIMIT 1`).pluck();
  const lessThan = db
    .prepare(`SELECT id FROM customers WHERE ${col} < ? ORDER BY ${col} DESC, id DESC LIMIT 1`)
    .pluck();
  const nullBefore = db
    .prepare(`SELECT id FROM customers WHERE ${col} IS NULL AND id < ? ORDER BY id DESC LIMIT 1`)
    .pluck();
  const lastNull = db.prepare(`SELECT id FROM customers WHERE ${col} IS NULL ORDER BY id DESC LIMIT 1`).pluck();
  const oldPos = new Int32Array(base.n);
  for (let i = 0; i < old.length; i++) oldPos[old[i]!] = i;
  const isChangedRow = new Uint8Array(d.n);
  for (const r of changedRows) isChangedRow[r] = 1;
  // anchor: the base position of the nearest kept row before it (-1: none).
  const anchors = new Int32Array(sorted.length);
  for (let j = 0; j < sorted.length; j++) {
    const [id, v] = sorted[j]!;
    // A UNIQUE column: no other row has this value, so no equal-valued predecessor to look for.
    const equal = v === null || unique ? undefined : eqBefore.get(v, id);
    const pred = (v === null ? nullBefore.get(id) : (equal ?? lessThan.get(v) ?? lastNull.get())) as number | undefined;
    if (pred === undefined) anchors[j] = -1;
    else {
      const pr = d.rowOf[pred]!;
      if (isChangedRow[pr]) {
        // The row just before it is a changed one: the previous in the sorted changed rows.
        if (j === 0 || sorted[j - 1]![0] !== pred) throw new Error('order of changed rows inconsistent');
        anchors[j] = anchors[j - 1]!;
      } else anchors[j] = oldPos[base.rowOf[pred]!]!;
    }
  }
  let k = 0;
  let j = 0;
  while (j < sorted.length && anchors[j] === -1) out[k++] = d.rowOf[sorted[j++]![0]]!;
  for (let i = 0; i < old.length; i++) {
    const r = oldToNew[old[i]!]!;
    if (r < 0) continue;
    out[k++] = r;
    while (j < sorted.length && anchors[j] === i) out[k++] = d.rowOf[sorted[j++]![0]]!;
  }
  if (j !== sorted.length) throw new Error('changed rows not placed');
  return k;
}

/**
 * The columns of the book as the import's transaction leaves it, computed inside that transaction just
 * before it commits (its own writes are what is read): the cache of the state it started from plus what
 * it wrote. Until the commit every reader still sees the book the old columns describe, so the grid
 * keeps its columns through the import and has the new ones the moment it commits. Null when there is
 * no cache of the base state, the change is too big to be worth it, or a value cannot be held.
 */
export function columnsAfterImport(
  db: Database,
  cachePath: string,
  key: StoreKey | null,
  delta: { base: string; schema: number; ids: Int32Array },
  timings: Record<string, number> = {},
): ColumnData | null {
  const t = performance.now();
  const base = readColumnsCache(cachePath, { token: delta.base, dirty: false, schema: delta.schema }, SORT_SQL, key);
  timings.cache = Math.round(performance.now() - t);
  if (!('data' in base) || delta.ids.length * 4 > base.data.n) return null;
  try {
    return applyColumnsDelta(db, base.data, delta.ids, SORT_SQL, undefined, timings);
  } catch {
    return null;
  }
}
