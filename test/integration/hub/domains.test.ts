import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { listConflicts, queuedCount } from '../../../db/sync/replica';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { type Hub, startHub } from '../../../main/hub/service';
import { enrolWorkstation } from '../../../main/sync/hub-client';
import { startWorkstationSync } from '../../../main/sync/start';
import type { SyncWorker } from '../../../main/sync/worker';
import { call, makeWorld, ok, signIn, type World } from '../support/store';
import { enrolTestPc, ownerPool, post, startPg, type TestPg } from './support';
import { CablePlug, hubRecords, until, closePcs, canonical, replicasConverged } from './workstations';

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
  await closePcs(pcs);
  await hub2?.close();
  await hub1?.close();
  await owner?.end();
  await server?.stop();
});

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

/** A campaign on a PC, found by name (its INTEGER id is the PC's own). */
const campaignOn = async (pc: Pc, name: string, who = 'president') =>
  (await ok(pc.w, 'campaigns.list', { includeClosed: true }, pc.s[who])).find((c) => c.name === name);
const entriesOn = async (pc: Pc, campaignId: number, who: string) =>
  (await ok(pc.w, 'campaigns.entries', { campaignId, offset: 0, limit: 100 }, pc.s[who])).rows;
const progressOn = async (pc: Pc, campaignId: number) =>
  (await ok(pc.w, 'campaigns.progress', { campaignId }, pc.s.president)).map((p) => ({
    name: p.name,
    total: p.total,
    pending: p.pending,
    contacted: p.contacted,
    won: p.won,
    declined: p.declined,
  }));
const campaignOpportunities = (pc: Pc) =>
  pc.w.db
    .prepare(
      `SELECT c.customer_no AS customerNo, o.stage FROM opportunities o JOIN customers c ON c.id = o.customer_id
       WHERE o.source = 'campaign' ORDER BY c.customer_no`,
    )
    .all();

describe('campaigns through the hub', () => {
  it('the president pushes a campaign on C; manager1 works it on A, manager2 on B; C sees the progress', async () => {
    const made = await ok(
      C.w,
      'campaigns.create',
      { name: '理财季', product: 'wealth', dueOn: '2026-11-30', source: { filter: {} } },
      C.s.president,
    );
    expect(made.total).toBe(6);
    const onA = await (async () => {
      expect(await until(async () => (await campaignOn(A, '理财季', 'manager1')) !== undefined, 2000)).toBe(true);
      return (await campaignOn(A, '理财季', 'manager1'))!;
    })();
    expect(await until(async () => (await campaignOn(B, '理财季', 'manager2')) !== undefined, 2000)).toBe(true);
    const onB = (await campaignOn(B, '理财季', 'manager2'))!;
    // Each manager sees their own entries, as where it was pushed.
    const mineA = await entriesOn(A, onA.id, 'manager1');
    expect(mineA.map((e) => e.customerNo).sort()).toEqual(['8000000001', '8000000002']);
    const mineB = await entriesOn(B, onB.id, 'manager2');
    expect(mineB.map((e) => e.customerNo).sort()).toEqual(['8000000003', '8000000007']);

    await ok(A.w, 'campaigns.setStatus', { entryId: mineA[0]!.id, status: 'contacted', note: '已电话' }, A.s.manager1);
    await ok(A.w, 'campaigns.setStatus', { entryId: mineA[1]!.id, status: 'won', note: '购买理财' }, A.s.manager1);
    await ok(B.w, 'campaigns.setStatus', { entryId: mineB[0]!.id, status: 'declined', note: '无意向' }, B.s.manager2);

    const expected = [
      { name: '李经理', total: 2, pending: 0, contacted: 1, won: 1, declined: 0 },
      { name: '赵经理', total: 2, pending: 1, contacted: 0, won: 0, declined: 1 },
      { name: null, total: 2, pending: 2, contacted: 0, won: 0, declined: 0 },
    ];
    expect(await until(async () => canonical(await progressOn(C, made.id)) === canonical(expected), 3000)).toBe(true);
    expect(await until(converged)).toBe(true);
    // The entries' opportunities (source campaign) are the same on every PC: one per worked entry.
    expect(campaignOpportunities(C)).toEqual(
      [
        { customerNo: mineA[0]!.customerNo, stage: 'contacted' },
        { customerNo: mineA[1]!.customerNo, stage: 'won' },
        { customerNo: mineB[0]!.customerNo, stage: 'lost' },
      ].sort((a, b) => a.customerNo.localeCompare(b.customerNo)),
    );
    expect(campaignOpportunities(A)).toEqual(campaignOpportunities(C));
    expect(campaignOpportunities(B)).toEqual(campaignOpportunities(C));

    // Closed on C while B works offline: the hub refuses B's late work on the closed campaign; B gets a
    // 同步冲突 entry, its entry is back at pending and the opportunity its work made there is gone.
    B.cable.unplug();
    expect(await until(() => !B.worker.listening)).toBe(true);
    await ok(B.w, 'campaigns.setStatus', { entryId: mineB[1]!.id, status: 'contacted' }, B.s.manager2);
    expect(campaignOpportunities(B)).toHaveLength(4);
    await ok(C.w, 'campaigns.close', { id: made.id }, C.s.president);
    expect(await until(async () => (await campaignOn(A, '理财季', 'manager1'))?.status === 'closed')).toBe(true);
    B.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    expect(
      listConflicts(B.w.db).map((c) => [
        c.name,
        c.outcome,
        (c.reason.rule as { detail?: string })?.detail ?? c.reason.detail,
      ]),
    ).toEqual([['campaigns.setStatus', 'refused', 'campaign_closed']]);
    expect((await campaignOn(B, '理财季', 'manager2'))?.status).toBe('closed');
    // Audited on B as manager2's act, failed, on the campaign, with the hub's reason.
    expect(
      B.w.db
        .prepare(
          "SELECT username, target_type, target_id, details FROM audit_log WHERE action = 'campaigns.setStatus' AND outcome = 'failed'",
        )
        .all(),
    ).toEqual([
      {
        username: 'manager2',
        target_type: 'campaign',
        target_id: String(onB.id),
        details: expect.stringContaining('"reason":"campaign_closed"'),
      },
    ]);
    expect((await entriesOn(B, onB.id, 'manager2')).find((e) => e.id === mineB[1]!.id)?.status).toBe('pending');
    expect(campaignOpportunities(B)).toEqual(campaignOpportunities(C));
    expect(canonical(await progressOn(C, made.id))).toBe(canonical(expected));
    // Closed is closed everywhere: no one works it any more, on any PC.
    const refused = await call(A.w, 'campaigns.setStatus', { entryId: mineA[0]!.id, status: 'won' }, A.s.manager1);
    expect(refused.ok).toBe(false);
  });
});

