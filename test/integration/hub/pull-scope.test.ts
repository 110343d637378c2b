import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBranch, issueEnrolCode } from '../../../db/hub/enrol';
import { listRecords, queuedCount } from '../../../db/sync/replica';
import { scopeFor } from '../../../db/scope';
import { type Hub, startHub } from '../../../main/hub/service';
import { joinHub } from '../../../main/sync/join';
import { workerOf } from '../../../main/sync/worker';
import type { Role } from '../../../shared/permissions';
import { makeWorld, ok, signIn, type World } from '../support/store';
import { ownerPool, startPg, type TestPg } from './support';
import { until } from './workstations';

/**
 * Issue 16: "the hub checks the permission and data scope of every pull with the same rules as
 * db/scope.ts". Three PCs of one branch on a real PostgreSQL, each with the users who sign in there: A
 * manager1's, B manager2's, T the teller's. Each PC pulls the customer-bearing records only as far as its
 * users may read them (shared/sync/read-rules.ts with shared/scope-rules.ts), checked here against the
 * SQL db/scope.ts builds on each PC's own book; when the president signs in on the teller's PC, its scope
 * grows to theirs and it pulls what it could not see before.
 */
const BRANCH = 'Q01';
let server: TestPg;
let owner: pg.Pool;
let hub: Hub;
const worlds: World[] = [];

async function openPc(name: string, users: string[]) {
  const w = await makeWorld();
  worlds.push(w);
  const { code } = await issueEnrolCode(owner, BRANCH);
  await joinHub(
    w.db,
    { hubUrl: hub.url, branch: BRANCH, code, name },
    { userId: 'admin', role: 'admin' },
    { intervalMs: 60_000, backoffMs: 50, maxBackoffMs: 400 },
  );
  // Signed in once the accounts are the hub's (a password hash from the hub ends older sessions).
  expect(await until(() => synced(w), 10_000)).toBe(true);
  const sessions: Record<string, string> = {};
  for (const u of users) sessions[u] = await signIn(w, u);
  return { w, s: sessions };
}

const synced = async (w: World) => (await workerOf(w.db)!.syncNow()).state === 'synced' && queuedCount(w.db) === 0;
const allSynced = async () => {
  for (const w of worlds) if (!(await synced(w))) return false;
  for (const w of worlds) if (!(await synced(w))) return false;
  return true;
};

/** Customer numbers of the contacts a PC holds in its replica. */
const contactCustomers = (w: World) =>
  listRecords(w.db, 'contacts')
    .map((r) => String(r.data!.customer_no))
    .sort();
const customerNo = (w: World, id: number) =>
  w.db.prepare('SELECT customer_no FROM customers WHERE id = ?').pluck().get(id) as string;

/** What db/scope.ts lets `username` see of these customer numbers, on this PC's own book. */
function inScopeOnBook(w: World, username: string, nos: string[]): string[] {
  const u = w.db.prepare('SELECT role, staff_id, branch_id FROM users WHERE username = ?').get(username) as {
    role: Role;
    staff_id: number | null;
    branch_id: number | null;
  };
  const scope = scopeFor(w.db, { role: u.role, staffId: u.staff_id, branchId: u.branch_id }, w.clock.today());
  const seen = w.db
    .prepare(`SELECT c.customer_no FROM customers c WHERE ${scope.sql}`)
    .pluck()
    .all(...scope.params) as string[];
  return nos.filter((n) => seen.includes(n)).sort();
}

let A: Awaited<ReturnType<typeof openPc>>;
let B: Awaited<ReturnType<typeof openPc>>;
let T: Awaited<ReturnType<typeof openPc>>;

beforeAll(async () => {
  server = await startPg();
  const db = await server.createHubDb('pullscope');
  owner = ownerPool(server, db);
  hub = await startHub({ pg: server.appUrl(db) });
  await ensureBranch(owner, BRANCH);
  A = await openPc('A', ['manager1']);
  B = await openPc('B', ['manager2']);
  T = await openPc('T', ['teller']);
  expect(await until(allSynced, 15_000)).toBe(true);
}, 90_000);

afterAll(async () => {
  for (const w of worlds) {
    await workerOf(w.db)?.stop();
    await w.close();
  }
  await hub?.close();
  await owner?.end();
  await server?.stop();
});

