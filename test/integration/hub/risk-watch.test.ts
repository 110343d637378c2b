import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { ensureSyncSchema } from '../../../db/sync/schema';
import { type Hub, startHub } from '../../../main/hub/service';
import { enrolWorkstation } from '../../../main/sync/hub-client';
import { startWorkstationSync } from '../../../main/sync/start';
import type { SyncWorker } from '../../../main/sync/worker';
import { DEFAULT_RISK_SETTINGS } from '../../../shared/analytics';
import { riskSettings } from '../../../db/analytics/settings';
import { call, makeWorld, ok, signIn, type World } from '../support/store';
import { ownerPool, startPg, type TestPg } from './support';
import { CablePlug, hubRecords, until, closePcs } from './workstations';

/**
 * 风险预警跟进 through the hub: a follow-up recorded on one PC is on the other (one record per customer,
 * keyed by the customer number), the latest one wins, and a PC whose user may not see the customer is
 * refused locally as before (scope), so nothing is queued.
 */
const BRANCH = 'R01';
let server: TestPg;
let owner: pg.Pool;
let hub: Hub;

interface Pc {
  w: World;
  worker: SyncWorker;
  cable: CablePlug;
  s: Record<string, string>;
}
const pcs: Pc[] = [];
let A: Pc;
let B: Pc;

async function openPc(name: string): Promise<Pc> {
  const w = await makeWorld();
  ensureSyncSchema(w.db);
  const cable = await new CablePlug(hub.port).listen();
  await ensureBranch(owner, BRANCH);
  const { code } = await issueEnrolCode(owner, BRANCH);
  await enrolWorkstation(w.db, { hubUrl: `http://127.0.0.1:${cable.port}`, branch: BRANCH, code, name });
  const worker = startWorkstationSync(w.db, { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 });
  if (!worker) throw new Error('joined store without a sync worker');
  const s: Record<string, string> = {};
  for (const u of ['manager1', 'manager2', 'president', 'admin']) s[u] = await signIn(w, u);
  const pc = { w, worker, cable, s };
  pcs.push(pc);
  return pc;
}

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('riskwatch');
  owner = ownerPool(server, db);
  hub = await startHub({ pg: server.appUrl(db) });
  A = await openPc('A');
  B = await openPc('B');
  for (const p of pcs) expect(await until(() => p.worker.listening)).toBe(true);
}, 60_000);

afterAll(async () => {
  await closePcs(pcs);
  await hub?.close();
  await owner?.end();
  await server?.stop();
});

const followUp = (pc: Pc) =>
  pc.w.db
    .prepare(
      `SELECT c.customer_no AS customerNo, s.employee_no AS owner, w.status, w.note, w.due_on AS dueOn
       FROM risk_watch w JOIN customers c ON c.id = w.customer_id LEFT JOIN staff s ON s.id = w.owner_staff_id`,
    )
    .all();

describe('watch-list follow-ups through the hub', () => {
  it('recorded on A, on B; changed on B, on A; one record keyed by the customer number', async () => {
    const m1a = A.w.ids.customers.m1a;
    const no = (A.w.db.prepare('SELECT customer_no AS n FROM customers WHERE id = ?').get(m1a) as { n: string }).n;
    await ok(
      A.w,
      'risk.followUp',
      {
        customerId: m1a,
        status: 'following',
        ownerStaffId: A.w.ids.staff.manager1,
        note: '已上门走访',
        dueOn: '2026-11-20',
      },
      A.s.manager1,
    );
    const expected = [{ customerNo: no, owner: 'E101', status: 'following', note: '已上门走访', dueOn: '2026-11-20' }];
    expect(followUp(A)).toEqual(expected);
    expect(await until(() => followUp(B).length === 1, 5000)).toBe(true);
    expect(followUp(B)).toEqual(expected);
    const records = await hubRecords(owner, BRANCH);
    expect(Object.keys(records).filter((k) => k.startsWith('risk_watch/'))).toEqual([`risk_watch/${no}`]);

    // the president resolves it on B: A follows, still one record
    await ok(
      B.w,
      'risk.followUp',
      {
        customerId: B.w.ids.customers.m1a,
        status: 'resolved',
        ownerStaffId: B.w.ids.staff.manager1,
        note: '资金已回流',
        dueOn: null,
      },
      B.s.president,
    );
    expect(await until(() => (followUp(A)[0] as { status?: string })?.status === 'resolved', 5000)).toBe(true);
    expect(followUp(A)).toEqual(followUp(B));
    const after = await hubRecords(owner, BRANCH);
    expect(Object.keys(after).filter((k) => k.startsWith('risk_watch/'))).toHaveLength(1);

    // manager2 cannot reach manager1's customer: refused on the PC, nothing queued, nothing changed
    const refused = await call(
      A.w,
      'risk.followUp',
      { customerId: m1a, status: 'open', ownerStaffId: A.w.ids.staff.manager2, note: null, dueOn: null },
      A.s.manager2,
    );
    expect(refused.ok).toBe(false);
    expect((followUp(A)[0] as { status: string }).status).toBe('resolved');
  });

  it("the administrator's risk parameters saved on A are B's too", async () => {
    const changed = { ...DEFAULT_RISK_SETTINGS, riskWeightOverdue: 70, riskLevelHigh: 90 };
    await ok(A.w, 'analytics.saveRisk', changed, A.s.admin);
    expect(riskSettings(A.w.db).value).toEqual(changed);
    expect(await until(() => riskSettings(B.w.db).value.riskWeightOverdue === 70, 5000)).toBe(true);
    expect(riskSettings(B.w.db).value).toEqual(changed);
    // a manager may not configure (refused by the API before anything is queued)
    const refused = await call(A.w, 'analytics.saveRisk', DEFAULT_RISK_SETTINGS, A.s.manager1);
    expect(refused.ok).toBe(false);
    expect(riskSettings(A.w.db).value).toEqual(changed);
  });
});
