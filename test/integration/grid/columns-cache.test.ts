import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { log } from '../../../main/log';
import {
  buildColumns,
  type ColumnData,
  columnStamp,
  dropColumns,
  freshColumns,
  installColumns,
} from '../../../db/customer-columns';
import {
  columnsCachePath,
  markColumnsClean,
  readColumnsCache,
  readColumnsDelta,
  readColumnsState,
  writeColumnsCache,
  type ColumnsState,
} from '../../../db/customer-columns-cache';
import { SORT_SQL } from '../../../db/customer-field-sql';
import { openConnection } from '../../../db/cipher';
import { gridCount, gridRows, gridStats } from '../../../db/repos/customer-grid';
import type { Scope } from '../../../db/scope';
import { refreshFactors, retier } from '../../../db/tiering';
import { fixedClock } from '../../../main/clock';
import { createServices } from '../../../main/services';
import type { GridFilter, GridSort } from '../../../shared/api';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * The grid columns' cache file (issue 18.1): it gives back exactly what a fresh build gives and what
 * SQL answers; it is refused for another store, another state of the book, another schema, another
 * key, and when one byte of it changed; and every kind of write to what the columns read makes the
 * store's state dirty, so a cache of the book before the write can never be served after it.
 */
const TODAY = '2026-10-31';
const KEY = randomBytes(32).toString('hex');
const ALL: Scope = { kind: 'branch', sql: '1', params: [], masked: true };
let db: Database;
let file = '';
let storePath = '';
let other: Database;

/** A build whose snapshot had an identity (the token drawn just before), as the worker does it. */
function build(d: Database): { data: ColumnData; state: ColumnsState } {
  expect(markColumnsClean(d)).toBe(true);
  let state: ColumnsState | null = null;
  const data = buildColumns(d, SORT_SQL, (x) => {
    state = readColumnsState(x);
  });
  const s = state as ColumnsState | null;
  if (!s || s.dirty) throw new Error('no clean snapshot');
  return { data, state: s };
}

const stateNow = (d: Database = db) => readColumnsState(d)!;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 500, seed: 11 });
  db = demo.db;
  storePath = demo.file;
  file = columnsCachePath(demo.file);
  const o = await makeDemoStore({ customers: 200, seed: 12 });
  other = o.db;
}, 120_000);
afterAll(() => {
  db?.close();
  other?.close();
  removeTempDirs();
});

describe('the cache round-trips exactly', () => {
  it('reads back every array of the build, bit for bit, and equals a fresh build', () => {
    const { data, state } = build(db);
    writeColumnsCache(file, data, state, SORT_SQL, KEY);
    const got = readColumnsCache(file, stateNow(), SORT_SQL, KEY);
    if (!('data' in got)) throw new Error(`refused: ${got.refused}`);
    expect(got.data).toEqual(data);
    expect(Object.keys(got.data.perms).sort()).toEqual(Object.keys(SORT_SQL).sort());
    // Another build of the same book (nothing changed: the token stays) is the same again.
    const again = build(db);
    expect(again.state.token).toBe(state.token);
    expect(got.data).toEqual(again.data);
  });

  it('is not a plaintext copy: no run of the columns’ bytes appears in the file', () => {
    const { data } = build(db);
    const bytes = readFileSync(file);
    for (const a of [data.ids, data.aum.lo, data.perms.aum!]) {
      const probe = Buffer.from(a.buffer, a.byteOffset, Math.min(64, a.byteLength));
      expect(bytes.includes(probe)).toBe(false);
    }
  });

  it('answers counts, pages and stats exactly as SQL does for a set of filters and sorts', () => {
    const got = readColumnsCache(file, stateNow(), SORT_SQL, KEY);
    if (!('data' in got)) throw new Error(`refused: ${got.refused}`);
    const filters: GridFilter[] = [
      {},
      { tiers: ['gold', 'quality'] },
      { aumMin: '50000' },
      { inactiveDays: 90, kinds: ['individual'] },
      { kinds: ['corporate'], statuses: ['active'] },
      { depositsMin: '10000', loansMin: '1' },
    ];
    const sorts: GridSort[] = [
      [{ col: 'aum', dir: 'desc' }],
      [{ col: 'name', dir: 'asc' }],
      [{ col: 'managerName', dir: 'desc' }],
      [{ col: 'branchName', dir: 'asc' }],
      [{ col: 'lastTxnOn', dir: 'asc' }],
      [{ col: 'tier', dir: 'asc' }],
    ];
    const answers = () =>
      filters.map((f) => ({
        count: gridCount(db, ALL, f, TODAY),
        stats: gridStats(db, ALL, f, TODAY),
        pages: sorts.map((s) => [0, 120].map((off) => gridRows(db, ALL, f, s, off, 60, TODAY).map((r) => r.id))),
      }));
    dropColumns(db);
    const sql = answers();
    installColumns(db, got.data, columnStamp(db));
    expect(freshColumns(db)).toBe(got.data);
    const cached = answers();
    expect(freshColumns(db)).toBe(got.data); // the columns answered throughout
    dropColumns(db);
    expect(cached).toEqual(sql);
    expect(sql.some((a) => a.count > 0 && a.count < 500)).toBe(true);
  });
});

