import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { queuedCount } from '../../../db/sync/replica';
import { type Hub, startHub } from '../../../main/hub/service';
import { workerOf } from '../../../main/sync/worker';
import { call, makeWorld, ok, signIn, type World } from '../support/store';
import { get, ownerPool, startPg, type TestPg } from './support';
import { CablePlug, until } from './workstations';

/**
 * Joining and leaving through the administrator's API (issue 16, points 1 and 8): sync.join with the
 * one-time code, sync.pcs listing the branch's PCs with last sync and queue, sync.leave. Leaving and
 * re-joining never loses local work: a flag queued while the hub was unreachable stays through leaving
 * and reaches the hub after the PC joins again.
 */
const BRANCH = 'M01';
let server: TestPg;
let owner: pg.Pool;
let hub: Hub;
let cable: CablePlug;
let w: World;
let admin: string;

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('membership');
  owner = ownerPool(server, db);
  hub = await startHub({ pg: server.appUrl(db) });
  cable = await new CablePlug(hub.port).listen();
  await ensureBranch(owner, BRANCH);
  w = await makeWorld();
  admin = await signIn(w, 'admin');
}, 60_000);

afterAll(async () => {
  await workerOf(w?.db)?.stop();
  await w?.close();
  await cable?.close();
  await hub?.close();
  await owner?.end();
  await server?.stop();
});

const hubUrl = () => `http://127.0.0.1:${cable.port}`;

async function join(name: string) {
  const { code } = await issueEnrolCode(owner, BRANCH);
  return ok(w, 'sync.join', { hubUrl: hubUrl(), branch: BRANCH, code, name, caPem: null }, admin);
}

async function flag(): Promise<void> {
  const teller = await signIn(w, 'teller');
  await ok(
    w,
    'referrals.create',
    { customerId: w.ids.customers.m2a, interest: 'wealth', urgency: 'normal', note: '离线时登记' },
    teller,
  );
}

const hubReferrals = async () =>
  (await owner.query("SELECT count(*)::int AS n FROM records WHERE branch = $1 AND tbl = 'referrals'", [BRANCH]))
    .rows[0].n as number;

describe('joining and leaving a hub', () => {
  it('a standalone PC says so; a wrong code is refused in plain terms', async () => {
    expect(await ok(w, 'sync.membership', {}, admin)).toMatchObject({ joined: false, lastHub: null, queued: 0 });
    expect((await ok(w, 'sync.status', {}, admin)).state).toBe('standalone');
    const bad = await call(
      w,
      'sync.join',
      { hubUrl: hubUrl(), branch: BRANCH, code: 'AAAA-BBBB-CCCC-DDDD', name: 'X', caPem: null },
      admin,
    );
    expect(bad.ok ? null : bad.error).toMatchObject({ code: 'CONFLICT', details: { reason: 'enrol_refused' } });
    const teller = await signIn(w, 'teller');
    const denied = await call(w, 'sync.pcs', {}, teller);
    expect(denied.ok ? null : denied.error.code).toBe('FORBIDDEN');
  });

  it('joins with the one-time code; the PC is listed with its last sync and queue', async () => {
    const m = await join('柜台1号机');
    expect(m).toMatchObject({ joined: true, branch: BRANCH, hubUrl: hubUrl() });
    expect(await until(async () => (await ok(w, 'sync.status', {}, admin)).state === 'synced')).toBe(true);
    const pcs = await ok(w, 'sync.pcs', {}, admin);
    expect(pcs).toEqual([
      expect.objectContaining({
        name: '柜台1号机',
        self: true,
        revoked: false,
        queued: 0,
        lastSyncAt: expect.any(String),
      }),
    ]);
    const again = await call(
      w,
      'sync.join',
      { hubUrl: hubUrl(), branch: BRANCH, code: 'x'.repeat(8), name: 'Y', caPem: null },
      admin,
    );
    expect(again.ok ? null : again.error).toMatchObject({ details: { reason: 'already_joined' } });
  });

  it('work queued while the hub is unreachable survives leaving and goes up after re-joining', async () => {
    cable.unplug();
    await flag();
    expect(queuedCount(w.db)).toBe(1);
    expect(await until(async () => (await ok(w, 'sync.status', {}, admin)).state === 'offline')).toBe(true);
    const left = await ok(w, 'sync.leave', {}, admin);
    expect(left).toMatchObject({ joined: false, queued: 1, lastHub: { hubUrl: hubUrl(), branch: BRANCH } });
    expect((await ok(w, 'sync.status', {}, admin)).state).toBe('standalone');
    expect(await hubReferrals()).toBe(0);
    // The local referral is still there for the teller.
    const teller = await signIn(w, 'teller');
    expect((await ok(w, 'referrals.mine', { offset: 0, limit: 10 }, teller)).rows).toHaveLength(1);

    cable.plug();
    await join('柜台1号机');
    expect(
      await until(
        async () =>
          queuedCount(w.db) === 0 && (await hubReferrals()) === 1 && workerOf(w.db)?.status().state === 'synced',
      ),
    ).toBe(true);
    const pcs = await ok(w, 'sync.pcs', {}, admin);
    expect(pcs.filter((p) => p.self)).toHaveLength(1);
    expect(pcs).toHaveLength(2);
  });

  it('leaving while the hub is reachable takes the PC off the hub: its key stops working', async () => {
    const before = (await ok(w, 'sync.membership', {}, admin)).pcId!;
    const secret = (w.db.prepare('SELECT secret FROM sync_state WHERE id = 1').get() as { secret: string }).secret;
    await ok(w, 'sync.leave', {}, admin);
    const r = await get(`${hub.url}/pull?cursor=0`, `Bearer ${BRANCH}:${before}:${secret}`);
    expect(r.status).toBe(401);
    const row = await owner.query('SELECT revoked_at IS NOT NULL AS revoked FROM pcs WHERE pc_id = $1', [before]);
    expect(row.rows[0].revoked).toBe(true);
    const audit = await owner.query("SELECT count(*)::int AS n FROM audit WHERE pc_id = $1 AND action = 'pc.left'", [
      before,
    ]);
    expect(audit.rows[0].n).toBe(1);
  });
});
