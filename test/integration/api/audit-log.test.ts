import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/api';
import { call, makeWorld, ok, signIn, type World } from '../support/store';

/**
 * The audit page's reads: filters by local day, user, action and outcome, and entries made readable
 * in the main process (ids become names and 客户号, internal ids are left out), plus the query
 * builder's pickers within the caller's scope.
 */
let w: World;
let admin: string;

const insert = (
  at: string,
  userId: number | null,
  username: string | null,
  action: string,
  extra: Partial<{ outcome: string; targetType: string; targetId: string; details: unknown }> = {},
) =>
  w.db
    .prepare(
      'INSERT INTO audit_log (at, user_id, username, role, action, outcome, target_type, target_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(
      at,
      userId,
      username,
      'manager',
      action,
      extra.outcome ?? 'ok',
      extra.targetType ?? null,
      extra.targetId ?? null,
      extra.details === undefined ? null : JSON.stringify(extra.details),
    );

const userId = (name: string) =>
  (w.db.prepare('SELECT id FROM users WHERE username = ?').get(name) as { id: number }).id;
const customerNo = (id: number) =>
  (w.db.prepare('SELECT customer_no AS no FROM customers WHERE id = ?').get(id) as { no: string }).no;

beforeAll(async () => {
  w = await makeWorld();
  const m1 = userId('manager1');
  const c = w.ids.customers;
  insert('2026-10-30T06:00:00.000Z', m1, 'manager1', 'customers.reveal', {
    targetType: 'customer',
    targetId: String(c.m1a),
    details: { reason: '客户来电核实身份', fields: ['idNo', 'mobile', 'phone'] },
  });
  insert('2026-10-31T06:00:00.000Z', m1, 'manager1', 'referrals.reassign', {
    targetType: 'customer',
    targetId: String(c.m2a),
    details: { toStaffId: w.ids.staff.manager2, fromStaffId: w.ids.staff.manager1, granted: 1 },
  });
  insert('2026-11-01T06:00:00.000Z', null, 'nobody', 'auth.signIn', {
    outcome: 'failed',
    details: { reason: 'unknown_user', adapter: 'http' },
  });
  insert('2026-11-01T07:00:00.000Z', m1, 'manager1', 'customers.identifierSearch', {
    details: { method: 'customers.search', kind: 'last4', query: '0001', results: 2, customerIds: [c.m1a, c.m1b] },
  });
  insert('2026-11-01T08:00:00.000Z', m1, 'manager1', 'exports.start', {
    targetType: 'customers',
    details: {
      filter: { tiers: ['gold'], aumMin: '100', favorites: false },
      sort: [],
      columns: ['name', 'aum'],
      format: 'xlsx',
      ticket: 'abc',
    },
  });
  admin = await signIn(w, 'admin');
});
afterAll(() => w.close());

const only = (rows: AuditEntry[], action: string) => rows.filter((r) => r.action === action);

describe('audit.list filters', () => {
  it('takes a span of time, the start inclusive and the end exclusive, in any offset', async () => {
    const day = await ok(
      w,
      'audit.list',
      { fromAt: '2026-10-31T00:00:00+08:00', untilAt: '2026-11-01T00:00:00+08:00' },
      admin,
    );
    expect(day.rows.map((r) => r.action)).toEqual(['referrals.reassign']);
    const span = await ok(
      w,
      'audit.list',
      { fromAt: '2026-10-30T06:00:00.000Z', untilAt: '2026-11-01T08:00:00.000Z' },
      admin,
    );
    expect(span.total).toBe(4);
  });

  it('takes a user and an action, together with the outcome', async () => {
    const mine = await ok(w, 'audit.list', { userId: userId('manager1') }, admin);
    expect(mine.total).toBe(4);
    expect(mine.rows.every((r) => r.username === 'manager1')).toBe(true);
    const signIns = await ok(w, 'audit.list', { action: 'auth.signIn', outcome: 'failed' }, admin);
    expect(signIns.rows.map((r) => r.username)).toEqual(['nobody']);
    expect(signIns.total).toBe(1);
  });

  it('refuses a time that is not a time', async () => {
    const r = await call(w, 'audit.list', { fromAt: '2026-13-01T00:00:00Z' }, admin);
    expect(r.ok).toBe(false);
  });

  it('lists the users the filter offers', async () => {
    const o = await ok(w, 'audit.options', {}, admin);
    expect(o.users.map((u) => u.username).sort()).toEqual(['admin', 'manager1', 'manager2', 'president', 'teller']);
  });
});

