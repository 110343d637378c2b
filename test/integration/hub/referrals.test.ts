import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { listConflicts, queuedCount } from '../../../db/sync/replica';
import { ensureSyncSchema, readSyncState } from '../../../db/sync/schema';
import { type Hub, startHub } from '../../../main/hub/service';
import { enrolWorkstation } from '../../../main/sync/hub-client';
import { startWorkstationSync } from '../../../main/sync/start';
import type { SyncWorker } from '../../../main/sync/worker';
import type { Referral } from '../../../shared/api';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createRegistry } from '../../../main/registry';
import { createServices } from '../../../main/services';
import { call, makeWorld, ok, signIn, type World } from '../support/store';
import { enrolTestPc, ownerPool, post, startPg, type TestPg } from './support';
import { CablePlug, hubRecords, until, closePcs, replicasConverged } from './workstations';

/**
 * Referrals on the hub (issue 16, first domain): three workstation services, each its own SQLite store
 * with the same branch (hand-built, as the referral tests do), joined through cuttable cables to two hubs
 * on one PostgreSQL. A teller flags on A, manager1 works it on B, the teller sees the outcome on A; two
 * PCs accept the same referral while apart; B works offline and comes back.
 */
const BRANCH = 'R01';
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

/** The demo users each PC signs in. */
const ROLES: Record<string, string> = {
  teller: 'teller',
  manager1: 'manager',
  manager2: 'manager',
  president: 'president',
};

async function openPc(name: string, hub: Hub, extraProduct: boolean): Promise<Pc> {
  const w = await makeWorld();
  // B's book gets one more product first: INTEGER ids differ between PCs, natural keys do not.
  if (extraProduct)
    w.db.prepare("INSERT INTO products (code, name, category) VALUES ('CD001', '大额存单', 'cd')").run();
  w.db.prepare("INSERT INTO products (code, name, category) VALUES ('WM001', '稳盈理财90天', 'wealth')").run();
  ensureSyncSchema(w.db);
  const cable = await new CablePlug(hub.port).listen();
  await ensureBranch(owner, BRANCH);
  const { code } = await issueEnrolCode(owner, BRANCH);
  await enrolWorkstation(w.db, { hubUrl: `http://127.0.0.1:${cable.port}`, branch: BRANCH, code, name });
  const worker = startWorkstationSync(w.db, { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 });
  if (!worker) throw new Error('joined store without a sync worker');
  const s: Record<string, string> = {};
  for (const u of Object.keys(ROLES)) s[u] = await signIn(w, u);
  const pc = { name, w, worker, cable, s };
  pcs.push(pc);
  return pc;
}

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('referrals');
  owner = ownerPool(server, db);
  // The hub's own resolver (db/hub/actors.ts): the enrolled PC's word for role and staff number, checked.
  hub1 = await startHub({ pg: server.appUrl(db) });
  hub2 = await startHub({ pg: server.appUrl(db) });
  A = await openPc('A', hub1, false);
  B = await openPc('B', hub2, true);
  C = await openPc('C', hub1, false);
  for (const p of pcs) expect(await until(() => p.worker.listening)).toBe(true);
}, 60_000);

afterAll(async () => {
  await closePcs(pcs);
  await hub2?.close();
  await hub1?.close();
  await owner?.end();
  await server?.stop();
});

const queueOf = async (pc: Pc, who = 'manager1') =>
  (await ok(pc.w, 'referrals.queue', { view: 'all', offset: 0, limit: 100 }, pc.s[who])).rows;
const mineOf = async (pc: Pc) => (await ok(pc.w, 'referrals.mine', { offset: 0, limit: 100 }, pc.s.teller)).rows;
/** The referral on a PC by its customer and flag time (its INTEGER id is the PC's own). */
const find = (rows: Referral[], r: Referral) =>
  rows.find((x) => x.customerNo === r.customerNo && x.createdAt === r.createdAt);
