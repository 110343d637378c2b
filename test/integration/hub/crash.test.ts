import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { runMutation } from '../../../db/sync/replica';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { enrolWorkstation, HubUnreachable, syncOnce } from '../../../main/sync/hub-client';
import { APP_USER, freePort, ownerPool, startPg, type TestPg } from './support';
import { hubRecords, replicaRecords, testMutators, until } from './workstations';

/**
 * kill -9 of a hub process mid-push and of a workstation process mid-sync: nothing lost, nothing
 * doubled. The hub runs through its real entry (`main/hub/index.ts --pg`), as `npm run hub` does.
 */
const ROOT = path.resolve(__dirname, '../../..');
let server: TestPg;
let owner: pg.Pool;
let appUrl: string;
let dir: string;
let hubPort: number;
let hub: ChildProcess;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('crash');
  owner = ownerPool(server, db);
  appUrl = server.appUrl(db);
  dir = mkdtempSync(path.join(tmpdir(), 'crm-crash-'));
  hubPort = await freePort();
  hub = await startHubProcess(hubPort);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await owner?.end();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (ready.test(out)) resolve(child);
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out}`)));
  });
}

const startHubProcess = (port: number) =>
  run(['main/hub/index.ts', '--pg', appUrl, '--port', String(port)], /Branch hub: http/);

async function killed(child: ChildProcess): Promise<void> {
  const exit = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exit;
}

async function processed(branch: string): Promise<number> {
  const r = await owner.query('SELECT count(*)::int AS n FROM mutations WHERE branch = $1', [branch]);
  return r.rows[0].n;
}

async function enrolledStore(file: string, hubUrl: string, branch: string) {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  ensureSyncSchema(db);
  await ensureBranch(owner, branch);
  const { code } = await issueEnrolCode(owner, branch);
  await enrolWorkstation(db, { hubUrl, branch, code, name: branch });
  return db;
}

async function assertExactlyOnce(branch: string, db: BetterSqlite3.Database, n: number) {
  const m = await owner.query(
    "SELECT count(*)::int AS n, count(DISTINCT args->>'opId')::int AS ops FROM mutations WHERE branch = $1 AND outcome = 'applied'",
    [branch],
  );
  expect(m.rows[0]).toEqual({ n, ops: n });
  const changes = await owner.query('SELECT count(*)::int AS n, max(seq)::int AS top FROM changes WHERE branch = $1', [
    branch,
  ]);
  expect(changes.rows[0]).toEqual({ n, top: n });
  expect(replicaRecords(db)).toEqual(await hubRecords(owner, branch));
  expect(db.prepare('SELECT count(*) AS n FROM sync_outbox').get()).toEqual({ n: 0 });
}

/**
 * Freezes the branch: a session advisory lock on the key the hub's transactions take first, so the
 * hub's next page waits inside its open transaction. The kill then lands mid-transaction for certain,
 * not merely somewhere during a push.
 */
async function freezeBranch(branch: string): Promise<() => Promise<void>> {
  const c = await owner.connect();
  await c.query('SELECT pg_advisory_lock(1, hashtext($1))', [branch]);
  return async () => {
    await c.query('SELECT pg_advisory_unlock(1, hashtext($1))', [branch]);
    c.release();
  };
}

const waitingOnLock = async () =>
  (
    await owner.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock' AND state = 'active'",
      [APP_USER],
    )
  ).rows[0].n as number;

const id = (i: number) => `00000000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;

describe('kill -9', () => {
  it('of the hub inside a push transaction: the PC re-pushes to the restarted hub, each lands once', async () => {
    const db = await enrolledStore(path.join(dir, 'a.db'), `http://127.0.0.1:${hubPort}`, 'K01');
    const n = 3000;
    for (let i = 0; i < n; i++)
      runMutation(db, testMutators, 'items.create', { id: id(i), title: `t${i}`, opId: `op${i}` });
    const caught = syncOnce(db, testMutators).catch((err: unknown) => err);
    // Let at least one page of 100 commit, then hold the branch so the hub stops inside the next one.
    expect(await until(async () => (await processed('K01')) >= 100, 10_000)).toBe(true);
    const thaw = await freezeBranch('K01');
    expect(await until(async () => (await waitingOnLock()) === 1)).toBe(true);
    const before = await processed('K01');
    await killed(hub);
    expect(await caught).toBeInstanceOf(HubUnreachable);
    // The orphaned transaction gets the lock, finds its client gone and rolls back.
    await thaw();
    expect(before % 100).toBe(0);
    expect(before).toBeLessThan(n);
    expect(await processed('K01')).toBe(before);

    hub = await startHubProcess(hubPort);
    const report = await syncOnce(db, testMutators);
    expect(report.pushed).toBe(n);
    await assertExactlyOnce('K01', db, n);
    db.close();
  });

  it('of a workstation waiting for a push answer: reopened, it syncs the rest, each lands once', async () => {
    const file = path.join(dir, 'b.db');
    (await enrolledStore(file, `http://127.0.0.1:${hubPort}`, 'K02')).close();
    const n = 1000;
    const thaw = await freezeBranch('K02');
    const pc = await run(['test/integration/hub/pc-child.ts', file, String(n), id(0).slice(0, 24)], /recorded/);
    // The PC's push is in the hub, waiting for the branch; the PC dies before any answer.
    expect(await until(async () => (await waitingOnLock()) === 1, 10_000)).toBe(true);
    await killed(pc);
    await thaw();
    // The hub finishes what it had and commits it: the answer has no one to go to.
    expect(await until(async () => (await processed('K02')) > 0)).toBe(true);

    const db = new BetterSqlite3(file);
    await syncOnce(db, testMutators);
    await assertExactlyOnce('K02', db, n);
    db.close();
  });
});
