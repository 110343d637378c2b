import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openConnection } from '../../../db/cipher';
import { buildColumns, type ColumnData, freshColumns, peekColumns } from '../../../db/customer-columns';
import {
  columnsCachePath,
  columnsDeltaPath,
  markColumnsClean,
  readColumnsCache,
  readColumnsDelta,
  readColumnsState,
  writeColumnsCache,
  writeColumnsDelta,
  type ColumnsState,
} from '../../../db/customer-columns-cache';
import { applyColumnsDelta, captureColumnChanges } from '../../../db/customer-columns-delta';
import { SORT_SQL } from '../../../db/customer-field-sql';
import { fixedClock } from '../../../main/clock';
import { runImport } from '../../../main/jobs/engine/run';
import { log } from '../../../main/log';
import { createServices } from '../../../main/services';
import { ColumnsBuilder } from '../../../main/grid/columns';
import { ImportQueue } from '../../../main/jobs/queue';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import { TIERS } from '../../../shared/tiers';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { CIF_HEADER, CIF_PROFILE, tempDir, writeText } from '../imports/helpers';

/**
 * The grid's columns updated from what an import changed (issue 18.1): for any mix of writes to what
 * the columns read, the columns of the book before them plus the captured ids give exactly what a full
 * build of the book after them gives (every array, every sorted order, the tier-change log). In the app,
 * an import's delta brings the columns up to date without a build, and a cache or delta of another
 * state is refused.
 */
const TODAY = '2026-10-31';
let db: Database;
let storeFile = '';
let dir = '';

/** A build whose snapshot had an identity, as the worker does it. */
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

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 400, seed: 21 });
  db = demo.db;
  storeFile = demo.file;
  dir = tempDir();
}, 120_000);
afterAll(() => {
  db?.close();
  removeTempDirs();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Small pools, so that equal keys (ties broken by id), NULLs and non-BMP text come up often.
const NAMES = ['张三', '李四', 'Zoe', 'zoe', '𠮷祥', '王五', 'Ａ'];
const DAYS = ['2020-01-01', '2021-06-30', '2024-02-29', '1999-12-31'];
const BIRTHS: (string | null)[] = [null, '1980-05-06', '1990-13-45', '2001-01-01', '1980-05-06'];
const MONEY = [0, 1, 100, 4_294_967_296, 4_294_967_295, 123_456_789_012];

type Change =
  | { op: 'money'; pick: number; col: 'aum_fen' | 'deposit_fen' | 'wealth_fen' | 'loan_fen'; v: number }
  | { op: 'tier'; pick: number; v: number }
  | { op: 'status'; pick: number; v: number }
  | { op: 'manager'; pick: number; v: number }
  | { op: 'branch'; pick: number; v: number }
  | { op: 'name'; pick: number; v: number }
  | { op: 'opened'; pick: number; v: number }
  | { op: 'birth'; pick: number; v: number }
  | { op: 'lastTxn'; pick: number; v: number }
  | { op: 'customerNo'; pick: number }
  | { op: 'insert'; v: number }
  | { op: 'delete'; pick: number }
  | { op: 'tierChange'; pick: number; v: number }
  | { op: 'many'; mod: number; v: number };

const pick = fc.nat(10_000);
const v = fc.nat(1000);
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    op: fc.constant('money' as const),
    pick,
    col: fc.constantFrom('aum_fen' as const, 'deposit_fen' as const, 'wealth_fen' as const, 'loan_fen' as const),
    v,
  }),
  fc.record({ op: fc.constant('tier' as const), pick, v }),
  fc.record({ op: fc.constant('status' as const), pick, v }),
  fc.record({ op: fc.constant('manager' as const), pick, v }),
  fc.record({ op: fc.constant('branch' as const), pick, v }),
  fc.record({ op: fc.constant('name' as const), pick, v }),
  fc.record({ op: fc.constant('opened' as const), pick, v }),
  fc.record({ op: fc.constant('birth' as const), pick, v }),
  fc.record({ op: fc.constant('lastTxn' as const), pick, v }),
  fc.record({ op: fc.constant('customerNo' as const), pick }),
  fc.record({ op: fc.constant('insert' as const), v }),
  fc.record({ op: fc.constant('delete' as const), pick }),
  fc.record({ op: fc.constant('tierChange' as const), pick, v }),
  fc.record({ op: fc.constant('many' as const), mod: fc.integer({ min: 2, max: 5 }), v }),
);