describe('a cache that is not this book’s, or not intact, is refused', () => {
  it('under another key', () => {
    const { data, state } = build(db);
    writeColumnsCache(file, data, state, SORT_SQL, KEY);
    expect(readColumnsCache(file, stateNow(), SORT_SQL, randomBytes(32).toString('hex'))).toEqual({
      refused: 'unreadable',
    });
    expect(readColumnsCache(file, stateNow(), SORT_SQL, null)).toEqual({ refused: 'unreadable' });
    expect('data' in readColumnsCache(file, stateNow(), SORT_SQL, KEY)).toBe(true);
  });

  it('with any byte flipped (header, descriptor, arrays, tag) or cut short', () => {
    const { data, state } = build(db);
    writeColumnsCache(file, data, state, SORT_SQL, KEY);
    const good = readFileSync(file);
    const spots = [3, 10, 40, 60, 70, 76, 80, 200, Math.floor(good.length / 2), good.length - 1];
    for (const at of spots) {
      const bad = Buffer.from(good);
      bad[at]! ^= 0x01;
      writeFileSync(file, bad);
      const r = readColumnsCache(file, stateNow(), SORT_SQL, KEY);
      expect('refused' in r, `byte ${at}`).toBe(true);
    }
    writeFileSync(file, good.subarray(0, good.length - 5));
    expect('refused' in readColumnsCache(file, stateNow(), SORT_SQL, KEY)).toBe(true);
    writeFileSync(file, Buffer.concat([good, Buffer.from([0])]));
    expect('refused' in readColumnsCache(file, stateNow(), SORT_SQL, KEY)).toBe(true);
    writeFileSync(file, good);
    expect('data' in readColumnsCache(file, stateNow(), SORT_SQL, KEY)).toBe(true);
  });

  it('of another store, another schema version or other sort expressions', () => {
    const { data, state } = build(db);
    writeColumnsCache(file, data, state, SORT_SQL, KEY);
    const o = build(other).state;
    expect(o.token).not.toBe(state.token);
    expect(readColumnsCache(file, o, SORT_SQL, KEY)).toEqual({ refused: 'other-identity' });
    expect(readColumnsCache(file, { ...state, schema: state.schema + 1 }, SORT_SQL, KEY)).toEqual({
      refused: 'other-identity',
    });
    expect(readColumnsCache(file, state, { ...SORT_SQL, name: 'c.name_initials' }, KEY)).toEqual({
      refused: 'other-identity',
    });
    expect('data' in readColumnsCache(file, stateNow(), SORT_SQL, KEY)).toBe(true);
  });

  it('of other data: after a change, also once a new token is drawn, even for the same counts', () => {
    const { data, state } = build(db);
    writeColumnsCache(file, data, state, SORT_SQL, KEY);
    db.prepare('UPDATE customers SET deposit_fen = deposit_fen + 1 WHERE id = (SELECT MIN(id) FROM customers)').run();
    expect(stateNow().dirty).toBe(true);
    expect(readColumnsCache(file, stateNow(), SORT_SQL, KEY)).toEqual({ refused: 'other-identity' });
    expect(markColumnsClean(db)).toBe(true);
    expect(stateNow().token).not.toBe(state.token);
    expect(readColumnsCache(file, stateNow(), SORT_SQL, KEY)).toEqual({ refused: 'other-identity' });
  });
});

