import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import {
  listConflicts,
  listRecords,
  queuedCount,
  readRecord,
  recordMutation,
  SyncRuleError,
} from '../../../db/sync/replica';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { enrolWorkstation } from '../../../main/sync/hub-client';
import { SyncWorker } from '../../../main/sync/worker';
import { uuid7 } from '../../../shared/sync/ids';
import { type Hub, startHub } from '../../../main/hub/service';
import { ownerPool, startPg, type TestPg } from './support';
import {
  hubRecords,
  ITEMS,
  testMutators,
  openWorkstation,
  projectedItems,
  replicaRecords,
  until,
  type Workstation,
} from './workstations';

/**
 * Three workstations (three SQLite files), two hubs on one PostgreSQL, cables that can be pulled:
 * wake-ups, offline work and reconnection, the double-acceptance conflict, local rule checks, status.
 */
let server: TestPg;
let owner: pg.Pool;
let hub1: Hub;
let hub2: Hub;
const open: Workstation[] = [];

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('ws');
  owner = ownerPool(server, db);
  hub1 = await startHub({ pg: server.appUrl(db) });
  hub2 = await startHub({ pg: server.appUrl(db) });
});
afterAll(async () => {
  for (const w of open) await w.close();
  await hub2?.close();
  await hub1?.close();
  await owner?.end();
  await server?.stop();
});

async function branchOf3(branch: string): Promise<[Workstation, Workstation, Workstation]> {
  const ws = await Promise.all([
    openWorkstation('A', hub1.port, owner, branch),
    openWorkstation('B', hub2.port, owner, branch),
    openWorkstation('C', hub1.port, owner, branch),
  ]);
  open.push(...ws);
  for (const w of ws) await until(() => w.worker.listening);
  return ws as [Workstation, Workstation, Workstation];
}

/** Every replica equals the hub and every outbox is empty (settled, not merely answered). */
async function converged(branch: string, ws: Workstation[]): Promise<boolean> {
  const hub = JSON.stringify(sorted(await hubRecords(owner, branch)));
  return ws.every((w) => {
    const local = projectedItems(w.db);
    return (
      JSON.stringify(sorted(replicaRecords(w.db))) === hub &&
      outboxSize(w.db) === 0 &&
      JSON.stringify(local.actual) === JSON.stringify(local.expected)
    );
  });
}
const outboxSize = (db: Workstation['db']) =>
  (db.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n;
const sorted = (o: Record<string, unknown>) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, normalise(o[k])]),
  );
// jsonb orders keys its own way: compare objects, not their text.
const normalise = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, normalise((v as Record<string, unknown>)[k])]),
      )
    : v;