let serial = 0;
function applyChange(d: Database, c: Change): void {
  const ids = d.prepare('SELECT id FROM customers ORDER BY id').pluck().all() as number[];
  const staff = d.prepare('SELECT id FROM staff ORDER BY id').pluck().all() as number[];
  const branches = d.prepare('SELECT id FROM branches ORDER BY id').pluck().all() as number[];
  const at = (p: number) => ids[p % ids.length]!;
  const one = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
  const set = (col: string, value: unknown, id: number) =>
    d.prepare(`UPDATE customers SET ${col} = ? WHERE id = ?`).run(value, id);
  switch (c.op) {
    case 'money':
      return void set(c.col, one(MONEY, c.v), at(c.pick));
    case 'tier':
      return void set('tier', one([...TIERS, null], c.v), at(c.pick));
    case 'status':
      return void set('status', one(['active', 'dormant', 'closed'], c.v), at(c.pick));
    case 'manager':
      return void set('manager_staff_id', one([...staff, null], c.v), at(c.pick));
    case 'branch':
      return void set('branch_id', one(branches, c.v), at(c.pick));
    case 'name':
      return void set('name', one(NAMES, c.v), at(c.pick));
    case 'opened':
      return void set('opened_on', one(DAYS, c.v), at(c.pick));
    case 'birth':
      return void set('birth_date', one(BIRTHS, c.v), at(c.pick));
    case 'lastTxn':
      return void set('last_txn_on', one([null, ...DAYS], c.v), at(c.pick));
    case 'customerNo':
      return void set('customer_no', `P${++serial}`, at(c.pick));
    case 'insert': {
      const body = `1101011990${String(serial % 10_000).padStart(4, '0')}123`.slice(0, 17);
      d.prepare(
        `INSERT INTO customers (customer_no, kind, name, id_type, id_no, branch_id, opened_on, status, tier, manager_staff_id,
           aum_fen, deposit_fen, birth_date, last_txn_on)
         VALUES (?, 'individual', ?, 'resident_id', ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)`,
      ).run(
        `N${++serial}`,
        one(NAMES, c.v),
        body + residentIdCheckChar(body),
        one(branches, c.v),
        one(DAYS, c.v),
        one([...TIERS, null], c.v),
        one([...staff, null], c.v),
        one(MONEY, c.v),
        one(MONEY, c.v),
        one(BIRTHS, c.v),
        one([null, ...DAYS], c.v),
      );
      return;
    }
    case 'delete': {
      // Customers this test inserted have nothing that refers to them.
      const mine = d
        .prepare(`SELECT id FROM customers WHERE customer_no LIKE 'N%' ORDER BY id`)
        .pluck()
        .all() as number[];
      if (mine.length) d.prepare('DELETE FROM customers WHERE id = ?').run(one(mine, c.pick));
      return;
    }
    case 'tierChange':
      d.prepare(
        `INSERT INTO customer_tier_changes (customer_id, from_tier, to_tier, model_version, changed_at) VALUES (?, ?, ?, NULL, ?)`,
      ).run(at(c.pick), one([...TIERS, null], c.v), one(TIERS, c.v + 1), `${one(DAYS, c.v)}T08:00:00Z`);
      return;
    case 'many':
      // A big change (every few customers): the orders the seek would place one by one are read again.
      d.prepare(`UPDATE customers SET name = ?, aum_fen = aum_fen + 1 WHERE id % ? = 0`).run(one(NAMES, c.v), c.mod);
      return;
  }
}