/** A hand-made opportunity on a PC by its title (its INTEGER id is the PC's own). */
const oppOn = async (pc: Pc, title: string, who = 'manager1') =>
  (await ok(pc.w, 'opportunities.list', { filter: {}, offset: 0, limit: 100 }, pc.s[who])).rows.find(
    (o) => o.title === title,
  );
const historyOn = async (pc: Pc, id: number, who = 'manager1') =>
  (await ok(pc.w, 'opportunities.get', { id }, pc.s[who])).history.map(
    (h) => `${h.fromStage}>${h.toStage}:${h.userName}`,
  );

describe('opportunities through the hub', () => {
  it('made on A, moved on B; two moves apart: one holds, the other is re-run or a 同步冲突 entry', async () => {
    const made = await ok(
      A.w,
      'opportunities.create',
      { customerId: A.w.ids.customers.m1b, product: 'loan', amount: '200000.00', title: '经营贷', note: '到店咨询' },
      A.s.manager1,
    );
    expect(await until(async () => (await oppOn(B, '经营贷')) !== undefined, 2000)).toBe(true);
    const onB = (await oppOn(B, '经营贷'))!;
    expect(onB).toMatchObject({ stage: 'identified', amount: '200000.00', product: 'loan', ownerName: '李经理' });
    await ok(B.w, 'opportunities.move', { id: onB.id, to: 'contacted', note: '电话沟通' }, B.s.manager1);
    expect(await until(async () => (await oppOn(A, '经营贷'))?.stage === 'contacted')).toBe(true);
    expect(await historyOn(A, made.id)).toEqual(await historyOn(B, onB.id));

    // Apart: A moves it to a proposal, B closes it as lost; A is back first, so B's close meets a proposal.
    A.cable.unplug();
    B.cable.unplug();
    expect(await until(() => !A.worker.listening && !B.worker.listening)).toBe(true);
    await ok(A.w, 'opportunities.move', { id: made.id, to: 'proposal' }, A.s.manager1);
    await ok(B.w, 'opportunities.move', { id: onB.id, to: 'lost', lostReason: '利率不合适' }, B.s.manager1);
    A.cable.plug();
    expect(await until(async () => (await oppOn(C, '经营贷', 'president'))?.stage === 'proposal')).toBe(true);
    B.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    // Lost is allowed from a proposal too: B's step is re-run on the new state and holds, after A's.
    for (const pc of [A, B, C]) {
      const o = (await oppOn(pc, '经营贷', 'president'))!;
      expect(o.stage).toBe('lost');
      expect(await historyOn(pc, o.id, 'president')).toEqual([
        'null>identified:manager1',
        'identified>contacted:manager1',
        'contacted>proposal:manager1',
        'proposal>lost:manager1',
      ]);
    }
    expect(listConflicts(B.w.db).filter((c) => c.name.startsWith('opportunities.'))).toEqual([]);

    // A second one: won on A, moved back a stage on B apart. Won is final: B's move is a 同步冲突 entry.
    const two = await ok(
      A.w,
      'opportunities.create',
      { customerId: A.w.ids.customers.m1a, product: 'wealth', title: '理财升级' },
      A.s.manager1,
    );
    await ok(A.w, 'opportunities.move', { id: two.id, to: 'proposal' }, A.s.manager1);
    expect(await until(async () => (await oppOn(B, '理财升级'))?.stage === 'proposal')).toBe(true);
    const twoB = (await oppOn(B, '理财升级'))!;
    B.cable.unplug();
    expect(await until(() => !B.worker.listening)).toBe(true);
    await ok(B.w, 'opportunities.move', { id: twoB.id, to: 'negotiating', note: '谈费率' }, B.s.manager1);
    await ok(A.w, 'opportunities.move', { id: two.id, to: 'won', amount: '300000.00' }, A.s.manager1);
    expect(await until(async () => (await oppOn(C, '理财升级', 'president'))?.stage === 'won')).toBe(true);
    B.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    expect(
      listConflicts(B.w.db)
        .filter((c) => c.name.startsWith('opportunities.'))
        .map((c) => [c.name, c.reason.refused, c.reason.from, c.reason.to]),
    ).toEqual([['opportunities.move', 'OPPORTUNITY_STAGE', 'won', 'negotiating']]);
    expect(await oppOn(B, '理财升级')).toMatchObject({
      stage: 'won',
      amount: '300000.00',
    });
    // Audited on B: the user's move, failed.
    expect(
      B.w.db
        .prepare(
          "SELECT username, outcome, target_type, target_id FROM audit_log WHERE action = 'opportunities.move' AND outcome = 'failed'",
        )
        .all(),
    ).toEqual([{ username: 'manager1', outcome: 'failed', target_type: 'opportunity', target_id: String(twoB.id) }]);
  });

  it("the hub refuses a manager's move of another manager's opportunity", async () => {
    const rows = (await hubRecords(owner, BRANCH)) as Record<
      string,
      { revision: number; data: Record<string, unknown> }
    >;
    const [key, rec] = Object.entries(rows).find(([k, x]) => k.startsWith('opportunities/') && x.data.stage === 'won')!;
    const id = key.split('/')[1]!;
    const pcId = 'rogue';
    const pc = await enrolTestPc(`http://127.0.0.1:${hub1.port}`, owner, BRANCH, pcId);
    const moved = { ...rec.data, note: '改别人的商机' };
    const res = await post(
      `http://127.0.0.1:${hub1.port}/push`,
      {
        mutations: [
          {
            id: 1,
            name: 'opportunities.update',
            args: {},
            userId: 'manager2',
            role: 'manager',
            staff: 'E102',
            effects: [{ table: 'opportunities', id, baseRevision: rec.revision, data: moved }],
          },
          {
            id: 2,
            name: 'opportunities.update',
            args: {},
            userId: 'teller',
            role: 'teller',
            staff: 'E201',
            effects: [{ table: 'opportunities', id, baseRevision: rec.revision, data: moved }],
          },
        ],
      },
      pc.token,
    );
    expect(
      res.body.results.map((r: { reason: { code: string; detail?: string } }) => r.reason.detail ?? r.reason.code),
    ).toEqual(['not_owner', 'permission']);
  });
});