describe('pull scope', () => {
  it("each PC pulls the customers' records its users may read, by the rules of db/scope.ts", async () => {
    const c = A.w.ids.customers;
    const contact = (customerId: number, summary: string) => ({
      customerId,
      channel: 'call' as const,
      outcome: 'interested' as const,
      summary,
    });
    await ok(A.w, 'contacts.record', contact(c.m1a, 'manager1 的客户'), A.s.manager1);
    await ok(B.w, 'contacts.record', contact(c.m2a, 'manager2 的客户'), B.s.manager2);
    // manager2's customer granted to manager1 (customer_grants): within manager1's scope too.
    await ok(B.w, 'contacts.record', contact(c.grantedToM1, '授权给 manager1'), B.s.manager2);
    const flag = await ok(
      T.w,
      'referrals.create',
      { customerId: c.m2a, interest: 'wealth', urgency: 'normal' },
      T.s.teller,
    );
    expect(flag.id).toBeGreaterThan(0);
    expect(await until(allSynced, 15_000)).toBe(true);

    const onHub = await owner.query(
      "SELECT data->>'customer_no' AS no FROM records WHERE branch = $1 AND tbl = 'contacts' ORDER BY 1",
      [BRANCH],
    );
    const all = onHub.rows.map((r) => r.no as string);
    expect(all).toHaveLength(3);
    const [m1a, m2a, granted] = [customerNo(A.w, c.m1a), customerNo(A.w, c.m2a), customerNo(A.w, c.grantedToM1)];

    // Each PC holds exactly the contacts db/scope.ts shows its user on its own book.
    expect(contactCustomers(A.w)).toEqual(inScopeOnBook(A.w, 'manager1', all));
    expect(contactCustomers(A.w)).toEqual([m1a, granted].sort());
    expect(contactCustomers(B.w)).toEqual(inScopeOnBook(B.w, 'manager2', all));
    expect(contactCustomers(B.w)).toEqual([m2a, granted].sort());
    // The teller may look customers up but reads no contact (contact.log): none reaches the teller's PC,
    // though every one of these customers is in the teller's branch.
    expect(inScopeOnBook(T.w, 'teller', all)).toEqual(all);
    expect(contactCustomers(T.w)).toEqual([]);
    // The teller's own flag is on the teller's PC; on manager2's (the customer's manager), not manager1's.
    expect(listRecords(T.w.db, 'referrals').map((r) => r.data!.customer_no)).toEqual([m2a]);
    expect(listRecords(B.w.db, 'referrals').map((r) => r.data!.customer_no)).toEqual([m2a]);
    expect(listRecords(A.w.db, 'referrals')).toEqual([]);
    // Through the app: manager1's 360 of their own customer shows the contact recorded on A only.
    const timeline = (w: World, _s: string | undefined, id: number) =>
      w.db.prepare('SELECT summary FROM contacts WHERE customer_id = ? ORDER BY id').pluck().all(id);
    expect(timeline(A.w, A.s.manager1, c.m2a)).toEqual([]);
    expect(timeline(T.w, T.s.teller, c.m1a)).toEqual([]);
    // What everyone needs to sign in anywhere still flows: the accounts are on every PC.
    for (const w of [A.w, B.w, T.w])
      expect(listRecords(w.db, 'users').map((r) => r.id)).toEqual(
        expect.arrayContaining(['admin', 'manager1', 'manager2', 'president', 'teller']),
      );

    // The president signs in on the teller's PC: its scope becomes the union of both, and the PC pulls
    // from the start what it could not see (the president's branch and its outlets).
    await signIn(T.w, 'president');
    expect(await until(async () => (await synced(T.w)) && contactCustomers(T.w).length === 3, 10_000)).toBe(true);
    expect(contactCustomers(T.w)).toEqual(inScopeOnBook(T.w, 'president', all));
    expect(listRecords(T.w.db, 'contacts').map((r) => r.revision)).toEqual([1, 1, 1]);
    // And the app shows them there: the local rows were placed by the projections.
    expect(timeline(T.w, '', c.m1a)).toEqual(['manager1 的客户']);
    // manager2's customer is granted to manager1 on every PC's book (as a referral passed to manager1 does):
    // the customer's facts change, the hub's scope epoch moves, and A pulls again what it now reaches.
    const epoch = async () =>
      Number((await owner.query('SELECT scope_epoch FROM branches WHERE branch = $1', [BRANCH])).rows[0].scope_epoch);
    const before = await epoch();
    for (const w of worlds)
      w.db
        .prepare('INSERT INTO customer_grants (staff_id, customer_id) VALUES (?, ?)')
        .run(w.ids.staff.manager1, w.ids.customers.m2a);
    expect(await until(async () => (await allSynced()) && contactCustomers(A.w).includes(m2a), 15_000)).toBe(true);
    expect(await epoch()).toBeGreaterThan(before);
    expect(contactCustomers(A.w)).toEqual(inScopeOnBook(A.w, 'manager1', all));
    expect(contactCustomers(A.w)).toEqual(all);
    expect(timeline(A.w, undefined, c.m2a)).toEqual(['manager2 的客户']);

    // Who signed in where, on the hub (the administrator who joined each PC among them: no customer scope).
    const pcs = await owner.query(
      `SELECT p.name, array_agg(u.user_id ORDER BY u.user_id) AS users FROM pc_users u
         JOIN pcs p ON p.branch = u.branch AND p.pc_id = u.pc_id WHERE u.branch = $1 GROUP BY p.name ORDER BY p.name`,
      [BRANCH],
    );
    expect(pcs.rows).toEqual([
      { name: 'A', users: ['admin', 'manager1'] },
      { name: 'B', users: ['admin', 'manager2'] },
      { name: 'T', users: ['admin', 'president', 'teller'] },
    ]);
  });
});