describe('columns updated from a delta equal a full build', () => {
  it('for any mix of writes to what the columns read (property)', () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 12 }), (changes) => {
        const { data: base, state } = build(db);
        db.exec('BEGIN IMMEDIATE');
        let delta: ReturnType<NonNullable<ReturnType<typeof captureColumnChanges>>['finish']>;
        try {
          const capture = captureColumnChanges(db);
          expect(capture).not.toBeNull();
          for (const c of changes) applyChange(db, c);
          delta = capture!.finish();
          db.exec('COMMIT');
        } catch (e) {
          db.exec('ROLLBACK');
          throw e;
        }
        const now = readColumnsState(db)!;
        if (delta === null) {
          // Nothing the columns read was written (e.g. a delete with nothing to delete): same token, clean.
          expect(now).toEqual(state);
          return;
        }
        expect(delta.base).toBe(state.token);
        expect(now).toEqual({ ...state, token: delta.token, dirty: false });
        const updated = applyColumnsDelta(db, base, delta.ids, SORT_SQL);
        expect(updated).toEqual(buildColumns(db, SORT_SQL));
      }),
      { numRuns: 40, seed: 1818 },
    );
  }, 240_000);

  it('captures nothing of a write that rolled back, and follows no branch or staff rename', () => {
    const { state } = build(db);
    db.exec('BEGIN IMMEDIATE');
    const capture = captureColumnChanges(db)!;
    db.prepare('UPDATE customers SET aum_fen = aum_fen + 7 WHERE id = 3').run();
    db.exec('ROLLBACK');
    capture.stop();
    expect(readColumnsState(db)).toEqual(state);
    // The triggers went with the rollback: a later write through this connection notes nothing.
    db.prepare('UPDATE branches SET name = name || ? WHERE id = (SELECT MIN(id) FROM branches)').run('·');
    expect(readColumnsState(db)!.dirty).toBe(true);

    const again = build(db);
    db.exec('BEGIN IMMEDIATE');
    const c2 = captureColumnChanges(db)!;
    db.prepare('UPDATE customers SET aum_fen = aum_fen + 7 WHERE id = 3').run();
    db.prepare('UPDATE staff SET name = name || ? WHERE id = (SELECT MIN(id) FROM staff)').run('·');
    expect(c2.finish()).toBeNull(); // a rename reorders customers nobody wrote: a full build
    db.exec('COMMIT');
    const after = readColumnsState(db)!;
    expect(after.token).toBe(again.state.token);
    expect(after.dirty).toBe(true);
  });
});

describe('delta files', () => {
  it('are refused when damaged, of another token or schema, or under another key', () => {
    const cache = columnsCachePath(storeFile);
    const key = 'ab'.repeat(32);
    const ids = Int32Array.from([3, 5, 8]);
    writeColumnsDelta(cache, 'aa'.repeat(16), 25, { base: 'bb'.repeat(16), job: 7, ids }, key);
    expect(readColumnsDelta(cache, 'aa'.repeat(16), 25, key)).toEqual({ base: 'bb'.repeat(16), job: 7, ids });
    expect(readColumnsDelta(cache, 'cc'.repeat(16), 25, key)).toBeNull();
    expect(readColumnsDelta(cache, 'aa'.repeat(16), 26, key)).toBeNull();
    expect(readColumnsDelta(cache, 'aa'.repeat(16), 25, 'cd'.repeat(32))).toBeNull();
    const file = columnsDeltaPath(cache, 'aa'.repeat(16));
    const bytes = readFileSync(file);
    for (const at of [0, 20, 60, bytes.length - 1]) {
      const bad = Buffer.from(bytes);
      bad[at]! ^= 1;
      writeFileSync(file, bad);
      expect(readColumnsDelta(cache, 'aa'.repeat(16), 25, key)).toBeNull();
    }
    rmSync(file);
    expect(() => columnsDeltaPath(cache, '../x')).toThrow();
  });
});

