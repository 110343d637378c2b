import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { listConflicts, queuedCount } from '../../../db/sync/replica';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { type Hub, startHub } from '../../../main/hub/service';
import { enrolWorkstation } from '../../../main/sync/hub-client';
import { startWorkstationSync } from '../../../main/sync/start';
import type { SyncWorker } from '../../../main/sync/worker';
import { makeWorld, ok, signIn, type World } from '../support/store';
import { ownerPool, startPg, type TestPg } from './support';
import { CablePlug, hubRecords, replicaRecords, until } from './workstations';

/**
 * The shared records beyond referrals on the hub (issue 16): contacts, opportunities with their stage
 * history, campaigns and their entries. Three workstation services, each its own SQLite store with the
 * same hand-built branch, joined through cuttable cables to two hubs on one PostgreSQL; the hubs resolve
 * and check every mutation's user themselves (db/hub/actors.ts).
 */
const BRANCH = 'D01';
let server: TestPg;
let owner: pg.Pool;
let hub1: Hub;
let hub2: Hub;

interface Pc {
  name: string;
  w: World;
  worker: SyncWorker;
  cable: CablePlug;
  s: Record<string, string>;
}
const pcs: Pc[] = [];
let A: Pc;
let B: Pc;
let C: Pc;
const USERS = ['teller', 'manager1', 'manager2', 'president'];

async function openPc(name: string, hub: Hub): Promise<Pc> {
  const w = await makeWorld();
  ensureSyncSchema(w.db);
  const cable = await new CablePlug(hub.port).listen();
  await ensureBranch(owner, BRANCH);
  const { code } = await issueEnrolCode(owner, BRANCH);
  await enrolWorkstation(w.db, { hubUrl: `http://127.0.0.1:${cable.port}`, branch: BRANCH, code, name });
  const worker = startWorkstationSync(w.db, { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 });
  if (!worker) throw new Error('joined store without a sync worker');
  const s: Record<string, string> = {};
  for (const u of USERS) s[u] = await signIn(w, u);
  const pc = { name, w, worker, cable, s };
  pcs.push(pc);
  return pc;
}

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('domains');
  owner = ownerPool(server, db);
  hub1 = await startHub({ pg: server.appUrl(db) });
  hub2 = await startHub({ pg: server.appUrl(db) });
  A = await openPc('A', hub1);
  B = await openPc('B', hub2);
  C = await openPc('C', hub1);
  for (const p of pcs) expect(await until(() => p.worker.listening)).toBe(true);
}, 60_000);

afterAll(async () => {
  for (const p of pcs) {
    await p.worker.stop();
    await p.cable.close();
    await p.w.close();
  }
  await hub2?.close();
  await hub1?.close();
  await owner?.end();
  await server?.stop();
});

const norm = (o: unknown): string => JSON.stringify(sortKeys(o));
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
        )
      : v;

/** Every replica equals the hub, every outbox is empty. */
async function converged(): Promise<boolean> {
  const hub = norm(await hubRecords(owner, BRANCH));
  return pcs.every((p) => norm(replicaRecords(p.w.db)) === hub && queuedCount(p.w.db) === 0);
}

/** Moves a PC's clock on; everyone there signs in again (sessions expire across clock jumps). */
async function advance(pc: Pc, ms: number): Promise<void> {
  pc.w.clock.advance(ms);
  for (const u of USERS) pc.s[u] = await signIn(pc.w, u);
}

const timeline = async (pc: Pc, who: string, customer: 'm1a' | 'm1b' | 'm2a') =>
  (
    await ok(
      pc.w,
      'contacts.forCustomer',
      { customerId: pc.w.ids.customers[customer], offset: 0, limit: 50 },
      pc.s[who],
    )
  ).rows.map((c) => ({
    channel: c.channel,
    outcome: c.outcome,
    summary: c.summary,
    nextStep: c.nextStep,
    nextStepOn: c.nextStepOn,
    staffName: c.staffName,
    contactedAt: c.contactedAt,
  }));
const workItems = (pc: Pc, username: string) =>
  pc.w.db
    .prepare(
      `SELECT r.due_on AS dueOn, r.status, r.params FROM reminders r JOIN users u ON u.id = r.user_id
       WHERE u.username = ? AND r.kind = 'work_item' ORDER BY r.due_on, r.params`,
    )
    .all(username);

describe('contacts through the hub', () => {
  it("a contact manager1 records on A is in the customer's timeline on B and C, with the next step's reminder", async () => {
    await advance(A, 1000);
    await ok(
      A.w,
      'contacts.record',
      {
        customerId: A.w.ids.customers.m1a,
        channel: 'visit',
        outcome: 'interested',
        summary: '客户考虑大额存单',
        nextStep: '周五回访',
        nextStepOn: '2026-11-06',
      },
      A.s.manager1,
    );
    const onA = await timeline(A, 'manager1', 'm1a');
    expect(onA).toHaveLength(1);
    expect(await until(async () => (await timeline(B, 'manager1', 'm1a')).length === 1, 2000)).toBe(true);
    expect(await timeline(B, 'manager1', 'm1a')).toEqual(onA);
    expect(await until(async () => (await timeline(C, 'president', 'm1a')).length === 1)).toBe(true);
    // The author's next step is a work item in their inbox on every PC.
    expect(workItems(B, 'manager1')).toEqual(workItems(A, 'manager1'));
    expect(workItems(B, 'manager1')).toEqual([{ dueOn: '2026-11-06', status: 'open', params: '{"text":"周五回访"}' }]);
    // The customer's last contact (the stale-customers list) follows too.
    const last = (pc: Pc) =>
      pc.w.db
        .prepare('SELECT last_on, last_at, channel FROM customer_last_contact WHERE customer_id = ?')
        .get(pc.w.ids.customers.m1a);
    expect(last(B)).toEqual(last(A));
    expect(await until(converged)).toBe(true);
  });
});
