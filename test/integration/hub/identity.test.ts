import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { hubUsers } from '../../../db/hub/users';
import { listConflicts, queuedCount } from '../../../db/sync/replica';
import { type Hub, startHub } from '../../../main/hub/service';
import { joinHub } from '../../../main/sync/join';
import { workerOf } from '../../../main/sync/worker';
import { call, makeWorld, ok, signIn, type World } from '../support/store';
import { ownerPool, post, startPg, type TestPg } from './support';
import { CablePlug, until } from './workstations';

/**
 * Identity on the hub (issue 16, point 6): two workstation services, each its own SQLite store with the
 * same branch, joined to one hub on a real PostgreSQL. Accounts, roles and password hashes live on the
 * hub: the administrator creates a user on A who signs in on B; a password changed on B works on A;
 * B signs in offline with the last synced hash; a user disabled on A is signed out on B at its next
 * sync; a dual-control reset requested on A is approved on B; the hub refuses account writes from a
 * role that may not make them.
 */
const BRANCH = 'U01';
let server: TestPg;
let owner: pg.Pool;
let hub: Hub;

interface Pc {
  name: string;
  w: World;
  cable: CablePlug;
}
let A: Pc;
let B: Pc;
const FIRST_PASSWORD = 'Start#2026xyQ';
const NEW_PASSWORD = 'Qz7!mLp2#vRt';

async function openPc(name: string): Promise<Pc> {
  const w = await makeWorld();
  // The same staff member is in both PCs' books (each imports the branch's staff extract).
  w.db
    .prepare("INSERT INTO staff (employee_no, name, branch_id, position) VALUES ('E202', '钱柜员', ?, 'teller')")
    .run(w.ids.outlet);
  const cable = await new CablePlug(hub.port).listen();
  await ensureBranch(owner, BRANCH);
  const { code } = await issueEnrolCode(owner, BRANCH);
  await joinHub(
    w.db,
    { hubUrl: `http://127.0.0.1:${cable.port}`, branch: BRANCH, code, name },
    { userId: 'admin', role: 'admin' },
    { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 },
  );
  return { name, w, cable };
}

const worker = (pc: Pc) => workerOf(pc.w.db)!;
const synced = async (pc: Pc) => {
  const s = await worker(pc).syncNow();
  return s.state === 'synced' && queuedCount(pc.w.db) === 0;
};
const hashOf = (pc: Pc, username: string) =>
  (pc.w.db.prepare('SELECT password_hash FROM users WHERE username = ?').get(username) as { password_hash: string })
    ?.password_hash;

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('identity');
  owner = ownerPool(server, db);
  hub = await startHub({ pg: server.appUrl(db) });
  A = await openPc('A');
  expect(await until(() => synced(A), 10_000)).toBe(true);
  B = await openPc('B');
  expect(await until(() => synced(B), 10_000)).toBe(true);
}, 60_000);

afterAll(async () => {
  for (const p of [A, B]) {
    if (!p) continue;
    await workerOf(p.w.db)?.stop();
    await p.cable.close();
    await p.w.close();
  }
  await hub?.close();
  await owner?.end();
  await server?.stop();
});

