import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { runMutation } from '../../../db/sync/replica';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { enrolWorkstation, HubUnreachable, syncOnce } from '../../../main/sync/hub-client';
import { freePort, ownerPool, startPg, type TestPg } from './support';
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

describe('kill -9', () => {
  it('of the hub mid-push: the PC re-pushes to the restarted hub, each mutation lands once', async () => {
    const db = await enrolledStore(path.join(dir, 'a.db'), `http://127.0.0.1:${hubPort}`, 'K01');
    const n = 400;
    for (let i = 0; i < n; i++)
      runMutation(db, testMutators, 'items.create', {
        id: `00000000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
        title: `t${i}`,
        opId: `op${i}`,
      });
    const pushing = syncOnce(db, testMutators);
    const caught = pushing.catch((err: unknown) => err);
    expect(await until(async () => (await processed('K01')) >= 30, 10_000)).toBe(true);
    await killed(hub);
    expect(await caught).toBeInstanceOf(HubUnreachable);
    const before = await processed('K01');
    expect(before).toBeGreaterThanOrEqual(30);
    expect(before).toBeLessThan(n);

    hub = await startHubProcess(hubPort);
    const report = await syncOnce(db, testMutators);
    expect(report.pushed).toBe(n);
    await assertExactlyOnce('K01', db, n);
    db.close();
  });

  it('of a workstation mid-sync: reopened, its store syncs the rest, each mutation lands once', async () => {
    const file = path.join(dir, 'b.db');
    (await enrolledStore(file, `http://127.0.0.1:${hubPort}`, 'K02')).close();
    const n = 400;
    const pc = await run(['test/integration/hub/pc-child.ts', file, String(n), '00000000-0000-7000-8000-'], /recorded/);
    expect(await until(async () => (await processed('K02')) >= 30, 10_000)).toBe(true);
    await killed(pc);
    expect(await processed('K02')).toBeGreaterThan(0);

    const db = new BetterSqlite3(file);
    await syncOnce(db, testMutators);
    await assertExactlyOnce('K02', db, n);
    db.close();
  });
});