describe('audit.list details', () => {
  it('names customers by 客户号 and staff by name; internal ids are left out', async () => {
    const { rows } = await ok(w, 'audit.list', { userId: userId('manager1') }, admin);
    const reveal = only(rows, 'customers.reveal')[0]!;
    expect(reveal.target).toEqual({ type: 'customer', label: { kind: 'text', text: customerNo(w.ids.customers.m1a) } });
    // the reason typed by the user is text; the list of revealed fields is not shown
    expect(reveal.details).toEqual([{ key: 'reason', value: { kind: 'text', text: '客户来电核实身份' } }]);

    const reassign = only(rows, 'referrals.reassign')[0]!;
    expect(reassign.details).toContainEqual({ key: 'toStaffId', value: { kind: 'text', text: '赵经理' } });
    expect(reassign.details).toContainEqual({ key: 'fromStaffId', value: { kind: 'text', text: '李经理' } });

    const search = only(rows, 'customers.identifierSearch')[0]!;
    expect(search.details).toContainEqual({ key: 'method', value: { kind: 'action', action: 'customers.search' } });
    expect(search.details).toContainEqual({ key: 'kind', value: { kind: 'code', code: 'last4' } });
    expect(search.details).toContainEqual({
      key: 'customerIds',
      value: { kind: 'text', text: `${customerNo(w.ids.customers.m1a)}, ${customerNo(w.ids.customers.m1b)}` },
    });

    const exp = only(rows, 'exports.start')[0]!;
    expect(exp.target).toEqual({ type: 'customers', label: null });
    expect(exp.details).toEqual([
      { key: 'filter', value: { kind: 'count', n: 2 } },
      { key: 'columns', value: { kind: 'count', n: 2 } },
      { key: 'format', value: { kind: 'code', code: 'xlsx' } },
    ]);
  });

  it('gives codes as codes for the page to translate', async () => {
    const { rows } = await ok(w, 'audit.list', { action: 'auth.signIn', outcome: 'failed' }, admin);
    expect(rows[0]!.details).toEqual([
      { key: 'reason', value: { kind: 'code', code: 'unknown_user' } },
      { key: 'adapter', value: { kind: 'code', code: 'http' } },
    ]);
  });

  it('says when a referenced row no longer resolves', async () => {
    insert('2026-11-01T09:00:00.000Z', null, 'admin', 'users.unlock', { targetType: 'user', targetId: '99999' });
    const { rows } = await ok(w, 'audit.list', { action: 'users.unlock' }, admin);
    expect(rows[0]!.target).toEqual({ type: 'user', label: { kind: 'missing' } });
  });
});

describe('customers.queryOptions', () => {
  it('gives the president the branch tree’s outlets and managers, by name', async () => {
    const president = await signIn(w, 'president');
    const o = await ok(w, 'customers.queryOptions', {}, president);
    expect(o.branches.map((b) => b.name)).toEqual(['示范支行', '东城网点']);
    expect(o.managers.map((m) => m.name).sort()).toEqual(['李经理', '赵经理'].sort());
    expect(o.managers.find((m) => m.name === '赵经理')).toMatchObject({ branchName: '东城网点', active: true });
    expect(o.products).toEqual([]);
  });

  it('gives a manager only the people and outlets of the customers they reach', async () => {
    const m1 = await signIn(w, 'manager1');
    const o = await ok(w, 'customers.queryOptions', {}, m1);
    // their own book at the branch, and a customer of manager2's at the outlet granted to them
    expect(o.managers.map((m) => m.name).sort()).toEqual(['李经理', '赵经理'].sort());
    expect(o.branches.map((b) => b.name)).toEqual(['示范支行', '东城网点']);
    const m2 = await signIn(w, 'manager2');
    const o2 = await ok(w, 'customers.queryOptions', {}, m2);
    expect(o2.managers.map((m) => m.name)).toEqual(['赵经理']);
    expect(o2.branches.map((b) => b.name)).toEqual(['东城网点']);
  });
});
