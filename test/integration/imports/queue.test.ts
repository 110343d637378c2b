import { spawn } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markInterrupted } from '../../../main/jobs/engine/revert';
import { ImportQueue } from '../../../main/jobs/queue';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import {
  CIF_HEADER,
  CIF_PROFILE,
  storeDigest,
  storedSummaries,
  referenceSummaries,
  tempDir,
  writeText,
} from './helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
let store: DemoStore;
let dir: string;

/** A CIF file of `n` new customers (numbers from `from`), big enough to take several batches. */
function bigCif(name: string, n: number, from: number): string {
  const rows = Array.from(
    { length: n },
    (_, i) =>
      `97${String(from + i).padStart(8, '0')},个人,测试${i},身份证,,1380000${String(i % 10000).padStart(4, '0')},上海市浦东新区${i}号,310101,20240105,`,
  );
  return writeText(dir, name, `${CIF_HEADER}\n${rows.join('\n')}\n`);
}

const req = (file: string) => ({
  file,
  profile: CIF_PROFILE,
  tolerance: 0,
  source: 'ui' as const,
  userId: 1,
  username: 'admin',
});

beforeAll(async () => {
  store = await makeDemoStore({ customers: 300, seed: 11 });
  dir = tempDir();
});
afterAll(() => {
  store.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

// Each test pushes tens of thousands of rows through a worker (one a child process): on a shared, busy
// 2-core machine that takes 20-30 s, so the suite's 30 s guard is too tight here. A guard, not a speed check.
describe('import queue and worker', { timeout: 120_000 }, () => {
  it('previews a whole file in a worker between jobs, leaving nothing behind', async () => {
    const q = new ImportQueue({ dbPath: store.file, rejectsDir: path.join(dir, 'rejects'), mainDb: store.db });
    const running = q.submit(req(bigCif('p-job.csv', 5_000, 70_000)));
    const file = bigCif('p.csv', 3_000, 80_000);
    const withBad = writeText(
      dir,
      'p-bad.csv',
      `${CIF_HEADER}\n9780000001,个人,甲,身份证,110108195008026860,,上海,310101,20240105,\n9780000002,个人,乙,身份证,,,上海,310101,20240105,\n`,
    );
    // A preview asked for while a job runs waits for it: one write lock at a time.
    const p = q.preview({ file, profile: CIF_PROFILE, rows: 5 });
    expect(q.busy()).toBe(true);
    const r = await p;
    expect(q.get(running.ticket)?.outcome?.status).toBe('committed');
    const before = storeDigest(store.db);
    expect(r.counts).toEqual({ read: 3_000, good: 3_000, bad: 0 });
    expect(r.rows).toHaveLength(5);
    const bad = await q.preview({ file: withBad, profile: CIF_PROFILE, rows: 5 });
    expect(bad.counts).toEqual({ read: 2, good: 1, bad: 1 });
    expect(bad.rows[0]).toMatchObject({ line: 2, reject: { field: 'id_no', reason: 'bad_id_no' } });
    expect(storeDigest(store.db)).toEqual(before);
    expect(q.busy()).toBe(false);
    await q.close();
  });

  it('runs jobs one at a time in a worker, with progress, and commits them', async () => {
    const q = new ImportQueue({ dbPath: store.file, rejectsDir: path.join(dir, 'rejects'), mainDb: store.db });
    const a = q.submit(req(bigCif('a.csv', 20_000, 0)));
    const b = q.submit(req(bigCif('b.csv', 100, 50_000)));
    expect(q.get(a.ticket)?.state).toBe('running');
    expect(q.get(b.ticket)?.state).toBe('queued');
    // The main event loop stays free while the worker writes: a timer keeps firing on time.
    let ticks = 0;
    const t = setInterval(() => ticks++, 10);
    const oa = await q.wait(a.ticket);
    clearInterval(t);
    expect(oa).toMatchObject({ status: 'committed', rowsInserted: 20_000 });
    expect(ticks).toBeGreaterThan(0);
    const ob = await q.wait(b.ticket);
    expect(ob).toMatchObject({ status: 'committed', rowsInserted: 100 });
    expect(ob.jobId).toBeGreaterThan(oa.jobId);
    expect(q.get(a.ticket)?.progress?.rowsRead).toBeGreaterThan(0);
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
    await q.close();
  });

  it('with checkpoints deferred, the job commits without copying its WAL back, and the main connection holds off until told', async () => {
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const fileBytes = () => statSync(store.file).size;
    const walFrames = () => (store.db.pragma('wal_checkpoint(NOOP)') as { log: number }[])[0]!.log;
    const before = fileBytes();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const q = new ImportQueue({
      dbPath: store.file,
      rejectsDir: path.join(dir, 'rejects'),
      mainDb: store.db,
      deferCheckpointsUntil: () => released,
    });
    const auto = () => store.db.pragma('wal_autocheckpoint', { simple: true });
    expect(auto()).toBe(1000);
    const o = await q.wait(q.submit(req(bigCif('w.csv', 20_000, 600_000))).ticket);
    expect(o).toMatchObject({ status: 'committed', rowsInserted: 20_000 });
    // Committed and visible, but only in the WAL: the store file did not grow, no one checkpointed.
    expect(store.db.prepare(`SELECT COUNT(*) AS n FROM customers WHERE customer_no LIKE '9700600%'`).get()).toEqual({
      n: 1000,
    });
    expect(fileBytes()).toBe(before);
    expect(walFrames()).toBeGreaterThan(1000);
    // A small commit on the main connection meanwhile does not copy the big WAL back either.
    expect(auto()).toBe(0);
    store.db
      .prepare(
        `INSERT INTO settings (key, value) VALUES ('queue-test', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      )
      .run();
    expect(fileBytes()).toBe(before);
    release();
    await released;
    await new Promise((r) => setImmediate(r));
    expect(auto()).toBe(1000);
    // Told: the next commit checkpoints as usual (the app's follow-up worker does it first).
    store.db.prepare(`UPDATE settings SET value = '2' WHERE key = 'queue-test'`).run();
    expect(fileBytes()).toBeGreaterThan(before);
    expect(storedSummaries(store.db)).toEqual(referenceSummaries(store.db));
    await q.close();
  });

  it('cancelling a running job rolls it back; cancelling a queued one never starts it', async () => {
    const before = storeDigest(store.db);
    const q = new ImportQueue({ dbPath: store.file, rejectsDir: path.join(dir, 'rejects'), stallAfterRows: 4000 });
    const a = q.submit(req(bigCif('c.csv', 20_000, 100_000)));
    const b = q.submit(req(bigCif('d.csv', 10, 200_000)));
    expect(q.cancel(b.ticket)).toBe(true);
    expect((await q.wait(b.ticket)).status).toBe('cancelled');
    // Stalled mid-transaction: closing the queue cancels the job, which rolls back, not half-commits.
    await new Promise<void>((resolve) => {
      const i = setInterval(() => {
        if ((q.get(a.ticket)?.jobId ?? 0) > 0) {
          clearInterval(i);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 300));
    await q.close();
    const oa = await q.wait(a.ticket);
    expect(oa.status).toBe('cancelled');
    expect(storeDigest(store.db)).toEqual(before);
    // The write lock is free again: this connection can write at once.
    store.db.pragma('busy_timeout = 0');
    store.db.exec('BEGIN IMMEDIATE; ROLLBACK');
    store.db.pragma('busy_timeout = 5000');
  });

  it('a process killed mid-job leaves the store exactly as it was, and the job shows as interrupted', async () => {
    const before = storeDigest(store.db);
    const file = bigCif('kill.csv', 20_000, 300_000);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'crash-child.ts'), store.file, file, path.join(dir, 'rejects')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const stalled = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /STALLED (\d+) (\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code} before stalling: ${out} ${err}`)));
    });
    // The worker has written 4,000+ rows inside its transaction: check another connection cannot see them.
    const peek = new Database(store.file, { readonly: true });
    expect(peek.prepare(`SELECT COUNT(*) AS c FROM customers WHERE customer_no LIKE '9700300%'`).get()).toEqual({
      c: 0,
    });
    peek.close();
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    expect(storeDigest(store.db)).toEqual(before);
    const job = store.db.prepare('SELECT status FROM import_jobs WHERE id = ?').get(Number(stalled)) as {
      status: string;
    };
    expect(job.status).toBe('running');
    expect(markInterrupted(store.db)).toBe(1);
    expect(store.db.prepare('SELECT status, error FROM import_jobs WHERE id = ?').get(Number(stalled))).toEqual({
      status: 'failed',
      error: JSON.stringify({ code: 'IMPORT_INTERRUPTED', details: {} }),
    });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
