import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildColumns,
  type ColumnData,
  columnStamp,
  dropColumns,
  installColumns,
  releaseMask,
  setPartialWalkLimit,
  takeMask,
  transferList,
} from '../../../db/customer-columns';
import {
  columnsCachePath,
  markColumnsClean,
  readColumnsCache,
  readColumnsState,
  writeColumnsCache,
  type ColumnsState,
} from '../../../db/customer-columns-cache';
import { SORT_SQL } from '../../../db/customer-field-sql';
import { gridCount, gridRows, gridStats } from '../../../db/repos/customer-grid';
import type { Scope } from '../../../db/scope';
import type { GridFilter, GridSort } from '../../../shared/api';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * Issue 18.1, the first seconds: the grid's views reuse the masks and ordered row lists of the views
 * they push out of the cache instead of allocating new ones (each new allocation outside the heap
 * brought a full garbage collection of the window's thread sooner), and a cache read gives each
 * array its own buffer (no whole-file copy). Neither may change an answer: every view, also the
 * ones served from recycled buffers, equals SQL's; and the columns read from the cache still move
 * to another thread array by array.
 */
const TODAY = '2026-10-31';
const ALL: Scope = { kind: 'branch', sql: '1', params: [], masked: true };
let db: Database;
let storePath = '';

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 700, seed: 23 });
  db = demo.db;
  storePath = demo.file;
}, 120_000);
afterAll(() => {
  setPartialWalkLimit(2000);
  db?.close();
  removeTempDirs();
});

/** More views than the grid keeps (four), so later ones are written over the buffers of earlier ones. */
const FILTERS: GridFilter[] = [
  { aumMin: '50000' },
  { inactiveDays: 90, kinds: ['individual'] },
  { kinds: ['corporate'] },
  { depositsMin: '10000' },
  { statuses: ['active'], aumMax: '200000' },
  { birthdayThisMonth: true },
  { managerIds: [0] },
];
const SORTS: GridSort[] = [
  [{ col: 'aum', dir: 'desc' }],
  [{ col: 'name', dir: 'asc' }],
  [{ col: 'managerName', dir: 'desc' }],
  [{ col: 'lastTxnOn', dir: 'asc' }],
  [{ col: 'customerNo', dir: 'asc' }],
];

/** Count, stats and two pages of each sort per filter, the filters visited twice in a shuffled order. */
function answers(): unknown[] {
  const out: unknown[] = [];
  const order = [0, 1, 2, 3, 4, 5, 6, 3, 0, 6, 1, 5, 2, 4];
  for (const i of order) {
    const f = FILTERS[i]!;
    out.push(gridCount(db, ALL, f, TODAY));
    out.push(gridStats(db, ALL, f, TODAY));
    for (const s of SORTS)
      for (const off of [0, 37]) out.push(gridRows(db, ALL, f, s, off, 25, TODAY).map((r) => r.id));
  }
  return out;
}