describe('a day offline', () => {
  it('B works a day offline (contacts, stage moves, a reminder done), A works on; back online, all converge', async () => {
    // A next step recorded on A: manager1's work item is on every PC.
    await ok(
      A.w,
      'contacts.record',
      {
        customerId: A.w.ids.customers.m1b,
        channel: 'call',
        outcome: 'reached',
        nextStep: '送资料',
        nextStepOn: '2026-11-09',
      },
      A.s.manager1,
    );
    const item = (pc: Pc) =>
      pc.w.db
        .prepare(
          `SELECT r.id, r.status, r.closed_at AS closedAt FROM reminders r JOIN users u ON u.id = r.user_id
           WHERE u.username = 'manager1' AND r.kind = 'work_item' AND r.params LIKE '%送资料%'`,
        )
        .get() as { id: number; status: string; closedAt: string | null } | undefined;
    expect(await until(() => item(B) !== undefined && item(C) !== undefined, 2000)).toBe(true);
    expect(await until(converged)).toBe(true);

    const conflictsBefore = listConflicts(B.w.db).length;
    B.cable.unplug();
    expect(await until(() => !B.worker.listening)).toBe(true);
    await advance(B, 86_400_000);
    await ok(B.w, 'reminders.done', { ids: [item(B)!.id] }, B.s.manager1);
    await ok(
      B.w,
      'contacts.record',
      { customerId: B.w.ids.customers.m1b, channel: 'visit', outcome: 'interested', summary: '资料已送达' },
      B.s.manager1,
    );
    const opp = await ok(
      B.w,
      'opportunities.create',
      { customerId: B.w.ids.customers.m1b, product: 'deposit', title: '大额存单' },
      B.s.manager1,
    );
    await ok(B.w, 'opportunities.move', { id: opp.id, to: 'contacted' }, B.s.manager1);
    await ok(B.w, 'opportunities.move', { id: opp.id, to: 'proposal', note: '三年期' }, B.s.manager1);
    await ok(
      B.w,
      'contacts.record',
      { customerId: B.w.ids.customers.m2a, channel: 'sms', outcome: 'reached', summary: '短信已回' },
      B.s.manager2,
    );
    expect(await until(() => B.worker.status().state === 'offline')).toBe(true);
    expect(queuedCount(B.w.db)).toBe(6);
    // A works on meanwhile: a contact of its own.
    await advance(A, 3_600_000);
    await ok(
      A.w,
      'contacts.record',
      { customerId: A.w.ids.customers.m1b, channel: 'wechat', outcome: 'reached', summary: '微信确认' },
      A.s.manager1,
    );

    B.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    expect(listConflicts(B.w.db)).toHaveLength(conflictsBefore);
    // Done on B is done on A and C, with B's time.
    expect(item(A)).toMatchObject({ status: 'done', closedAt: item(B)!.closedAt });
    expect(item(C)).toMatchObject({ status: 'done' });
    // Every PC shows the same three contacts of m1b, newest first, and the opportunity at its stage.
    const m1b = await timeline(A, 'manager1', 'm1b');
    expect(m1b.map((c) => c.channel)).toEqual(['visit', 'wechat', 'call']);
    expect(await timeline(B, 'manager1', 'm1b')).toEqual(m1b);
    expect(await timeline(C, 'president', 'm1b')).toEqual(m1b);
    expect(await timeline(A, 'manager2', 'm2a')).toHaveLength(1);
    for (const pc of [A, C]) {
      const o = (await oppOn(pc, '大额存单'))!;
      expect(o.stage).toBe('proposal');
      expect(await historyOn(pc, o.id)).toEqual(await historyOn(B, opp.id));
    }
  });
});