describe('every writer of what the columns read marks the book changed, in its own transaction', () => {
  /** Clean state, a cache of it, then `write`: the cache must be refused and a new build must differ from it. */
  /** `viaDelta`: the writer records what it changed (re-tiering, reverts): a new clean token, a delta to it. */
  function afterWrite(name: string, write: () => void, differs: boolean, viaDelta = false): void {
    const before = build(db);
    writeColumnsCache(file, before.data, before.state, SORT_SQL, KEY);
    write();
    const s = stateNow();
    if (viaDelta) {
      expect(s.dirty, name).toBe(false);
      expect(s.token, name).not.toBe(before.state.token);
      // The writer keys its delta with the store's own key (none: this store is plaintext), not the test's KEY.
      expect(readColumnsDelta(file, s.token, s.schema, null)?.base, name).toBe(before.state.token);
    } else expect(s.dirty, name).toBe(true);
    expect('refused' in readColumnsCache(file, s, SORT_SQL, KEY), name).toBe(true);
    if (differs) expect(build(db).data, name).not.toEqual(before.data);
  }

  it('the triggers cover every customers column the build and the sort orders read', () => {
    const sql = (
      db.prepare("SELECT sql FROM sqlite_master WHERE name = 'grid_columns_customers_update'").get() as { sql: string }
    ).sql;
    const read = new Set<string>(['id', 'branch_id', 'manager_staff_id', 'tier', 'kind', 'status', 'birth_date']);
    for (const c of ['aum_fen', 'deposit_fen', 'wealth_fen', 'loan_fen', 'last_txn_on']) read.add(c);
    for (const expr of Object.values(SORT_SQL)) for (const m of expr.matchAll(/\bc\.(\w+)/g)) read.add(m[1]!);
    const listed = new Set(
      /UPDATE OF([\s\S]*?)\bON customers/
        .exec(sql)![1]!
        .split(',')
        .map((s) => s.trim()),
    );
    for (const c of read) expect(listed.has(c), c).toBe(true);
    for (const expr of Object.values(SORT_SQL))
      for (const m of expr.matchAll(/\b([bm])\.(\w+)/g)) {
        const table = m[1] === 'b' ? 'branches' : 'staff';
        const t = (
          db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(`grid_columns_${table}_update`) as {
            sql: string;
          }
        ).sql;
        expect(t).toMatch(new RegExp(`UPDATE OF [^]*\\b${m[2]}\\b[^]*ON ${table}`));
      }
  });

  it('balances (the summaries refresh), edits, a remark, a manager change', () => {
    afterWrite(
      'balances',
      () => db.prepare('UPDATE customers SET aum_fen = aum_fen + 100 WHERE id % 7 = 0').run(),
      true,
    );
    // The remark sort: the first customer in remark order moves to the end of it.
    afterWrite(
      'remark',
      () =>
        db
          .prepare(
            "UPDATE customers SET remark = '\uffff' WHERE id = (SELECT id FROM customers ORDER BY remark, id LIMIT 1)",
          )
          .run(),
      'remark' in SORT_SQL,
    );
    afterWrite(
      'manager',
      () =>
        db
          .prepare(
            'UPDATE customers SET manager_staff_id = (SELECT MAX(id) FROM staff) WHERE id = (SELECT MAX(id) FROM customers)',
          )
          .run(),
      true,
    );
  });

  it('re-tiering (customers and the tier-change log), and a log entry alone', () => {
    refreshFactors(db, TODAY);
    afterWrite(
      'retier',
      () => {
        // Lower thresholds: many customers move up a tier (and into the log).
        const m = { ...DEFAULT_TIER_MODEL, thresholds: { gold: 30, quality: 20, key: 11, ordinary: 4, restricted: 1 } };
        const r = retier(db, m, { userId: null, now: new Date(`${TODAY}T03:00:00Z`) });
        expect(r.changed).toBeGreaterThan(0);
      },
      true,
      true,
    );
    afterWrite(
      'tier log',
      () =>
        db
          .prepare(
            "INSERT INTO customer_tier_changes (customer_id, from_tier, to_tier, changed_at) VALUES ((SELECT MIN(id) FROM customers), 'gold', 'key', '2026-10-01T00:00:00Z')",
          )
          .run(),
      true,
    );
    afterWrite(
      'tier log revert',
      () =>
        db.prepare('DELETE FROM customer_tier_changes WHERE id = (SELECT MAX(id) FROM customer_tier_changes)').run(),
      true,
    );
  });

  it('new and removed customers (imports and their reverts), names of branches and staff', () => {
    let id = 0;
    afterWrite(
      'import insert',
      () => {
        id = Number(
          db
            .prepare(
              `INSERT INTO customers (customer_no, kind, name, id_type, branch_id, opened_on)
             SELECT 'ZZ' || (MAX(id) + 1), 'individual', '测试', 'other', MIN(branch_id), '2026-01-01' FROM customers`,
            )
            .run().lastInsertRowid,
        );
      },
      true,
    );
    afterWrite('revert delete', () => db.prepare('DELETE FROM customers WHERE id = ?').run(id), true);
    afterWrite(
      'branch name',
      () => db.prepare("UPDATE branches SET name = '\uffff' WHERE id = (SELECT MIN(branch_id) FROM customers)").run(),
      false, // one branch may hold the whole demo book: the order need not move
    );
    afterWrite(
      'staff name',
      () =>
        db
          .prepare("UPDATE staff SET name = name || '乙' WHERE id = (SELECT MIN(manager_staff_id) FROM customers)")
          .run(),
      false,
    );
  });

  it('a store whose triggers are gone (a table rebuilt without them) has no cache at all', () => {
    const sql = (
      db.prepare("SELECT sql FROM sqlite_master WHERE name = 'grid_columns_staff_update'").get() as { sql: string }
    ).sql;
    db.exec('DROP TRIGGER grid_columns_staff_update');
    try {
      expect(readColumnsState(db)).toBeNull();
    } finally {
      db.exec(sql);
    }
    expect(readColumnsState(db)).not.toBeNull();
  });

  it('drawing a token never waits for the write lock (an import holding it): no cache that time', () => {
    db.prepare('UPDATE customers SET loan_fen = loan_fen + 1 WHERE id = 2').run();
    expect(stateNow().dirty).toBe(true);
    const writer = openConnection(storePath);
    writer.exec('BEGIN IMMEDIATE');
    try {
      const t0 = performance.now();
      expect(markColumnsClean(db)).toBe(false);
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    expect(stateNow().dirty).toBe(true);
    expect(markColumnsClean(db)).toBe(true);
    expect(stateNow().dirty).toBe(false);
  });

  it('a write that rolls back leaves the book clean; writes elsewhere leave it clean', () => {
    const { state } = build(db);
    expect(() =>
      db.transaction(() => {
        db.prepare('UPDATE customers SET aum_fen = aum_fen + 1').run();
        throw new Error('abort');
      })(),
    ).toThrow('abort');
    db.prepare("UPDATE customers SET updated_at = '2026-10-31T00:00:00Z' WHERE id = 1").run();
    expect(stateNow()).toEqual(state);
  });
});

describe('in the app', () => {
  it('a restart loads the columns from the cache; after a change it builds again', async () => {
    const demo = await makeDemoStore({ customers: 300, seed: 13 });
    const dbPath = demo.file;
    demo.close();
    const cache = columnsCachePath(dbPath);
    rmSync(cache, { force: true });
    let sources: string[] = [];
    const spy = vi.spyOn(log, 'info').mockImplementation((msg: string, meta?: Record<string, unknown>) => {
      if (meta?.customers !== 300) return;
      if (msg === 'customer columns built') sources.push('build');
      if (msg === 'customer columns loaded from cache') sources.push('cache');
    });
    const start = async () => {
      sources = [];
      const s = await createServices({
        dbPath,
        mode: 'browser',
        clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
        columnsMinCustomers: 1,
      });
      const t0 = Date.now();
      while (!freshColumns(s.db)) {
        if (Date.now() - t0 > 30_000) throw new Error('columns not ready within 30 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      return s;
    };
    const first = await start();
    const built = freshColumns(first.db)!;
    await first.close();
    expect(existsSync(cache)).toBe(true);

    const second = await start();
    const loaded = freshColumns(second.db)!;
    expect(loaded).toEqual(built);
    expect(sources).toEqual(['cache']);
    // Another connection commits something the columns do not read (as the follow-up runs, sync and
    // audit do): they stay fresh. A write to what they read, from that connection: stale at once.
    const conn = openConnection(dbPath);
    conn.prepare("UPDATE customers SET updated_at = '2026-10-31T01:00:00Z' WHERE id % 2 = 0").run();
    expect(freshColumns(second.db)).toBe(loaded);
    conn.prepare('UPDATE customers SET wealth_fen = wealth_fen + 5 WHERE id % 3 = 0').run();
    conn.close();
    expect(freshColumns(second.db)).toBeNull();
    await second.close();

    const third = await start();
    expect(sources).toEqual(['build']);
    expect(freshColumns(third.db)!.wealth).not.toEqual(built.wealth);
    await third.close();
    // The rebuild rewrote the cache: what it holds now is exactly a fresh build of the changed book.
    const check = openConnection(dbPath, { readonly: true });
    try {
      const now = readColumnsState(check)!;
      const got = readColumnsCache(cache, now, SORT_SQL, null);
      if (!('data' in got)) throw new Error(`refused: ${got.refused}`);
      expect(got.data).toEqual(buildColumns(check, SORT_SQL));
    } finally {
      check.close();
    }
    spy.mockRestore();
  }, 120_000);
});