describe('recycled view buffers', () => {
  it('every view, also over recycled masks and row lists, answers what SQL answers', () => {
    dropColumns(db);
    const sql = answers();
    installColumns(db, buildColumns(db, SORT_SQL), columnStamp(db));
    // Every page from the full ordered list (the buffers recycled), then from the partial walk too.
    for (const walk of [0, 2000]) {
      setPartialWalkLimit(walk);
      expect(answers()).toEqual(sql);
    }
    setPartialWalkLimit(2000);
    dropColumns(db);
    // Not vacuous: the filters keep some customers, not all.
    const counts = FILTERS.map((f) => gridCount(db, ALL, f, TODAY));
    expect(counts.some((n) => n > 0 && n < 700)).toBe(true);
  });

  it('a build replacing one of the same size takes over its spare buffers; answers stay SQL’s', () => {
    dropColumns(db);
    const sql = answers();
    const a = buildColumns(db, SORT_SQL);
    expect(installColumns(db, a, columnStamp(db))).toBe(false);
    expect(answers()).toEqual(sql); // views kept on `a`, its quick-stats index made
    const spare = takeMask(a);
    releaseMask(a, spare);
    const b = buildColumns(db, SORT_SQL);
    expect(b.n).toBe(a.n);
    // As an import's hand-over does: the new build replaces the installed one.
    expect(installColumns(db, b, columnStamp(db))).toBe(true);
    const taken = [takeMask(b), takeMask(b)];
    expect(taken).toContain(spare); // `a`'s spare, not a new allocation
    expect(taken.every((m) => m.every((x) => x === 0))).toBe(true);
    for (const m of taken) releaseMask(b, m);
    // The views and stats of `b` run over `a`'s masks, row lists and group column.
    expect(answers()).toEqual(sql);
    // Installing the same build again replaces nothing.
    expect(installColumns(db, b, columnStamp(db))).toBe(false);
    dropColumns(db);
  });

  it('a mask given back is the next one taken, all zero; one of another size is not kept', () => {
    const d = buildColumns(db, SORT_SQL);
    const m = takeMask(d);
    expect(m.length).toBe(d.n);
    m.fill(1);
    releaseMask(d, m);
    const again = takeMask(d);
    expect(again).toBe(m);
    expect(again.every((x) => x === 0)).toBe(true);
    releaseMask(d, new Uint8Array(d.n + 1));
    expect(takeMask(d).length).toBe(d.n);
  });
});

describe('quick stats over the columns', () => {
  it('equal SQL’s sums also with amounts of 2^32 fen and more, and below zero (the rows summed apart)', () => {
    // A few customers with amounts whose high half is set (the pass over every row sums low halves only).
    const ids = db.prepare('SELECT id FROM customers ORDER BY id LIMIT 5 OFFSET 100').pluck().all() as number[];
    const set = db.prepare(
      'UPDATE customers SET aum_fen = ?, deposit_fen = ?, wealth_fen = ?, loan_fen = ? WHERE id = ?',
    );
    const big = [
      [2 ** 32, 2 ** 32 - 1, 1, 0],
      [5_000_000_000_123, 4_999_999_999_999, 124, 7 * 2 ** 33 + 5],
      [-3, 0, -3, 2 ** 40],
      [2 ** 51 + 1, 2 ** 51, 1, -(2 ** 35) - 9],
      [0, 0, 0, -1],
    ];
    db.transaction(() => {
      ids.forEach((id, i) => {
        set.run(...big[i]!, id);
      });
    })();
    const filters: GridFilter[] = [{ aumMin: '-1' }, { loansMin: '-100000000000' }, { kinds: ['individual'] }];
    const stats = () => filters.map((f) => gridStats(db, ALL, f, TODAY));
    dropColumns(db);
    const sql = stats();
    installColumns(db, buildColumns(db, SORT_SQL), columnStamp(db));
    const cols = stats();
    dropColumns(db);
    expect(cols).toEqual(sql);
    // Not vacuous: the totals carry the high halves.
    expect(sql[0]!.total.aum! > 2n ** 51n).toBe(true);
  });
});

describe('a cache read', () => {
  it('gives every array its own buffer: the columns still transfer to another thread, intact', () => {
    expect(markColumnsClean(db)).toBe(true);
    let state: ColumnsState | null = null;
    const built = buildColumns(db, SORT_SQL, (x) => {
      state = readColumnsState(x);
    });
    const file = columnsCachePath(storePath);
    const key = randomBytes(32).toString('hex');
    writeColumnsCache(file, built, state!, SORT_SQL, key);
    const got = readColumnsCache(file, state!, SORT_SQL, key);
    if (!('data' in got)) throw new Error(`refused: ${got.refused}`);
    const buffers = transferList(got.data);
    expect(new Set(buffers).size).toBe(buffers.length);
    const moved = structuredClone(got.data, { transfer: buffers }) as ColumnData;
    expect(moved).toEqual(built);
    expect(got.data.ids.length).toBe(0); // detached: it moved, not copied
  });
});