describe('lists, saved queries and favourites through the hub', () => {
  const listsOf = async (pc: Pc, who = 'manager1') => await ok(pc.w, 'lists.list', {}, pc.s[who]);
  const membersOf = (pc: Pc, listId: number) =>
    pc.w.db
      .prepare(
        'SELECT c.customer_no FROM customer_list_members m JOIN customers c ON c.id = m.customer_id WHERE m.list_id = ? ORDER BY 1',
      )
      .pluck()
      .all(listId);

  it("manager1's list, query and stars follow them to every PC; their changes on B reach A", async () => {
    const made = await ok(A.w, 'lists.save', { name: '重点客户', shared: true }, A.s.manager1);
    await ok(
      A.w,
      'lists.add',
      { listId: made.id, customerIds: [A.w.ids.customers.m1a, A.w.ids.customers.m1b] },
      A.s.manager1,
    );
    const q = await ok(A.w, 'queries.save', { name: '高净值', shared: false, filter: {} }, A.s.manager1);
    await ok(A.w, 'favorites.set', { customerId: A.w.ids.customers.m1a, on: true }, A.s.manager1);

    expect(await until(async () => (await listsOf(B)).find((l) => l.name === '重点客户')?.members === 2, 3000)).toBe(
      true,
    );
    const onB = (await listsOf(B)).find((l) => l.name === '重点客户')!;
    expect(onB).toMatchObject({ shared: true, mine: true, members: 2 });
    // Shared: the president sees it on C too.
    expect(await until(async () => (await listsOf(C, 'president')).some((l) => l.name === '重点客户'))).toBe(true);
    expect((await ok(B.w, 'queries.list', {}, B.s.manager1)).map((x) => x.name)).toContain(q.name);
    expect(await ok(B.w, 'favorites.which', { customerIds: [B.w.ids.customers.m1a] }, B.s.manager1)).toEqual([
      B.w.ids.customers.m1a,
    ]);

    // On B: one member out, renamed, the star cleared, the query deleted.
    await ok(B.w, 'lists.remove', { listId: onB.id, customerIds: [B.w.ids.customers.m1b] }, B.s.manager1);
    await ok(B.w, 'lists.save', { id: onB.id, name: '重点客户（跟进）', shared: true }, B.s.manager1);
    await ok(B.w, 'favorites.set', { customerId: B.w.ids.customers.m1a, on: false }, B.s.manager1);
    const qB = (await ok(B.w, 'queries.list', {}, B.s.manager1)).find((x) => x.name === q.name)!;
    await ok(B.w, 'queries.delete', { id: qB.id }, B.s.manager1);
    expect(await until(async () => (await listsOf(A)).some((l) => l.name === '重点客户（跟进）'))).toBe(true);
    expect(await until(converged)).toBe(true);
    expect(membersOf(A, made.id)).toEqual(['8000000001']);
    expect(await ok(A.w, 'favorites.which', { customerIds: [A.w.ids.customers.m1a] }, A.s.manager1)).toEqual([]);
    expect((await ok(A.w, 'queries.list', {}, A.s.manager1)).map((x) => x.name)).not.toContain(q.name);

    // A PC that names manager2 as the owner of a member of manager1's list: the hub checks the list itself.
    const listId = (
      await owner.query("SELECT id FROM records WHERE branch = $1 AND tbl = 'lists' AND NOT deleted", [BRANCH])
    ).rows[0].id as string;
    const rogue = await enrolTestPc(`http://127.0.0.1:${hub2.port}`, owner, BRANCH, 'rogue-lists');
    const forged = await post(
      `http://127.0.0.1:${hub2.port}/push`,
      {
        mutations: [
          {
            id: 1,
            name: 'lists.state',
            args: {},
            userId: 'manager2',
            role: 'manager',
            staff: 'E102',
            effects: [
              {
                table: 'list_members',
                id: `${listId}:8000000003`,
                baseRevision: 0,
                data: { list: listId, customer_no: '8000000003', owner: 'manager2' },
              },
            ],
          },
        ],
      },
      rogue.token,
    );
    expect(forged.body.results.map((x: { reason: { detail?: string } }) => x.reason.detail)).toEqual([
      'not_list_owner',
    ]);

    // Two lists of one name made on A and B while apart: both are kept on every PC.
    A.cable.unplug();
    B.cable.unplug();
    expect(await until(() => !A.worker.listening && !B.worker.listening)).toBe(true);
    await ok(A.w, 'lists.save', { name: '同名', shared: false }, A.s.manager1);
    await ok(B.w, 'lists.save', { name: '同名', shared: false }, B.s.manager1);
    A.cable.plug();
    B.cable.plug();
    expect(await until(converged, 8000)).toBe(true);
    for (const pc of [A, B, C]) {
      // Each PC shows the one it made (or the first to arrive) as named, the other told apart by its id.
      const names = (await listsOf(pc)).filter((l) => l.name.startsWith('同名')).map((l) => l.name);
      expect(names).toHaveLength(2);
      expect(names).toContain('同名');
    }

    // Deleted on A: gone everywhere, members and all, on the hub too.
    await ok(A.w, 'lists.delete', { id: made.id }, A.s.manager1);
    for (const pc of [A, B]) {
      const same = (await listsOf(pc)).filter((l) => l.name.startsWith('同名'));
      for (const l of same) await ok(pc.w, 'lists.delete', { id: l.id }, pc.s.manager1);
      if (same.length) break;
    }
    expect(await until(async () => !(await listsOf(C, 'president')).some((l) => l.name.startsWith('重点客户')))).toBe(
      true,
    );
    expect(await until(converged)).toBe(true);
    const live = await owner.query(
      "SELECT count(*)::int AS n FROM records WHERE branch = $1 AND tbl IN ('lists', 'list_members') AND NOT deleted",
      [BRANCH],
    );
    expect(live.rows[0].n).toBe(0);
  });
});

