import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { queuedCount } from '../../../db/sync/replica';
import { seedLocalWork } from '../../../db/sync/seed';
import { type Hub, startHub } from '../../../main/hub/service';
import { joinHub, leaveHub } from '../../../main/sync/join';
import { workerOf } from '../../../main/sync/worker';
import { makeWorld, ok, signIn, type World } from '../support/store';
import { ownerPool, startPg, type TestPg } from './support';
import { until } from './workstations';

/**
 * Issue 16, "leaving or re-joining a hub never loses local work": what a branch did on a standalone PC
 * before it joined a hub (a referral flagged and accepted, a contact, a hand-made opportunity, a campaign
 * with a worked entry, a list, a saved query, a star) reaches the hub at the join, each in its author's
 * name and accepted by the hub's rules, exactly once: joining again after leaving queues none of it twice.
 */
const BRANCH = 'P01';
let server: TestPg;
let owner: pg.Pool;
let hub: Hub;
let w: World;

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('seed');
  owner = ownerPool(server, db);
  hub = await startHub({ pg: server.appUrl(db) });
  await ensureBranch(owner, BRANCH);
  w = await makeWorld();
}, 60_000);

afterAll(async () => {
  await workerOf(w?.db)?.stop();
  await w?.close();
  await hub?.close();
  await owner?.end();
  await server?.stop();
});

async function join(name: string) {
  const { code } = await issueEnrolCode(owner, BRANCH);
  return joinHub(
    w.db,
    { hubUrl: hub.url, branch: BRANCH, code, name },
    { userId: 'admin', role: 'admin' },
    { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 },
  );
}

const synced = async () => (await workerOf(w.db)!.syncNow()).state === 'synced' && queuedCount(w.db) === 0;

/** The hub's live records of the branch per table, and every processed mutation's outcome. */
async function onHub() {
  const r = await owner.query(
    'SELECT tbl, count(*)::int AS n FROM records WHERE branch = $1 AND NOT deleted GROUP BY tbl ORDER BY tbl',
    [BRANCH],
  );
  const m = await owner.query(
    'SELECT outcome, count(*)::int AS n FROM mutations WHERE branch = $1 GROUP BY outcome ORDER BY outcome',
    [BRANCH],
  );
  return {
    records: Object.fromEntries(r.rows.map((x) => [x.tbl, x.n])) as Record<string, number>,
    outcomes: Object.fromEntries(m.rows.map((x) => [x.outcome, x.n])) as Record<string, number>,
  };
}

describe('work made before joining a hub', () => {
  it('reaches the hub at the join in its authors’ names, and only once when the PC joins again', async () => {
    const [teller, manager1, president] = [
      await signIn(w, 'teller'),
      await signIn(w, 'manager1'),
      await signIn(w, 'president'),
    ];
    const c = w.ids.customers;
    // Standalone: the branch works as it always did.
    const flagged = await ok(
      w,
      'referrals.create',
      { customerId: c.m1a, interest: 'wealth', urgency: 'normal', note: '独立运行时登记' },
      teller,
    );
    await ok(w, 'referrals.accept', { id: flagged.id }, manager1);
    await ok(
      w,
      'contacts.record',
      { customerId: c.m1a, channel: 'call', outcome: 'interested', summary: '独立时电话' },
      manager1,
    );
    await ok(
      w,
      'opportunities.create',
      { customerId: c.m1b, product: 'loan', amount: '50000.00', title: '经营贷' },
      manager1,
    );
    const list = await ok(w, 'lists.save', { name: '独立名单', shared: false }, manager1);
    await ok(w, 'lists.add', { listId: list.id, customerIds: [c.m1a, c.m1b] }, manager1);
    await ok(w, 'queries.save', { name: '独立查询', shared: false, filter: {} }, manager1);
    await ok(w, 'favorites.set', { customerId: c.m1b, on: true }, manager1);
    const campaign = await ok(
      w,
      'campaigns.create',
      { name: '独立活动', product: 'wealth', dueOn: '2026-11-30', source: { filter: {} } },
      president,
    );
    const entries = await ok(w, 'campaigns.entries', { campaignId: campaign.id, offset: 0, limit: 100 }, manager1);
    await ok(w, 'campaigns.setStatus', { entryId: entries.rows[0]!.id, status: 'contacted', note: '已联系' }, manager1);

    // A contact by someone disabled since: the hub would refuse it (and a refused creation is undone on the
    // PC), so it stays local, counted, and is not lost.
    const manager2 = await signIn(w, 'manager2');
    await ok(
      w,
      'contacts.record',
      { customerId: c.m2a, channel: 'visit', outcome: 'reached', summary: '停用前' },
      manager2,
    );
    w.db.prepare("UPDATE users SET disabled = 1 WHERE username = 'manager2'").run();

    const joined = await join('P01-A');
    expect(joined.work).toMatchObject({
      referrals: 1,
      contacts: 1,
      opportunities: 1,
      campaigns: 1,
      lists: 1,
      queries: 1,
      favorites: 1,
      skipped: 1,
    });
    expect(await until(synced, 10_000)).toBe(true);
    const first = await onHub();
    // Nothing refused or in conflict: every step passed the rules the hub checks live work with.
    expect(first.outcomes).toEqual({ applied: expect.any(Number) });
    expect(first.records).toMatchObject({
      referrals: 1,
      contacts: 1,
      opportunities: 1,
      campaigns: 1,
      campaign_entries: campaign.total,
      lists: 1,
      list_members: 2,
      saved_queries: 1,
      favorites: 1,
    });
    const referral = await owner.query("SELECT data, revision FROM records WHERE branch = $1 AND tbl = 'referrals'", [
      BRANCH,
    ]);
    // The flag by the teller, then the acceptance by manager1: two steps, as they were taken.
    expect(Number(referral.rows[0].revision)).toBe(2);
    expect(referral.rows[0].data).toMatchObject({ status: 'accepted', referrer: 'teller', owner: 'E101' });
    const who = await owner.query(
      "SELECT name, user_id FROM mutations WHERE branch = $1 AND name LIKE 'referrals.%' ORDER BY mutation_id",
      [BRANCH],
    );
    expect(who.rows).toEqual([
      { name: 'referrals.create', user_id: 'teller' },
      { name: 'referrals.seed', user_id: 'manager1' },
    ]);
    const worked = await owner.query(
      "SELECT data FROM records WHERE branch = $1 AND tbl = 'campaign_entries' AND data->>'status' <> 'pending'",
      [BRANCH],
    );
    expect(worked.rows.map((r) => r.data)).toEqual([
      expect.objectContaining({ status: 'contacted', note: '已联系', updated_by: 'manager1' }),
    ]);

    expect(w.db.prepare("SELECT count(*) FROM contacts WHERE summary = '停用前'").pluck().get()).toBe(1);
    // Asked again (a join retried): nothing more is queued.
    expect(seedLocalWork(w.db)).toMatchObject({ referrals: 0, contacts: 0, campaigns: 0, lists: 0, favorites: 0 });
    expect(queuedCount(w.db)).toBe(0);
    // Leaving and joining again (a new enrolment of the same PC): nothing is queued twice.
    await leaveHub(w.db);
    const again = await join('P01-A-again');
    const { skipped, ...queuedAgain } = again.work;
    expect(Object.values(queuedAgain).every((n) => n === 0)).toBe(true);
    // The disabled user's contact is still left local, still counted.
    expect(skipped).toBe(1);
    expect(await until(synced, 10_000)).toBe(true);
    expect((await onHub()).records).toEqual(first.records);
  });
});