describe('accounts on the hub', () => {
  it("the first PC brings its accounts; the second PC's accounts become the hub's, without a conflict", async () => {
    const onHub = await hubUsers(owner, BRANCH);
    expect(onHub.map((u) => u.username).sort()).toEqual(['admin', 'manager1', 'manager2', 'president', 'teller']);
    expect(onHub.find((u) => u.username === 'manager1')?.role).toBe('manager');
    // B had its own hashes for the same names (its own salts): the hub's (A's) replaced them.
    for (const u of ['admin', 'teller', 'president']) expect(hashOf(B, u)).toBe(hashOf(A, u));
    expect(listConflicts(B.w.db)).toEqual([]);
    // Signing in on B still works with the (same) password, now checked against A's hash.
    await signIn(B.w, 'teller');
  });

  it('the administrator creates a user on A who signs in on B, changes the password there, and signs in on A with it', async () => {
    const admin = await signIn(A.w, 'admin');
    const staff = A.w.db.prepare("SELECT id FROM staff WHERE employee_no = 'E202'").get() as { id: number };
    await ok(
      A.w,
      'users.create',
      { username: 'Teller2', displayName: '钱柜员', role: 'teller', staffId: staff.id, password: FIRST_PASSWORD },
      admin,
    );
    expect(await until(async () => (await synced(A)) && (await synced(B)) && hashOf(B, 'Teller2') !== undefined)).toBe(
      true,
    );
    // On B: same account, B's own staff id for E202, must change the password first.
    const onB = B.w.db
      .prepare(
        'SELECT u.role, s.employee_no AS staff, u.must_change_password AS must FROM users u JOIN staff s ON s.id = u.staff_id WHERE u.username = ?',
      )
      .get('teller2');
    expect(onB).toEqual({ role: 'teller', staff: 'E202', must: 1 });
    const s = await signIn(B.w, 'teller2', FIRST_PASSWORD);
    expect((await ok(B.w, 'auth.me', {}, s)).mustChangePassword).toBe(true);
    await ok(B.w, 'auth.changePassword', { currentPassword: FIRST_PASSWORD, newPassword: NEW_PASSWORD }, s);
    expect(
      await until(async () => (await synced(B)) && (await synced(A)) && hashOf(A, 'teller2') === hashOf(B, 'teller2')),
    ).toBe(true);
    const onA = await call(A.w, 'auth.signIn', { username: 'teller2', password: NEW_PASSWORD });
    expect(onA.ok).toBe(true);
    if (onA.ok) expect(onA.value.user.mustChangePassword).toBe(false);
    const old = await call(A.w, 'auth.signIn', { username: 'teller2', password: FIRST_PASSWORD });
    expect(old.ok ? 'ok' : old.error.code).toBe('BAD_CREDENTIALS');
    // The previous password is refused as a reuse on A too (the history came with the account).
    const sA = await signIn(A.w, 'teller2', NEW_PASSWORD);
    const reuse = await call(
      A.w,
      'auth.changePassword',
      { currentPassword: NEW_PASSWORD, newPassword: FIRST_PASSWORD },
      sA,
    );
    expect(reuse.ok ? 'ok' : reuse.error.code).toBe('PASSWORD_POLICY');
  });

  it('B signs in offline with the last synced hash; a user disabled on A is signed out on B at its next sync', async () => {
    B.cable.unplug();
    const offline = await signIn(B.w, 'teller2', NEW_PASSWORD);
    const admin = await signIn(A.w, 'admin');
    const id = (A.w.db.prepare("SELECT id FROM users WHERE username = 'teller2'").get() as { id: number }).id;
    await ok(A.w, 'users.setDisabled', { id, disabled: true }, admin);
    expect(await until(() => synced(A))).toBe(true);
    // B has not heard yet: its session goes on.
    expect((await ok(B.w, 'auth.me', {}, offline)).username).toBe('Teller2');
    expect((await worker(B).syncNow()).state).toBe('offline');
    B.cable.plug();
    expect(await until(() => synced(B))).toBe(true);
    const after = await call(B.w, 'auth.me', {}, offline);
    expect(after.ok).toBe(false);
    if (!after.ok) expect(['ACCOUNT_DISABLED', 'UNAUTHENTICATED']).toContain(after.error.code);
    const again = await call(B.w, 'auth.signIn', { username: 'teller2', password: NEW_PASSWORD });
    expect(again.ok ? 'ok' : again.error.code).toBe('ACCOUNT_DISABLED');
  });

  it('a dual-control reset requested on A is approved by the president on B; the temporary password then works on A', async () => {
    const admin = await signIn(A.w, 'admin');
    const m1 = (A.w.db.prepare("SELECT id FROM users WHERE username = 'manager1'").get() as { id: number }).id;
    const temp = 'Tmp#2026-Reset!x';
    await ok(A.w, 'users.resetPassword', { id: m1, password: temp }, admin);
    expect(await until(async () => (await synced(A)) && (await synced(B)))).toBe(true);
    const president = await signIn(B.w, 'president');
    const pending = await ok(B.w, 'users.pendingResets', {}, president);
    expect(pending.map((p) => [p.username, p.requestedBy, p.canDecide])).toEqual([['manager1', 'admin', true]]);
    // Until approved, manager1's password is unchanged everywhere.
    expect((await call(A.w, 'auth.signIn', { username: 'manager1', password: temp })).ok).toBe(false);
    await ok(B.w, 'users.decideReset', { id: pending[0]!.id, approve: true }, president);
    expect(
      await until(
        async () => (await synced(B)) && (await synced(A)) && hashOf(A, 'manager1') === hashOf(B, 'manager1'),
      ),
    ).toBe(true);
    const r = await call(A.w, 'auth.signIn', { username: 'manager1', password: temp });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.user.mustChangePassword).toBe(true);
    expect(await ok(A.w, 'users.pendingResets', {}, admin)).toEqual([]);
  });

  it("a password changed on B ends the user's sessions on A at A's next sync", async () => {
    const onA = await signIn(A.w, 'manager2');
    const onB = await signIn(B.w, 'manager2');
    const next = 'Mg2#Changed-2026';
    await ok(B.w, 'auth.changePassword', { currentPassword: 'Passw0rd!', newPassword: next }, onB);
    expect((await ok(B.w, 'auth.me', {}, onB)).username).toBe('manager2');
    expect(
      await until(
        async () => (await synced(B)) && (await synced(A)) && hashOf(A, 'manager2') === hashOf(B, 'manager2'),
      ),
    ).toBe(true);
    const me = await call(A.w, 'auth.me', {}, onA);
    expect(me.ok ? 'ok' : me.error.code).toBe('UNAUTHENTICATED');
    expect((await call(A.w, 'auth.signIn', { username: 'manager2', password: next })).ok).toBe(true);
  });

  it("an account whose staff member B's book does not hold yet is placed once the staff extract arrives there", async () => {
    A.w.db
      .prepare("INSERT INTO staff (employee_no, name, branch_id, position) VALUES ('E203', '孙柜员', ?, 'teller')")
      .run(A.w.ids.outlet);
    const admin = await signIn(A.w, 'admin');
    const staff = A.w.db.prepare("SELECT id FROM staff WHERE employee_no = 'E203'").get() as { id: number };
    await ok(
      A.w,
      'users.create',
      { username: 'teller3', displayName: '孙柜员', role: 'teller', staffId: staff.id, password: FIRST_PASSWORD },
      admin,
    );
    expect(await until(async () => (await synced(A)) && (await synced(B)))).toBe(true);
    // On the hub and in B's replica, but not yet a local account on B: its staff member is unknown there.
    expect((await hubUsers(owner, BRANCH)).some((u) => u.username === 'teller3')).toBe(true);
    expect(hashOf(B, 'teller3')).toBeUndefined();
    expect((await call(B.w, 'auth.signIn', { username: 'teller3', password: FIRST_PASSWORD })).ok).toBe(false);
    // B imports the staff extract; the next cycle places the account.
    B.w.db
      .prepare("INSERT INTO staff (employee_no, name, branch_id, position) VALUES ('E203', '孙柜员', ?, 'teller')")
      .run(B.w.ids.outlet);
    expect(await until(async () => (await synced(B)) && hashOf(B, 'teller3') !== undefined)).toBe(true);
    expect((await call(B.w, 'auth.signIn', { username: 'teller3', password: FIRST_PASSWORD })).ok).toBe(true);
  });

  it("the hub refuses an account write from a role that may not make it (a teller's PC making itself admin)", async () => {
    const rec = await owner.query(
      "SELECT revision, data FROM records WHERE branch = $1 AND tbl = 'users' AND id = 'teller'",
      [BRANCH],
    );
    const { code } = await issueEnrolCode(owner, BRANCH);
    const pc = (await post(`${hub.url}/enrol`, { branch: BRANCH, code, name: 'rogue' })).body;
    const token = `Bearer ${BRANCH}:${pc.pcId}:${pc.secret}`;
    const r = await post(
      `${hub.url}/push`,
      {
        mutations: [
          {
            id: 1,
            name: 'users.setDisabled',
            args: {},
            userId: 'teller',
            role: 'teller',
            effects: [
              {
                table: 'users',
                id: 'teller',
                baseRevision: Number(rec.rows[0].revision),
                data: { ...rec.rows[0].data, role: 'admin' },
              },
            ],
          },
        ],
      },
      token,
    );
    expect(r.status).toBe(200);
    expect(r.body.results[0].outcome).toBe('refused');
    expect((await hubUsers(owner, BRANCH)).find((u) => u.username === 'teller')?.role).toBe('teller');
    // A disabled user's mutations are refused outright: the hub no longer knows them as a writer.
    const again = await post(
      `${hub.url}/push`,
      {
        mutations: [
          {
            id: 2,
            name: 'auth.setLocale',
            args: {},
            userId: 'teller2',
            role: 'teller',
            effects: [{ table: 'users', id: 'teller2', baseRevision: 99, data: {} }],
          },
        ],
      },
      token,
    );
    expect(again.body.results[0]).toMatchObject({ outcome: 'refused', reason: { code: 'unknown_user' } });
  });
});