describe('derived records', () => {
  it('a rule opportunity derived on A and B apart is one record and one row on every PC, moved as one', async () => {
    // The same extract on every PC: m1a is a gold customer whose birthday is in three days.
    for (const pc of pcs)
      pc.w.db
        .prepare("UPDATE customers SET tier = 'gold', birth_date = '1990-11-05' WHERE id = ?")
        .run(pc.w.ids.customers.m1a);
    const ruleOpps = (pc: Pc) =>
      pc.w.db
        .prepare(
          `SELECT o.stage, o.rule_code AS rule, o.due_on AS dueOn FROM opportunities o JOIN customers c ON c.id = o.customer_id
           WHERE o.source = 'rule' AND c.customer_no = '8000000001'`,
        )
        .all();
    A.cable.unplug();
    B.cable.unplug();
    expect(await until(() => !A.worker.listening && !B.worker.listening)).toBe(true);
    for (const pc of [A, B]) {
      const admin = await signIn(pc.w, 'admin');
      const run = await ok(pc.w, 'rules.run', {}, admin);
      expect(run.find((r) => r.code === 'gold_birthday')?.created).toBe(1);
      await pc.worker.syncNow().catch(() => undefined);
    }
    // manager1 works it on A at once, still offline: it goes up as derived, then as their step on it.
    const onA = (
      await ok(A.w, 'opportunities.list', { filter: { source: 'rule' }, offset: 0, limit: 10 }, A.s.manager1)
    ).rows[0]!;
    await ok(A.w, 'opportunities.move', { id: onA.id, to: 'contacted', note: '生日问候' }, A.s.manager1);
    A.cable.plug();
    B.cable.plug();
    const hubRuleOpps = () =>
      owner.query(
        "SELECT id, data->>'stage' AS stage FROM records WHERE branch = $1 AND tbl = 'opportunities' AND data->>'source' = 'rule'",
        [BRANCH],
      );
    expect(await until(async () => (await hubRuleOpps()).rows.length > 0 && (await converged()), 8000)).toBe(true);
    const hubOpps = await hubRuleOpps();
    expect(hubOpps.rows).toHaveLength(1);
    expect(hubOpps.rows[0].id).toMatch(/^rule:gold_birthday:8000000001:[0-9a-f]{16}$/);
    const one = [{ stage: 'contacted', rule: 'gold_birthday', dueOn: '2026-11-05' }];
    // C never ran the rule: it has the opportunity from the hub. A second run on B makes nothing new.
    for (const pc of pcs) expect(await until(() => canonical(ruleOpps(pc)) === canonical(one))).toBe(true);
    for (const pc of pcs) expect(ruleOpps(pc)).toEqual(one);
    expect(
      (await ok(B.w, 'rules.run', {}, await signIn(B.w, 'admin'))).find((r) => r.code === 'gold_birthday')?.created,
    ).toBe(0);
    expect(listConflicts(A.w.db).filter((c) => c.name === 'opportunities.derive')).toEqual([]);
    expect(listConflicts(B.w.db).filter((c) => c.name === 'opportunities.derive')).toEqual([]);

    // manager1 works it on C: the move reaches A and B.
    const onC = (
      await ok(C.w, 'opportunities.list', { filter: { source: 'rule' }, offset: 0, limit: 10 }, C.s.manager1)
    ).rows[0]!;
    await ok(C.w, 'opportunities.move', { id: onC.id, to: 'proposal', note: '推荐生日礼遇' }, C.s.manager1);
    for (const pc of [A, B])
      expect(await until(() => (ruleOpps(pc)[0] as { stage: string }).stage === 'proposal')).toBe(true);
    expect(listConflicts(A.w.db).filter((c) => c.name.startsWith('opportunities.'))).toEqual([]);
    expect(await until(converged)).toBe(true);
  });
});