/** The referral's opportunities on a PC (source 'referral', one per referral by its dedupe key). */
const opportunities = (pc: Pc, id: number) =>
  pc.w.db
    .prepare(
      "SELECT stage, amount_fen AS fen, lost_reason AS lostReason FROM opportunities WHERE source = 'referral' AND source_ref = ?",
    )
    .all(String(id));
const events = async (pc: Pc, id: number, who = 'manager1') =>
  (await ok(pc.w, 'referrals.get', { id }, pc.s[who])).events.map((e) => `${e.action}:${e.userName}:${e.at}`);

/** Every replica equals the hub, every outbox is empty. */
const converged = (): Promise<boolean> =>
  replicasConverged(
    owner,
    BRANCH,
    pcs.map((p) => p.w.db),
  );
/** Moves a PC's clock on; everyone there signs in again (sessions expire across clock jumps). */
async function advance(pc: Pc, ms: number): Promise<void> {
  pc.w.clock.advance(ms);
  for (const u of Object.keys(ROLES)) pc.s[u] = await signIn(pc.w, u);
}

async function flag(pc: Pc, customer: 'm1a' | 'm1b'): Promise<Referral> {
  // One second apart: a referral is found on the other PCs by its customer and flag time.
  await advance(pc, 1000);
  return ok(
    pc.w,
    'referrals.create',
    { customerId: pc.w.ids.customers[customer], interest: 'wealth', urgency: 'high', note: '客户询问理财' },
    pc.s.teller,
  );
}