describe('workstations', () => {
  it('a write on A shows on B (other hub) and C within 2 s, through wake-ups alone', async () => {
    const [a, b, c] = await branchOf3('S01');
    const id = uuid7();
    const t0 = performance.now();
    a.act('items.create', { id, title: 'flag' });
    const seen = await until(() => !!readRecord(b.db, ITEMS, id) && !!readRecord(c.db, ITEMS, id), 2000);
    const ms = performance.now() - t0;
    expect(seen).toBe(true);
    console.info(`write on A visible on B and C after ${ms.toFixed(0)} ms`);
    expect(readRecord(b.db, ITEMS, id)).toMatchObject({ revision: 1, data: { title: 'flag', status: 'open' } });
    expect(await until(() => converged('S01', [a, b, c]))).toBe(true);
    expect(await a.worker.syncNow()).toMatchObject({ state: 'synced', queued: 0 });
  });

  it('B works offline, A edits meanwhile; on reconnection all converge and B re-runs its stale edit', async () => {
    const [a, b, c] = await branchOf3('S02');
    const [x, y] = [uuid7(), uuid7()];
    a.act('items.create', { id: x, title: 'x0' });
    a.act('items.create', { id: y, title: 'y0' });
    expect(await until(() => converged('S02', [a, b, c]))).toBe(true);

    b.cable.unplug();
    expect(await until(() => !b.worker.listening)).toBe(true);
    const created = [uuid7(), uuid7(), uuid7()];
    for (const [i, id] of created.entries()) b.act('items.create', { id, title: `offline ${i}` });
    b.act('items.rename', { id: x, title: 'x by B' });
    b.act('items.remove', { id: y });
    expect(await until(() => b.worker.status().state === 'offline')).toBe(true);
    expect(b.worker.status()).toMatchObject({ state: 'offline', queued: 5 });
    // Local reads show B's own work at once.
    expect(readRecord(b.db, ITEMS, x)?.data).toMatchObject({ title: 'x by B' });
    a.act('items.rename', { id: x, title: 'x by A' });
    expect(await until(async () => (await hubRecords(owner, 'S02'))[`${ITEMS}/${x}`] !== undefined)).toBe(true);
    expect(await until(() => readRecord(c.db, ITEMS, x)?.data?.title === 'x by A')).toBe(true);

    b.cable.plug();
    expect(await until(() => converged('S02', [a, b, c]), 8000)).toBe(true);
    // B's rename was based on revision 1; A's moved it to 2; the hub refused B's, B re-ran it on 2.
    expect(readRecord(c.db, ITEMS, x)).toMatchObject({ revision: 3, data: { title: 'x by B' } });
    expect(readRecord(a.db, ITEMS, y)).toMatchObject({ deleted: true });
    for (const id of created) expect(readRecord(a.db, ITEMS, id)?.data?.status).toBe('open');
    expect(listConflicts(b.db)).toEqual([]);
    expect(b.worker.status()).toMatchObject({ state: 'synced', queued: 0 });
    // The administrator's list of PCs: every PC reported its (now empty) queue when it last pulled.
    const pcs = await owner.query(
      "SELECT name, queued, last_sync_at IS NOT NULL AS synced FROM pcs WHERE branch = 'S02' ORDER BY name",
    );
    expect(pcs.rows).toEqual(['A', 'B', 'C'].map((name) => ({ name, queued: 0, synced: true })));
  });

  it('A and B complete the same item while apart: exactly one wins, the other sees a conflict', async () => {
    const [a, b, c] = await branchOf3('S03');
    const id = uuid7();
    c.act('items.create', { id, title: 'referral' });
    expect(await until(() => converged('S03', [a, b, c]))).toBe(true);
    a.cable.unplug();
    b.cable.unplug();
    a.act('items.complete', { id, owner: 'manager A' });
    b.act('items.complete', { id, owner: 'manager B' });
    expect(readRecord(b.db, ITEMS, id)?.data).toMatchObject({ status: 'done', owner: 'manager B' });
    a.cable.plug();
    expect(await until(() => readRecord(c.db, ITEMS, id)?.data?.owner === 'manager A')).toBe(true);
    b.cable.plug();
    expect(await until(() => converged('S03', [a, b, c]), 8000)).toBe(true);
    // B's optimistic acceptance is undone and listed, with who holds it now.
    expect(readRecord(b.db, ITEMS, id)?.data).toMatchObject({ status: 'done', owner: 'manager A' });
    const conflicts = listConflicts(b.db);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      name: 'items.complete',
      args: { id, owner: 'manager B' },
      outcome: 'conflict',
      reason: { refused: 'already_done', by: 'manager A', table: ITEMS, id },
    });
    const applied = await owner.query(
      "SELECT count(*)::int AS n FROM mutations WHERE branch = 'S03' AND name = 'items.complete' AND outcome = 'applied'",
    );
    expect(applied.rows[0].n).toBe(1);
    expect(listConflicts(a.db)).toEqual([]);
  });

  it('a write the shared rules forbid fails locally at once and queues nothing', async () => {
    const [a] = await branchOf3('S04');
    const id = uuid7();
    a.act('items.create', { id, title: 'x' });
    const before = replicaRecords(a.db);
    const queued = queuedCount(a.db);
    expect(() =>
      recordMutation(a.db, {
        name: 'bad',
        args: {},
        effects: [{ table: ITEMS, id, data: { title: 'x', status: 'maybe' } }],
      }),
    ).toThrow(SyncRuleError);
    expect(() =>
      recordMutation(a.db, {
        name: 'bad',
        args: {},
        effects: [
          { table: ITEMS, id: uuid7(), data: { title: 'fine', status: 'open' } },
          { table: 'no_such_table', id: 'u1', data: {} },
        ],
      }),
    ).toThrow(/unknown_table/);
    expect(replicaRecords(a.db)).toEqual(before);
    expect(queuedCount(a.db)).toBe(queued);
  });

  it('a queue bigger than the hub takes in one request goes up in several pushes', async () => {
    const [a, b] = await branchOf3('S06');
    await a.worker.stop();
    // 40 mutations of ~200 kB (arguments kept for a re-run): 8 MB, over half the hub's body limit.
    for (let i = 0; i < 40; i++) a.act('items.create', { id: uuid7(), title: `big ${i}`, pad: 'x'.repeat(200_000) });
    expect(queuedCount(a.db)).toBe(40);
    a.worker.start();
    expect(await until(() => converged('S06', [a, b]), 15_000)).toBe(true);
    const n = await owner.query(
      "SELECT count(*)::int AS n FROM mutations WHERE branch = 'S06' AND outcome = 'applied'",
    );
    expect(n.rows[0].n).toBe(40);
  });

  it('a PC joined while its worker runs starts syncing and listening without a restart', async () => {
    const [a] = await branchOf3('S07');
    a.act('items.create', { id: uuid7(), title: 'before the join' });
    await a.worker.syncNow();
    const db = new BetterSqlite3(':memory:');
    ensureSyncSchema(db);
    const worker = new SyncWorker({ db, mutators: testMutators, intervalMs: 60_000 });
    worker.start();
    expect(await worker.syncNow()).toEqual({ state: 'standalone' });
    await ensureBranch(owner, 'S07');
    const { code } = await issueEnrolCode(owner, 'S07');
    await enrolWorkstation(db, { hubUrl: hub1.url, branch: 'S07', code, name: 'late' });
    expect(await worker.syncNow()).toMatchObject({ state: 'synced', queued: 0 });
    expect(await until(() => worker.listening)).toBe(true);
    expect(listRecords(db, ITEMS).map((r) => r.data?.title)).toEqual(['before the join']);
    await worker.stop();
    db.close();
  });

  it('a revoked PC reports an error with the reason and keeps its queue', async () => {
    const [a] = await branchOf3('S05');
    await a.worker.syncNow();
    const pcId = (a.db.prepare('SELECT pc_id FROM sync_state').get() as { pc_id: string }).pc_id;
    await owner.query('UPDATE pcs SET revoked_at = now() WHERE pc_id = $1', [pcId]);
    a.act('items.create', { id: uuid7(), title: 'kept' });
    const s = await a.worker.syncNow();
    expect(s).toEqual({ state: 'error', queued: 1, reason: 'unauthenticated' });
    expect(queuedCount(a.db)).toBe(1);
  });
});