describe('in the app: an import updates the columns without a build', () => {
  it('in its transaction (its cache, the queue hand-over), or from its delta in another process; each equal to a full build', async () => {
    const demo = await makeDemoStore({ customers: 300, seed: 23 });
    const dbPath = demo.file;
    const cache = columnsCachePath(dbPath);
    const manager = (
      demo.db
        .prepare(`SELECT employee_no AS e FROM staff WHERE position = 'manager' ORDER BY id DESC LIMIT 1`)
        .get() as { e: string }
    ).e;
    const picked = demo.db
      .prepare(
        `SELECT c.customer_no AS no, b.code AS branch FROM customers c JOIN branches b ON b.id = c.branch_id ORDER BY c.id LIMIT 60 OFFSET 17`,
      )
      .all() as { no: string; branch: string }[];
    demo.close();
    const sources: string[] = [];
    const spy = vi.spyOn(log, 'info').mockImplementation((msg: string) => {
      if (msg.startsWith('customer columns')) sources.push(msg);
    });
    const start = () =>
      createServices({
        dbPath,
        mode: 'browser',
        clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
        columnsMinCustomers: 1,
      });
    const services = await start();
    const ready = async () => {
      const t0 = Date.now();
      while (!freshColumns(services.db)) {
        if (Date.now() - t0 > 30_000) throw new Error('columns not ready within 30 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      return freshColumns(services.db)!;
    };
    const fullBuild = () => {
      const check = openConnection(dbPath, { readonly: true });
      try {
        return buildColumns(check, SORT_SQL);
      } finally {
        check.close();
      }
    };
    const id = (n: number) => {
      const body = `31011519850101${String(n).padStart(3, '0')}`;
      return body + residentIdCheckChar(body);
    };
    // A CIF load: customers renamed and moved to one manager, and a new one.
    const cifFile = (name: string, rows: { no: string; branch: string }[], tag: string, newNo: string) => {
      const lines = rows.map(
        (p, i) =>
          `${p.no},个人,${NAMES[i % NAMES.length]}${tag}${i},身份证,${id(i)},,上海,${p.branch},2019-0${(i % 9) + 1}-15,${manager}`,
      );
      lines.push(`${newNo},个人,新客户${tag},身份证,${id(90)},,上海,${rows[0]!.branch},2026-10-30,${manager}`);
      return writeText(dir, name, `${[CIF_HEADER, ...lines].join('\r\n')}\r\n`, 'utf-8');
    };
    try {
      const before = await ready();
      expect(existsSync(cache)).toBe(true);
      const baseState = readColumnsState(services.db)!;
      const cacheBefore = readFileSync(cache);

      // 1. A load from another connection (as `crm import` does): the job makes the new book's columns in
      // its transaction and writes them to the cache once committed; its delta file goes with that.
      const conn = openConnection(dbPath);
      conn.pragma('busy_timeout = 10000');
      conn.pragma('foreign_keys = ON');
      const out = await runImport(conn, {
        file: cifFile('delta-a.csv', picked.slice(0, 40), '甲', '9800000001'),
        profile: CIF_PROFILE,
        tolerance: 0,
        rejectsDir: path.join(dir, 'rejects'),
        userId: 1,
        username: 'admin',
        columnsCache: { path: cache, key: null },
      });
      conn.close();
      expect(out.error ?? null).toBeNull();
      expect(out.rowsUpdated + out.rowsInserted).toBe(41);
      const st = readColumnsState(services.db)!;
      expect(st.dirty).toBe(false);
      expect(st.token).not.toBe(baseState.token);
      expect(readdirSync(path.dirname(cache)).filter((f) => f.endsWith('.delta'))).toEqual([]);
      // The cache before the import is refused for the book after it; the one the job wrote is that book's.
      const full = fullBuild();
      const written = readColumnsCache(cache, st, SORT_SQL, null);
      expect('data' in written && written.data).toEqual(full);
      expect(full).not.toEqual(before);
      expect(freshColumns(services.db)).toBeNull(); // this window's columns are stale at once
      sources.length = 0;
      expect(await ready()).toEqual(full);
      expect(sources).toEqual(['customer columns loaded from cache']);
      await services.close();

      // 2. A process that finds only the cache before the load and the load's delta: updated, not built.
      // (Its own builder on a plain connection: the app's start-up steps may write customers themselves.)
      writeFileSync(cache, cacheBefore);
      expect(readColumnsCache(cache, st, SORT_SQL, null)).toEqual({ refused: 'other-identity' });
      const plain = openConnection(dbPath);
      try {
        const ids = Int32Array.from(
          plain
            .prepare('SELECT id FROM customers WHERE last_job_id = ? ORDER BY id')
            .pluck()
            .all(out.jobId) as number[],
        );
        writeColumnsDelta(cache, st.token, st.schema, { base: baseState.token, job: out.jobId, ids }, null);
        const builder = new ColumnsBuilder(plain, dbPath, { minCustomers: 1 });
        try {
          expect(freshColumns(plain)).toBeNull();
          const t0 = Date.now();
          while (!freshColumns(plain)) {
            if (Date.now() - t0 > 30_000) throw new Error('columns not ready within 30 s');
            await new Promise((r) => setTimeout(r, 20));
          }
          expect(builder.lastSource).toBe('delta');
          expect(freshColumns(plain)).toEqual(full);
          expect(readdirSync(path.dirname(cache)).filter((f) => f.endsWith('.delta'))).toEqual([]);
        } finally {
          await builder.close();
        }
      } finally {
        plain.close();
      }
      // 3. A load through the import queue: the columns come with the job's end, made in its transaction.
      const received: { data: ColumnData; token: string }[] = [];
      const queue = new ImportQueue({
        dbPath,
        rejectsDir: path.join(dir, 'rejects'),
        onColumns: (data, token) => received.push({ data, token }),
      });
      const entry = queue.submit({
        file: cifFile('delta-b.csv', picked.slice(30, 60), '乙', '9800000002'),
        profile: CIF_PROFILE,
        tolerance: 0,
        source: 'ui',
        userId: 1,
        username: 'admin',
      });
      const out2 = await queue.wait(entry.ticket);
      await queue.close();
      expect(out2.error ?? null).toBeNull();
      expect(received).toHaveLength(1);
      const { data, token } = received[0]!;
      const after = fullBuild();
      expect(data).toEqual(after);
      // The window installs them while the store shows that book, and they go stale with the next write.
      const win = openConnection(dbPath);
      const builder = new ColumnsBuilder(win, dbPath, { minCustomers: 1 });
      try {
        expect(readColumnsState(win)).toEqual({ ...st, token });
        expect(builder.adopt(data, token)).toBe(true);
        expect(peekColumns(win)).toBe(data);
        expect(sources).toContain('customer columns updated by the import');
        // A write through this same connection (its commits leave data_version alone): the flag says stale.
        win.prepare('UPDATE customers SET loan_fen = loan_fen + 1 WHERE id = 5').run();
        expect(peekColumns(win)).toBeNull();
        expect(builder.adopt(data, token)).toBe(false);
      } finally {
        await builder.close();
        win.close();
      }
    } finally {
      spy.mockRestore();
      await services.close().catch(() => undefined);
    }
  }, 180_000);

  it('a cache written under one token is refused once the store shows another', () => {
    const { data, state } = build(db);
    const cache = path.join(dir, 'other.columns');
    writeColumnsCache(cache, data, state, SORT_SQL, null);
    db.prepare('UPDATE customers SET wealth_fen = wealth_fen + 1 WHERE id = 2').run();
    build(db); // draws a new token
    expect(readColumnsCache(cache, readColumnsState(db)!, SORT_SQL, null)).toEqual({ refused: 'other-identity' });
  });
});