describe('referrals through the hub', () => {
  it("a teller's flag on A is in manager1's queue on B within 2 s; B's accept, contact and win reach A", async () => {
    const t0 = performance.now();
    const r = await flag(A, 'm1a');
    expect(await until(async () => find(await queueOf(B), r) !== undefined, 2000)).toBe(true);
    console.info(`flag on A in the queue on B after ${(performance.now() - t0).toFixed(0)} ms`);
    const onB = find(await queueOf(B), r)!;
    expect(onB).toMatchObject({
      status: 'new',
      customerName: r.customerName,
      interest: 'wealth',
      urgency: 'high',
      note: '客户询问理财',
      ownerStaffId: B.w.ids.staff.manager1,
      dueOn: r.dueOn,
      referrerName: r.referrerName,
    });
    expect(await events(B, onB.id)).toEqual(await events(A, r.id, 'teller'));
    // The SLA reminder is in manager1's inbox on B too, as if flagged there.
    const sla = (pc: Pc, id: number) =>
      pc.w.db
        .prepare(
          `SELECT u.username, r.due_on AS dueOn, r.status FROM reminders r JOIN users u ON u.id = r.user_id
           WHERE r.kind = 'referral_sla' AND r.source_type = 'referral' AND r.source_id = ?`,
        )
        .all(String(id));
    expect(sla(B, onB.id)).toEqual([{ username: 'manager1', dueOn: r.dueOn, status: 'open' }]);
    expect(sla(B, onB.id)).toEqual(sla(A, r.id));

    await advance(B, 3_600_000);
    await ok(B.w, 'referrals.accept', { id: onB.id }, B.s.manager1);
    await ok(
      B.w,
      'referrals.contact',
      { id: onB.id, channel: 'call', outcome: 'interested', summary: '约好周三面谈' },
      B.s.manager1,
    );
    const product = B.w.db.prepare("SELECT id FROM products WHERE code = 'WM001'").pluck().get() as number;
    await ok(B.w, 'referrals.win', { id: onB.id, productId: product, amount: '50000.00', note: '已购' }, B.s.manager1);

    expect(await until(async () => find(await mineOf(A), r)?.status === 'won', 3000)).toBe(true);
    const seen = find(await mineOf(A), r)!;
    expect(seen).toMatchObject({
      id: r.id,
      status: 'won',
      wonProductName: '稳盈理财90天',
      wonAmount: '50000.00',
      closeNote: '已购',
    });
    expect(seen.acceptedAt).toBe(B.w.clock.now().toISOString());
    // Closed: exactly one opportunity of source 'referral' on each PC.
    expect(opportunities(A, r.id)).toEqual([{ stage: 'won', fen: 5_000_000, lostReason: null }]);
    expect(opportunities(B, onB.id)).toEqual(opportunities(A, r.id));
    // Contacted on B: the reminder is closed on every PC.
    expect(sla(A, r.id)).toEqual([{ username: 'manager1', dueOn: r.dueOn, status: 'done' }]);
    expect(sla(B, onB.id)).toEqual([{ username: 'manager1', dueOn: r.dueOn, status: 'done' }]);
    expect((await events(A, r.id, 'teller')).map((e) => e.split(':')[0])).toEqual([
      'created',
      'accepted',
      'contacted',
      'won',
    ]);
    // The president on C sees the same referral in the branch's list.
    expect(await until(async () => find(await queueOf(C, 'president'), r)?.status === 'won')).toBe(true);
    expect(await until(converged)).toBe(true);
  });

  it('A and B accept the same referral while apart: one wins, the other gets a 同步冲突 entry and its accept undone', async () => {
    const r = await flag(A, 'm1b');
    expect(await until(async () => find(await queueOf(B), r) !== undefined)).toBe(true);
    const onB = find(await queueOf(B), r)!;
    A.cable.unplug();
    B.cable.unplug();
    expect(await until(() => !A.worker.listening && !B.worker.listening)).toBe(true);

    await advance(A, 60_000);
    await advance(B, 120_000);
    await ok(A.w, 'referrals.accept', { id: r.id }, A.s.manager1);
    await ok(B.w, 'referrals.accept', { id: onB.id }, B.s.manager1);
    const acceptedOnA = A.w.clock.now().toISOString();
    // Each PC shows its own accept at once, offline.
    expect((await ok(B.w, 'referrals.get', { id: onB.id }, B.s.manager1)).status).toBe('accepted');
    expect(B.worker.status()).toMatchObject({ queued: 1 });

    A.cable.plug();
    expect(
      await until(async () => {
        const h = (await hubRecords(owner, BRANCH)) as Record<string, { data: Record<string, unknown> }>;
        return Object.values(h).some((x) => x.data.accepted_at === acceptedOnA);
      }),
    ).toBe(true);
    B.cable.plug();
    expect(await until(() => listConflicts(B.w.db).length === 1, 5000)).toBe(true);
    const [conflict] = listConflicts(B.w.db);
    expect(conflict).toMatchObject({
      name: 'referrals.accept',
      outcome: 'conflict',
      reason: { refused: 'REFERRAL_BAD_STATE', action: 'accept', status: 'accepted' },
    });
    expect(listConflicts(A.w.db)).toEqual([]);
    // The header's poll: synced, and the 同步冲突 list with what B's user did and why it did not hold.
    expect(
      await until(async () => {
        const st = await ok(B.w, 'sync.status', {}, B.s.manager1);
        return st.queued === 0 && st.state === 'synced';
      }),
    ).toBe(true);
    expect(await ok(B.w, 'sync.status', {}, B.s.manager1)).toMatchObject({
      state: 'synced',
      queued: 0,
      reason: null,
      conflicts: [
        {
          action: 'referrals.accept',
          outcome: 'conflict',
          code: 'REFERRAL_BAD_STATE',
          details: {
            action: 'accept',
            status: 'accepted',
            syncId: expect.any(String),
            customerNo: r.customerNo,
            by: 'manager1',
            at: acceptedOnA,
          },
        },
      ],
    });
    expect((await ok(A.w, 'sync.status', {}, A.s.manager1)).conflicts).toEqual([]);
    // Each user sees their own: the teller signed in on B has no conflict to read.
    expect((await ok(B.w, 'sync.status', {}, B.s.teller)).conflicts).toEqual([]);
    expect(conflict!.actor).toEqual({ userId: 'manager1', role: 'manager', staff: expect.any(String) });
    // Audited on B with the undo: the user's accept, failed, on that referral.
    expect(
      B.w.db
        .prepare(
          "SELECT username, action, outcome, target_type, target_id, details FROM audit_log WHERE outcome = 'failed' AND action = 'referrals.accept'",
        )
        .all(),
    ).toEqual([
      {
        username: 'manager1',
        action: 'referrals.accept',
        outcome: 'failed',
        target_type: 'referral',
        target_id: String(onB.id),
        details: expect.stringContaining('"reason":"REFERRAL_BAD_STATE"'),
      },
    ]);
    // B's accept is undone: it shows A's, and its history has one acceptance, A's.
    const after = await ok(B.w, 'referrals.get', { id: onB.id }, B.s.manager1);
    expect(after).toMatchObject({ status: 'accepted', acceptedAt: acceptedOnA });
    expect(after.events.filter((e) => e.action === 'accepted').map((e) => e.at)).toEqual([acceptedOnA]);
    expect(await until(converged)).toBe(true);
    // The winner works it to a close: exactly one opportunity on every PC, whatever became of B's accept.
    await ok(
      A.w,
      'referrals.contact',
      { id: r.id, channel: 'call', outcome: 'interested', summary: '面谈' },
      A.s.manager1,
    );
    const product = A.w.db.prepare("SELECT id FROM products WHERE code = 'WM001'").pluck().get() as number;
    await ok(A.w, 'referrals.win', { id: r.id, productId: product, amount: '8000.00' }, A.s.manager1);
    const onC = async () => find(await queueOf(C, 'president'), r);
    expect(await until(async () => (await onC())?.status === 'won' && (await converged()))).toBe(true);
    const won = [{ stage: 'won', fen: 800_000, lostReason: null }];
    expect(opportunities(A, r.id)).toEqual(won);
    expect(opportunities(B, onB.id)).toEqual(won);
    expect(opportunities(C, (await onC())!.id)).toEqual(won);
  });

  it('B works offline (contact and lose), A flags meanwhile; back online, all converge', async () => {
    const r = await flag(A, 'm1a');
    expect(await until(async () => find(await queueOf(B), r) !== undefined)).toBe(true);
    const onB = find(await queueOf(B), r)!;
    B.cable.unplug();
    expect(await until(() => !B.worker.listening)).toBe(true);
    await ok(B.w, 'referrals.accept', { id: onB.id }, B.s.manager1);
    await ok(
      B.w,
      'referrals.contact',
      { id: onB.id, channel: 'visit', outcome: 'not_interested', summary: '暂不需要' },
      B.s.manager1,
    );
    await ok(B.w, 'referrals.lose', { id: onB.id, reason: 'not_interested', note: '明年再联系' }, B.s.manager1);
    expect(await until(() => B.worker.status().state === 'offline')).toBe(true);
    // Accept, the contact (交往记录, shared too), the contact step, lose.
    expect(B.worker.status()).toMatchObject({ state: 'offline', queued: 4 });
    expect(await ok(B.w, 'sync.status', {}, B.s.manager1)).toMatchObject({ state: 'offline', queued: 4 });
    const other = await flag(A, 'm1b');
    expect(await until(async () => find(await queueOf(C), other) !== undefined)).toBe(true);
    expect(find(await queueOf(B), other)).toBeUndefined();

    B.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    expect(find(await mineOf(A), r)).toMatchObject({ status: 'lost', lostReason: 'not_interested' });
    expect(find(await queueOf(B), other)).toMatchObject({ status: 'new' });
    expect(listConflicts(B.w.db)).toHaveLength(1); // the previous test's, nothing new
    expect(await until(() => B.worker.status().state === 'synced')).toBe(true);
    expect(B.worker.status()).toMatchObject({ state: 'synced', queued: 0 });
  });

  it('won on B while apart, lost on A first: B gets the conflict, and every PC one opportunity, lost', async () => {
    const r = await flag(A, 'm1b');
    expect(await until(async () => find(await queueOf(B), r) !== undefined)).toBe(true);
    const onB = find(await queueOf(B), r)!;
    await ok(A.w, 'referrals.accept', { id: r.id }, A.s.manager1);
    await ok(A.w, 'referrals.contact', { id: r.id, channel: 'call', outcome: 'interested' }, A.s.manager1);
    expect(await until(async () => find(await queueOf(B), r)?.status === 'contacted')).toBe(true);
    B.cable.unplug();
    expect(await until(() => !B.worker.listening)).toBe(true);
    const product = B.w.db.prepare("SELECT id FROM products WHERE code = 'WM001'").pluck().get() as number;
    await ok(B.w, 'referrals.win', { id: onB.id, productId: product, amount: '1000.00' }, B.s.manager1);
    expect(opportunities(B, onB.id)).toEqual([{ stage: 'won', fen: 100_000, lostReason: null }]);
    await ok(A.w, 'referrals.lose', { id: r.id, reason: 'competitor' }, A.s.manager1);
    expect(await until(async () => find(await queueOf(C, 'president'), r)?.status === 'lost')).toBe(true);

    B.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    expect(listConflicts(B.w.db).map((c) => [c.name, c.reason.refused, c.reason.status])).toContainEqual([
      'referrals.win',
      'REFERRAL_BAD_STATE',
      'lost',
    ]);
    expect(await ok(B.w, 'referrals.get', { id: onB.id }, B.s.manager1)).toMatchObject({
      status: 'lost',
      lostReason: 'competitor',
      wonAmount: null,
    });
    const lost = [{ stage: 'lost', fen: null, lostReason: '已选择他行' }];
    expect(opportunities(B, onB.id)).toEqual(lost);
    expect(opportunities(A, r.id)).toEqual(lost);
    expect(opportunities(C, find(await queueOf(C, 'president'), r)!.id)).toEqual(lost);
  });

  it("the president's offline reassign meets manager1's contact: the hub refuses it, C re-runs it on the new state", async () => {
    const r = await flag(A, 'm1a');
    expect(await until(async () => find(await queueOf(C, 'president'), r) !== undefined)).toBe(true);
    const onC = find(await queueOf(C, 'president'), r)!;
    C.cable.unplug();
    expect(await until(() => !C.worker.listening)).toBe(true);
    await ok(
      C.w,
      'referrals.reassign',
      { id: onC.id, toStaffId: C.w.ids.staff.manager2, note: '客户在东城' },
      C.s.president,
    );
    await ok(A.w, 'referrals.accept', { id: r.id }, A.s.manager1);
    await ok(A.w, 'referrals.contact', { id: r.id, channel: 'call', outcome: 'reached' }, A.s.manager1);
    expect(await until(async () => find(await queueOf(B), r)?.status === 'contacted')).toBe(true);

    C.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    // Still valid on the contacted referral: re-run, not a conflict; reassigning keeps it contacted.
    expect(listConflicts(C.w.db)).toEqual([]);
    const pcC = readSyncState(C.w.db).identity!.pcId;
    // The reassign's own outcomes (the customer's scope facts, which the new owner's grant changes, go
    // up as system work of their own: every PC that places the reassign may send them; one applies).
    const outcomes = await owner.query(
      `SELECT outcome FROM mutations WHERE branch = $1 AND pc_id = $2 AND name <> 'customers.scope'
        ORDER BY mutation_id DESC LIMIT 2`,
      [BRANCH, pcC],
    );
    expect(outcomes.rows.map((x) => x.outcome).reverse()).toEqual(['conflict', 'applied']);
    const onB = find(await queueOf(B, 'manager2'), r)!;
    expect(onB).toMatchObject({ status: 'contacted', ownerStaffId: B.w.ids.staff.manager2 });
    expect(find(await queueOf(A), r)).toBeUndefined();
    // The customer is outside manager2's book: the grant C gave with the reassign is given on B too.
    expect(
      B.w.db
        .prepare('SELECT count(*) FROM customer_grants WHERE staff_id = ? AND customer_id = ?')
        .pluck()
        .get(B.w.ids.staff.manager2, B.w.ids.customers.m1a),
    ).toBe(1);
    expect((await ok(B.w, 'customers.get', { id: B.w.ids.customers.m1a }, B.s.manager2)).customerNo).toBe(r.customerNo);
    expect((await events(B, onB.id, 'manager2')).map((e) => e.split(':')[0])).toEqual([
      'created',
      'accepted',
      'contacted',
      'reassigned',
    ]);
  });

  it("the hub refuses what a role may not write: a teller's PC pushing an acceptance, a manager's flag", async () => {
    const rows = (await hubRecords(owner, BRANCH)) as Record<
      string,
      { revision: number; data: Record<string, unknown> }
    >;
    const [key, rec] = Object.entries(rows).find(([, x]) => x.data.status === 'new')!;
    const id = key.split('/')[1]!;
    const pc = await enrolTestPc(`http://127.0.0.1:${hub1.port}`, owner, BRANCH, 'rogue');
    const accepted = { ...rec.data, status: 'accepted', accepted_at: '2026-11-02T05:00:00.000Z' };
    // A complete won row (product, amount, closing time), skipping accept and contact: the state machine says no.
    const wonFields = {
      status: 'won',
      won_product: 'WM001',
      won_amount_fen: 100,
      closed_at: '2026-11-02T05:00:00.000Z',
      closed_on: '2026-11-02',
    };
    const res = await post(
      `http://127.0.0.1:${hub1.port}/push`,
      {
        mutations: [
          {
            id: 1,
            name: 'referrals.accept',
            args: {},
            userId: 'teller',
            role: 'teller',
            effects: [{ table: 'referrals', id, baseRevision: rec.revision, data: accepted }],
          },
          {
            id: 2,
            name: 'referrals.create',
            args: {},
            userId: 'manager1',
            role: 'manager',
            staff: rec.data.owner,
            effects: [
              {
                table: 'referrals',
                id: crypto.randomUUID(),
                baseRevision: 0,
                data: { ...rec.data, referrer: 'manager1' },
              },
            ],
          },
          {
            id: 3,
            name: 'referrals.win',
            args: {},
            userId: 'manager1',
            role: 'manager',
            staff: rec.data.owner,
            effects: [{ table: 'referrals', id, baseRevision: rec.revision, data: { ...rec.data, ...wonFields } }],
          },
          // A manager accepting a referral another manager owns; a user the PC leaves out; a role that is none.
          {
            id: 4,
            name: 'referrals.accept',
            args: {},
            userId: 'manager2',
            role: 'manager',
            staff: 'E-NOT-THE-OWNER',
            effects: [{ table: 'referrals', id, baseRevision: rec.revision, data: accepted }],
          },
          {
            id: 5,
            name: 'referrals.accept',
            args: {},
            effects: [{ table: 'referrals', id, baseRevision: rec.revision, data: accepted }],
          },
          {
            id: 6,
            name: 'referrals.accept',
            args: {},
            userId: 'manager1',
            role: 'root',
            effects: [{ table: 'referrals', id, baseRevision: rec.revision, data: accepted }],
          },
        ],
      },
      pc.token,
    );
    expect(res.status).toBe(200);
    expect(
      res.body.results.map((x: { outcome: string; reason: { code?: string; detail?: string } }) => [
        x.outcome,
        x.reason?.detail ?? x.reason?.code,
      ]),
    ).toEqual([
      ['refused', 'role_cannot_step'],
      ['refused', 'role_cannot_create'],
      ['refused', 'bad_state:new->won'],
      ['refused', 'not_owner'],
      ['refused', 'no_actor'],
      ['refused', 'unknown_user'],
    ]);
    // Locally the same rules stop it before anything is queued: a teller cannot call the step at all.
    const onA = (await mineOf(A)).find((x) => x.status === 'new')!;
    const refused = await call(A.w, 'referrals.accept', { id: onA.id }, A.s.teller);
    expect(refused.ok).toBe(false);
  });

  it("a flag for a customer C's book does not hold yet is placed once the customer arrives there", async () => {
    const add = (pc: Pc) =>
      pc.w.db
        .prepare(
          `INSERT INTO customers (customer_no, kind, name, id_type, id_no, mobile, branch_id, opened_on, manager_staff_id,
             deposit_fen, aum_fen, tier) VALUES ('8000000099', 'individual', '钱新', 'resident_id', '110101199909091231',
             '13300000009', ?, '2026-11-01', ?, 0, 0, 'ordinary')`,
        )
        .run(pc.w.ids.branch, pc.w.ids.staff.manager1).lastInsertRowid as number;
    const customerId = add(A);
    await advance(A, 1000);
    const r = await ok(A.w, 'referrals.create', { customerId, interest: 'card', urgency: 'normal' }, A.s.teller);
    expect(await until(async () => find(await queueOf(B), r) === undefined && (await converged()))).toBe(true);
    // C has the record in its replica but no customer to hang it on: left out, the pull went through.
    expect(find(await queueOf(C, 'president'), r)).toBeUndefined();
    add(C);
    await C.worker.syncNow();
    expect(find(await queueOf(C, 'president'), r)).toMatchObject({
      status: 'new',
      customerName: '钱新',
      interest: 'card',
    });
  });

  it('a store joined to a hub syncs from start-up: the services start its worker, a flag goes up at once', async () => {
    const w = await makeWorld();
    // Standalone until joined: the header has nothing to show.
    expect(await ok(w, 'sync.status', {}, await signIn(w, 'teller'))).toMatchObject({
      state: 'standalone',
      queued: 0,
      reason: null,
      lastSyncAt: null,
      conflicts: [],
    });
    ensureSyncSchema(w.db);
    const { code } = await issueEnrolCode(owner, BRANCH);
    await enrolWorkstation(w.db, { hubUrl: `http://127.0.0.1:${hub1.port}`, branch: BRANCH, code, name: 'D' });
    await w.services.close();
    const services = await createServices({ dbPath: path.join(w.dir, 'crm.db'), mode: 'browser', clock: w.clock });
    try {
      const d: World = { ...w, services, db: services.db, registry: createRegistry(services) };
      const session = await signIn(d, 'teller');
      const r = await ok(
        d,
        'referrals.create',
        { customerId: d.ids.customers.m1b, interest: 'loan', urgency: 'normal' },
        session,
      );
      expect(await until(async () => find(await queueOf(C), r)?.interest === 'loan', 3000)).toBe(true);
      // D's own outbox drains once its cycle has pulled to the end (C can see the flag a moment before).
      expect(await until(() => queuedCount(services.db) === 0, 3000)).toBe(true);
    } finally {
      await services.close();
      rmSync(w.dir, { recursive: true, force: true });
    }
  });

  it('three PCs apart, random steps on shared referrals, back in random order: all agree, nothing half-done', async () => {
    let seed = 20261206;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with a short period.
      return Math.floor(seed / 2 ** 16) % n;
    };
    const flags: Referral[] = [];
    for (let i = 0; i < 6; i++) flags.push(await flag(A, i % 2 ? 'm1a' : 'm1b'));
    expect(await until(async () => (await queueOf(C, 'president')).filter((x) => find(flags, x)).length === 6)).toBe(
      true,
    );
    expect(await until(converged)).toBe(true);
    const syncIds = flags.map((f) => A.w.db.prepare('SELECT sync_id FROM referrals WHERE id = ?').pluck().get(f.id));
    const localId = (pc: Pc, syncId: unknown) =>
      pc.w.db.prepare('SELECT id FROM referrals WHERE sync_id = ?').pluck().get(syncId) as number;
    const product = (pc: Pc) => pc.w.db.prepare("SELECT id FROM products WHERE code = 'WM001'").pluck().get() as number;
    // A step the PC's own state allows (so most are taken locally, and the clashes happen on the hub).
    const attempt = async (pc: Pc) => {
      const id = localId(pc, syncIds[rand(syncIds.length)]);
      const r = await ok(pc.w, 'referrals.get', { id }, pc.s.president);
      const mine = r.ownerStaffId === pc.w.ids.staff.manager1;
      const m = pc.s.manager1;
      const options: (() => ReturnType<typeof call>)[] = [];
      // Reassigning now and then (it sends a referral back to new): the president dispatches, managers work.
      if (r.status !== 'won' && r.status !== 'lost' && rand(mine ? 8 : 2) === 0) {
        const to = mine ? pc.w.ids.staff.manager2 : pc.w.ids.staff.manager1;
        options.push(() => call(pc.w, 'referrals.reassign', { id, toStaffId: to }, pc.s.president));
      }
      if (mine && r.status === 'new') options.push(() => call(pc.w, 'referrals.accept', { id }, m));
      if (mine && (r.status === 'accepted' || r.status === 'contacted')) {
        options.push(() => call(pc.w, 'referrals.contact', { id, channel: 'call', outcome: 'reached' }, m));
        if (rand(3) === 0) options.push(() => call(pc.w, 'referrals.lose', { id, reason: 'unreachable' }, m));
      }
      if (mine && r.status === 'contacted')
        options.push(() => call(pc.w, 'referrals.win', { id, productId: product(pc), amount: '100.00' }, m));
      return options.length ? options[rand(options.length)]!() : { ok: false };
    };
    let done = 0;
    for (let round = 0; round < 4; round++) {
      for (const pc of pcs) pc.cable.unplug();
      for (let i = 0; i < 9; i++) if ((await attempt(pcs[rand(3)]!)).ok) done++;
      const order = [...pcs].sort(() => rand(3) - 1);
      for (const pc of order) {
        pc.cable.plug();
        await new Promise((r) => setTimeout(r, rand(100)));
      }
      expect(await until(converged, 10_000)).toBe(true);
    }
    expect(done).toBeGreaterThan(0);
    const hubNow = (await hubRecords(owner, BRANCH)) as Record<string, { data: Record<string, unknown> }>;
    const statuses = syncIds.map(
      (id) => `${hubNow[`referrals/${id}`]!.data.status}/${hubNow[`referrals/${id}`]!.data.owner}`,
    );
    console.info(
      `storm: ${done} steps taken locally, conflicts ${pcs.map((p) => `${p.name}=${listConflicts(p.w.db).length}`).join(' ')}, ends ${statuses.join(' ')}`,
    );
    const hub = (await hubRecords(owner, BRANCH)) as Record<string, { data: Record<string, unknown> }>;
    for (const syncId of syncIds) {
      const h = hub[`referrals/${syncId}`]!.data;
      for (const pc of pcs) {
        const id = localId(pc, syncId);
        const row = await ok(pc.w, 'referrals.get', { id }, pc.s.president);
        expect(row.status, `${pc.name} ${syncId}`).toBe(h.status);
        expect(row.events.length).toBe((h.events as unknown[]).length);
        // Exactly one opportunity per closed referral, none for an open one, on every PC.
        const opps = opportunities(pc, id) as { stage: string }[];
        expect(opps.map((o) => o.stage)).toEqual(h.status === 'won' || h.status === 'lost' ? [h.status] : []);
      }
    }
    // Every 同步冲突 entry is in the audit log of its PC, as the user's failed act.
    for (const pc of pcs) {
      const failed = pc.w.db
        .prepare("SELECT count(*) FROM audit_log WHERE outcome = 'failed' AND action LIKE 'referrals.%'")
        .pluck()
        .get();
      expect(failed).toBe(listConflicts(pc.w.db).length);
    }
  }, 60_000);
});
