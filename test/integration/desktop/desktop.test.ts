import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../db/demo';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { DesktopView, GridFilter, Input, MethodName, Output, WidgetData, WidgetInput } from '../../../shared/api';
import { addDays, addMonths } from '../../../shared/dates';
import type { CallResult } from '../../../shared/errors';
import { fenToYuan } from '../../../shared/money';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import i18next from 'i18next';
import i18n from '../../../renderer/src/i18n/domains/desktop.json';
import { errorMessage } from '../../../renderer/src/i18n/messages';
import { en, zhCN } from '../../../renderer/src/i18n/resources';

/**
 * 个性化桌面 over a demo store: every widget's figure equals the same figure computed from the raw
 * tables by a slow reference query here; drill-down filters keep exactly the counted customers; a
 * manager's desktop only ever holds their own book; layouts persist per user; templates publish and
 * reset; bad layouts are refused with a translated reason.
 */
const TODAY = '2026-10-31';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const staffOf: Record<string, number> = {};
const userOf: Record<string, number> = {};

function call<M extends MethodName>(method: M, input: Input<M>, who: string): Promise<CallResult<Output<M>>> {
  return registry.dispatch({ method, input, session: s[who]! }, { adapter: 'test' }) as Promise<CallResult<Output<M>>>;
}
async function ok<M extends MethodName>(method: M, input: Input<M>, who: string): Promise<Output<M>> {
  const r = await call(method, input, who);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}
const sql = <T>(q: string, ...p: unknown[]) => services.db.prepare(q).all(...p) as T[];

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1200, seed: 41 });
  demo.close();
  services = await createServices({ dbPath: demo.file, mode: 'browser', clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)) });
  registry = createRegistry(services);
  for (const u of ['president', 'manager1', 'manager2', 'admin']) {
    const r = (await registry.dispatch({ method: 'auth.signIn', input: { username: u, password: DEMO_PASSWORD } }, { adapter: 'test' })) as CallResult<{ session: string }>;
    if (!r.ok) throw new Error(`sign-in ${u}`);
    s[u] = r.value.session;
    const row = services.db.prepare('SELECT id, staff_id AS staff FROM users WHERE username = ?').get(u) as { id: number; staff: number };
    staffOf[u] = row.staff;
    userOf[u] = row.id;
  }
}, 90_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

// ---------------------------------------------------------------------------------------------
// Slow reference: who is in scope, and each figure from the raw tables, summed in JavaScript.

/** Customer ids the user may see, decided from raw rows (branch tree / own book + live grants). */
function scopeIds(who: string): Set<number> {
  if (who === 'president') {
    const branch = (services.db.prepare('SELECT branch_id AS b FROM users WHERE username = ?').get(who) as { b: number }).b;
    const all = sql<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM branches');
    const tree = new Set([branch]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const b of all) if (b.parent_id !== null && tree.has(b.parent_id) && !tree.has(b.id)) (tree.add(b.id), (grew = true));
    }
    return new Set(sql<{ id: number; branch_id: number }>('SELECT id, branch_id FROM customers').filter((c) => tree.has(c.branch_id)).map((c) => c.id));
  }
  const own = sql<{ id: number }>('SELECT id FROM customers WHERE manager_staff_id = ?', staffOf[who]).map((r) => r.id);
  const granted = sql<{ customer_id: number; expires_on: string | null }>('SELECT customer_id, expires_on FROM customer_grants WHERE staff_id = ?', staffOf[who])
    .filter((g) => g.expires_on === null || g.expires_on >= TODAY)
    .map((g) => g.customer_id);
  return new Set([...own, ...granted]);
}

interface RawCustomer {
  id: number;
  tier: string | null;
  manager: number | null;
  deposits: bigint;
  wealth: bigint;
  loans: bigint;
}
function rawCustomers(ids: Set<number>): RawCustomer[] {
  const acc = new Map<number, bigint>();
  for (const a of sql<{ customer_id: number; balance_fen: number }>("SELECT customer_id, balance_fen FROM accounts WHERE kind IN ('demand','term') AND status <> 'closed'"))
    acc.set(a.customer_id, (acc.get(a.customer_id) ?? 0n) + BigInt(a.balance_fen));
  const wl = new Map<number, bigint>();
  for (const h of sql<{ customer_id: number; v: number }>("SELECT customer_id, market_value_fen AS v FROM wealth_holdings WHERE status = 'active'"))
    wl.set(h.customer_id, (wl.get(h.customer_id) ?? 0n) + BigInt(h.v));
  const ln = new Map<number, bigint>();
  for (const l of sql<{ customer_id: number; v: number }>("SELECT customer_id, balance_fen AS v FROM loans WHERE status = 'active'"))
    ln.set(l.customer_id, (ln.get(l.customer_id) ?? 0n) + BigInt(l.v));
  return sql<{ id: number; tier: string | null; manager: number | null }>('SELECT id, tier, manager_staff_id AS manager FROM customers')
    .filter((c) => ids.has(c.id))
    .map((c) => ({ ...c, deposits: acc.get(c.id) ?? 0n, wealth: wl.get(c.id) ?? 0n, loans: ln.get(c.id) ?? 0n }));
}
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

function byKind<K extends WidgetData['kind']>(view: DesktopView, kind: K, pick: (d: Extract<WidgetData, { kind: K }>) => boolean = () => true): Extract<WidgetData, { kind: K }> {
  for (const w of view.layout.widgets) {
    const r = view.widgets[w.id];
    if (r?.ok && r.data.kind === kind && pick(r.data as Extract<WidgetData, { kind: K }>)) return r.data as Extract<WidgetData, { kind: K }>;
  }
  throw new Error(`no ${kind} widget`);
}

const gridCount = async (filter: GridFilter, who: string) => (await ok('customers.gridCount', { filter }, who)).filtered;

/** Checks every figure of a role's default desktop against the raw tables, for one user. */
async function checkDesktop(who: string) {
  const view = await ok('desktop.data', {}, who);
  expect(Object.values(view.widgets).every((r) => r.ok)).toBe(true);
  const ids = scopeIds(who);
  const raw = rawCustomers(ids);
  expect(raw.length).toBeGreaterThan(10);

  // KPI cards, and the drill-down's quick stats equal them.
  const kpi = (metric: string) => byKind(view, 'kpi', (d) => d.metric === metric);
  expect(kpi('customers').value).toBe(String(raw.length));
  expect(kpi('deposits').value).toBe(fenToYuan(sum(raw.map((c) => c.deposits))));
  expect(kpi('loans').value).toBe(fenToYuan(sum(raw.map((c) => c.loans))));
  expect(kpi('aum').value).toBe(fenToYuan(sum(raw.map((c) => c.deposits + c.wealth))));
  expect(await gridCount(kpi('customers').drill, who)).toBe(raw.length);
  expect((await ok('customers.quickStats', { filter: kpi('deposits').drill }, who)).deposits).toBe(kpi('deposits').value);
  expect((await ok('customers.quickStats', { filter: kpi('loans').drill }, who)).loans).toBe(kpi('loans').value);
  expect((await ok('customers.quickStats', { filter: kpi('aum').drill }, who)).aum).toBe(kpi('aum').value);
  expect(await gridCount(kpi('loans').drill, who)).toBe(raw.filter((c) => c.loans > 0n).length);

  // Tier pyramid: every tier's count and AUM; each drill's grid count equals the count clicked.
  const pyramid = byKind(view, 'tierPyramid');
  const tiers = new Map<string, { n: number; aum: bigint }>();
  for (const c of raw) {
    const t = tiers.get(c.tier ?? 'none') ?? { n: 0, aum: 0n };
    tiers.set(c.tier ?? 'none', { n: t.n + 1, aum: t.aum + c.deposits + c.wealth });
  }
  expect(pyramid.tiers.map((t) => [t.tier, t.customers, t.aum]).sort()).toEqual([...tiers].map(([t, v]) => [t, v.n, fenToYuan(v.aum)]).sort());
  for (const t of pyramid.tiers) expect(await gridCount(t.drill, who)).toBe(t.customers);

  // Maturities within 30 days.
  const m = byKind(view, 'maturities');
  const until = addDays(TODAY, 30);
  const due = (rows: { customer_id: number; on: string; amt: number }[]) => rows.filter((r) => ids.has(r.customer_id) && r.on >= TODAY && r.on <= until);
  const term = due(sql("SELECT customer_id, maturity_on AS \"on\", principal_fen AS amt FROM term_deposits WHERE status = 'active'"));
  const wealth = due(sql("SELECT customer_id, maturity_on AS \"on\", market_value_fen AS amt FROM wealth_holdings WHERE status = 'active' AND maturity_on IS NOT NULL"));
  const loans = due(sql("SELECT customer_id, maturity_on AS \"on\", balance_fen AS amt FROM loans WHERE status = 'active'"));
  const kinds = { term, wealth, loan: loans };
  for (const k of m.byKind) {
    expect(k.items).toBe(kinds[k.kind].length);
    expect(k.amount).toBe(fenToYuan(sum(kinds[k.kind].map((r) => BigInt(r.amt)))));
  }
  expect(m.customers).toBe(new Set([...term, ...wealth, ...loans].map((r) => r.customer_id)).size);
  expect(await gridCount(m.drill, who)).toBe(m.customers);
  for (const r of m.rows) expect(ids.has(r.id)).toBe(true);

  // Movers: deposits now against the previous month's last reported deposit balances.
  const prev = addMonths(TODAY.slice(0, 7), -1);
  const lastInMonth = new Map<number, string>();
  const bal = sql<{ account_id: number; customer_id: number; on_date: string; balance_fen: number }>(
    `SELECT d.account_id, a.customer_id, d.on_date, d.balance_fen FROM daily_balances d JOIN accounts a ON a.id = d.account_id
     WHERE a.kind IN ('demand','term') AND substr(d.on_date, 1, 7) = ?`,
    prev,
  );
  for (const b of bal) if ((lastInMonth.get(b.account_id) ?? '') < b.on_date) lastInMonth.set(b.account_id, b.on_date);
  const old = new Map<number, bigint>();
  for (const b of bal) if (lastInMonth.get(b.account_id) === b.on_date) old.set(b.customer_id, (old.get(b.customer_id) ?? 0n) + BigInt(b.balance_fen));
  const changes = raw.filter((c) => old.has(c.id)).map((c) => ({ id: c.id, change: c.deposits - old.get(c.id)! }));
  for (const dir of ['up', 'down'] as const) {
    const w = byKind(view, 'movers', (d) => d.direction === dir);
    const want = changes
      .filter((c) => (dir === 'up' ? c.change > 0n : c.change < 0n))
      .sort((a, b) => (a.change === b.change ? a.id - b.id : (dir === 'up' ? b.change > a.change : a.change > b.change) ? 1 : -1))
      .slice(0, 8);
    expect(w.rows.map((r) => [r.id, r.amount])).toEqual(want.map((c) => [c.id, fenToYuan(c.change)]));
  }
  return { view, raw, ids };
}

describe('the president’s desktop (行长桌面)', () => {
  it('serves the default desktop in one call, every figure equal to the raw tables and every drill-down to its figure', async () => {
    const { view, raw, ids } = await checkDesktop('president');
    expect(view.source).toBe('default');
    const kinds = new Set(view.layout.widgets.map((w) => w.kind));
    for (const k of ['kpi', 'depositTrend', 'tierPyramid', 'channelMix', 'productMix', 'movers', 'maturities', 'staffLeague']) expect(kinds.has(k as never)).toBe(true);

    // Staff league: each manager's book from raw rows.
    const league = byKind(view, 'staffLeague');
    const managers = new Set(sql<{ id: number }>("SELECT id FROM staff WHERE position = 'manager'").map((r) => r.id));
    const want = new Map<number, { n: number; dep: bigint; loan: bigint; aum: bigint; q: number }>();
    for (const c of raw) {
      if (c.manager === null || !managers.has(c.manager)) continue;
      const x = want.get(c.manager) ?? { n: 0, dep: 0n, loan: 0n, aum: 0n, q: 0 };
      want.set(c.manager, { n: x.n + 1, dep: x.dep + c.deposits, loan: x.loan + c.loans, aum: x.aum + c.deposits + c.wealth, q: x.q + (c.tier === 'gold' || c.tier === 'quality' ? 1 : 0) });
    }
    expect(league.rows.length).toBe(want.size);
    for (const r of league.rows) {
      const x = want.get(r.staffId)!;
      expect([r.customers, r.deposits, r.loans, r.aum, r.quality]).toEqual([x.n, fenToYuan(x.dep), fenToYuan(x.loan), fenToYuan(x.aum), x.q]);
      expect(await gridCount(r.drill, 'president')).toBe(r.customers);
    }

    // Channel mix over the last 30 days (the grid's channelUse window).
    const ch = byKind(view, 'channelMix');
    const since = `${addDays(TODAY, -30)} 00:00:00`;
    const txns = sql<{ customer_id: number; channel: string; amount_fen: number }>('SELECT customer_id, channel, amount_fen FROM transactions WHERE txn_at >= ?', since).filter((t) =>
      ids.has(t.customer_id),
    );
    const perChannel = new Map<string, { n: number; amt: bigint; who: Set<number> }>();
    for (const t of txns) {
      const x = perChannel.get(t.channel) ?? { n: 0, amt: 0n, who: new Set<number>() };
      x.n++;
      x.amt += BigInt(t.amount_fen);
      x.who.add(t.customer_id);
      perChannel.set(t.channel, x);
    }
    expect(ch.channels.length).toBe(perChannel.size);
    expect(perChannel.size).toBeGreaterThan(2);
    for (const c of ch.channels) {
      const x = perChannel.get(c.channel)!;
      expect([c.txns, c.amount, c.customers]).toEqual([x.n, fenToYuan(x.amt), x.who.size]);
      expect(await gridCount(c.drill, 'president')).toBe(c.customers);
    }

    // Product mix by category: open accounts, active wealth, active loans.
    const pm = byKind(view, 'productMix');
    const holdings = [
      ...sql<{ cid: number; cat: string; bal: number }>("SELECT a.customer_id AS cid, p.category AS cat, a.balance_fen AS bal FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.status <> 'closed'"),
      ...sql<{ cid: number; cat: string; bal: number }>("SELECT w.customer_id AS cid, p.category AS cat, w.market_value_fen AS bal FROM wealth_holdings w JOIN products p ON p.id = w.product_id WHERE w.status = 'active'"),
      ...sql<{ cid: number; cat: string; bal: number }>("SELECT l.customer_id AS cid, p.category AS cat, l.balance_fen AS bal FROM loans l JOIN products p ON p.id = l.product_id WHERE l.status = 'active'"),
    ].filter((h) => ids.has(h.cid));
    const perCat = new Map<string, { n: number; bal: bigint; who: Set<number> }>();
    for (const h of holdings) {
      const x = perCat.get(h.cat) ?? { n: 0, bal: 0n, who: new Set<number>() };
      x.n++;
      x.bal += BigInt(h.bal);
      x.who.add(h.cid);
      perCat.set(h.cat, x);
    }
    expect(pm.categories.length).toBe(perCat.size);
    for (const c of pm.categories) {
      const x = perCat.get(c.category)!;
      expect([c.holdings, c.balance, c.customers]).toEqual([x.n, fenToYuan(x.bal), x.who.size]);
      expect(await gridCount(c.drill, 'president')).toBe(c.customers);
    }

    // Deposit trend: each month's last reported deposit balances.
    const trend = byKind(view, 'depositTrend');
    const from = `${addMonths(TODAY.slice(0, 7), -11)}-01`;
    const rows = sql<{ account_id: number; customer_id: number; on_date: string; balance_fen: number }>(
      `SELECT d.account_id, a.customer_id, d.on_date, d.balance_fen FROM daily_balances d JOIN accounts a ON a.id = d.account_id
       WHERE a.kind IN ('demand','term') AND d.on_date >= ? AND d.on_date <= ?`,
      from,
      TODAY,
    ).filter((r) => ids.has(r.customer_id));
    const last = new Map<string, string>();
    for (const r of rows) {
      const k = `${r.account_id}|${r.on_date.slice(0, 7)}`;
      if ((last.get(k) ?? '') < r.on_date) last.set(k, r.on_date);
    }
    const months = new Map<string, bigint>();
    for (const r of rows) if (last.get(`${r.account_id}|${r.on_date.slice(0, 7)}`) === r.on_date) months.set(r.on_date.slice(0, 7), (months.get(r.on_date.slice(0, 7)) ?? 0n) + BigInt(r.balance_fen));
    expect(trend.points).toEqual([...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, v]) => ({ month, deposits: fenToYuan(v) })));
    expect(trend.points.length).toBe(12);
  });
});

describe('a manager’s desktop (客户经理桌面)', () => {
  it('holds only the manager’s own book (plus grants), figure for figure', async () => {
    const { view, ids } = await checkDesktop('manager1');
    const other = scopeIds('manager2');
    // Nobody in another manager's book appears in any row of any widget.
    for (const r of Object.values(view.widgets)) {
      if (!r.ok) continue;
      const rows = 'rows' in r.data ? (r.data.rows as { id?: number }[]) : [];
      for (const x of rows) if (x.id !== undefined) expect(ids.has(x.id) && !(other.has(x.id) && !ids.has(x.id))).toBe(true);
    }
    const kinds = view.layout.widgets.map((w) => w.kind);
    expect(kinds).not.toContain('staffLeague');
    expect(kinds).toContain('views');
    // The president's figures are larger: the manager's are not the branch's.
    const pres = await ok('desktop.data', {}, 'president');
    expect(byKind(view, 'kpi', (d) => d.metric === 'customers').value).not.toBe(byKind(pres, 'kpi', (d) => d.metric === 'customers').value);
  });

  it('refuses the staff league on a manager’s desktop', async () => {
    const view = await ok('desktop.data', {}, 'manager2');
    const layout = { widgets: [...view.layout.widgets, { id: 'lg', kind: 'staffLeague', config: {}, x: 0, y: 40, w: 4, h: 6 }] };
    const r = await call('desktop.save', { layout }, 'manager2');
    expect(r).toEqual({ ok: false, error: { code: 'DESKTOP_LAYOUT_INVALID', details: { reason: 'not_for_role', widget: 'lg', kind: 'staffLeague' } } });
  });
});

describe('layouts persist per user', () => {
  it('keeps a moved and resized widget, added list and query widgets, for that user only', async () => {
    const before = await ok('desktop.data', {}, 'manager1');
    const list = await ok('lists.save', { name: '桌面测试名单', shared: false }, 'manager1');
    await ok('lists.add', { listId: list.id, filter: { tiers: ['gold', 'quality'] } }, 'manager1');
    const query = await ok('queries.save', { name: '桌面测试查询', shared: false, filter: { maturingWithinDays: 60 } }, 'manager1');
    const widgets: WidgetInput[] = before.layout.widgets.map((w) => (w.id === 'pyramid' ? { ...w, x: 6, y: 30, w: 5, h: 9 } : w));
    widgets.push({ id: 'pin-list', kind: 'list', config: { listId: list.id }, x: 0, y: 40, w: 4, h: 6 });
    widgets.push({ id: 'pin-query', kind: 'query', config: { queryId: query.id }, x: 4, y: 40, w: 4, h: 6 });
    await ok('desktop.save', { layout: { widgets } }, 'manager1');

    const after = await ok('desktop.data', {}, 'manager1');
    expect(after.source).toBe('user');
    expect(after.layout.widgets.find((w) => w.id === 'pyramid')).toMatchObject({ x: 6, y: 30, w: 5, h: 9 });
    const l = after.widgets['pin-list'];
    const q = after.widgets['pin-query'];
    if (!l?.ok || l.data.kind !== 'list' || !q?.ok || q.data.kind !== 'query') throw new Error('pinned widgets missing');
    expect(l.data.name).toBe('桌面测试名单');
    expect(l.data.count).toBe(await gridCount({ listId: list.id }, 'manager1'));
    expect(l.data.count).toBe(sql('SELECT 1 FROM customer_list_members WHERE list_id = ?', list.id).length);
    const top = await ok('customers.grid', { filter: { listId: list.id }, sort: [{ col: 'aum', dir: 'desc' }], offset: 0, limit: 5 }, 'manager1');
    expect(l.data.rows.map((r) => r.id)).toEqual(top.rows.map((r) => r.id));
    expect(q.data.count).toBe(await gridCount({ maturingWithinDays: 60 }, 'manager1'));
    expect(q.data.drill).toEqual({ maturingWithinDays: 60 });
    // The views widget lists them with the same counts.
    const views = byKind(after, 'views');
    expect(views.items.find((i) => i.type === 'list' && i.id === list.id)?.count).toBe(l.data.count);
    expect(views.items.find((i) => i.type === 'query' && i.id === query.id)?.count).toBe(q.data.count);

    // Another manager pinning manager1's private list learns nothing about it.
    const peek = await ok('desktop.save', { layout: { widgets: [{ id: 'peek', kind: 'list', config: { listId: list.id }, x: 0, y: 0, w: 4, h: 4 }] } }, 'manager2');
    expect(peek.layout.widgets).toHaveLength(1);
    const theirs = (await ok('desktop.data', {}, 'manager2')).widgets.peek;
    expect(theirs).toEqual({ ok: true, data: { kind: 'list', name: null, missing: true, count: 0, rows: [], drill: { listId: list.id } } });
    // The president's layout did not change.
    expect((await ok('desktop.data', {}, 'president')).source).toBe('default');
  });

  it('falls back to the template when a stored layout cannot be read', async () => {
    services.db.prepare('UPDATE desktop_layouts SET layout = ? WHERE user_id = ?').run('{"widgets": [oops', userOf.manager2);
    const v = await ok('desktop.data', {}, 'manager2');
    expect(v.recovered).toBe(true);
    expect(v.layout.widgets.length).toBeGreaterThan(4);
    expect(Object.values(v.widgets).every((r) => r.ok)).toBe(true);
  });
});

describe('templates (administrator) and reset', () => {
  it('publishes a role template that users without their own layout get, and that reset returns to', async () => {
    const tpl = await ok('desktop.template', { role: 'manager' }, 'admin');
    expect(tpl.builtIn).toBe(true);
    const layout = { widgets: [{ id: 'k', kind: 'kpi', config: { metric: 'aum' }, x: 0, y: 0, w: 6, h: 3 }, { id: 'm', kind: 'maturities', config: {}, x: 6, y: 0, w: 6, h: 8 }] };
    const published = await ok('desktop.publishTemplate', { role: 'manager', layout }, 'admin');
    expect(published).toMatchObject({ role: 'manager', builtIn: false, publishedBy: expect.any(String) });
    expect(published.layout.widgets[1]!.config).toEqual({ days: 30 });
    const audit = sql<{ action: string; details: string }>("SELECT action, details FROM audit_log WHERE action = 'desktop.template.publish'");
    expect(audit.length).toBe(1);

    // manager2 (layout unreadable, so not their own any more after reset) and manager1 (own layout).
    await ok('desktop.reset', {}, 'manager2');
    const m2 = await ok('desktop.data', {}, 'manager2');
    expect(m2.source).toBe('template');
    expect(m2.layout.widgets.map((w) => w.id)).toEqual(['k', 'm']);
    const m1 = await ok('desktop.data', {}, 'manager1');
    expect(m1.source).toBe('user');
    const reset = await ok('desktop.reset', {}, 'manager1');
    expect(reset.layout.widgets.map((w) => w.id)).toEqual(['k', 'm']);
    expect((await ok('desktop.data', {}, 'manager1')).source).toBe('template');
    // The president's desktop is not the managers' template.
    expect((await ok('desktop.data', {}, 'president')).source).toBe('default');

    // Published as JSON text too (what the admin page's import uses).
    const viaJson = await ok('desktop.publishTemplate', { role: 'president', json: JSON.stringify({ widgets: [{ id: 'lg', kind: 'staffLeague', config: {}, x: 0, y: 0, w: 12, h: 8 }] }) }, 'admin');
    expect(viaJson.layout.widgets[0]!.kind).toBe('staffLeague');
    expect((await ok('desktop.data', {}, 'president')).source).toBe('template');
  });

  it('only the administrator publishes; bankers cannot', async () => {
    const r = await call('desktop.publishTemplate', { role: 'manager', layout: { widgets: [] } }, 'manager1');
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
  });
});

describe('layout validation', () => {
  const bad: [string, unknown, string][] = [
    ['bad JSON', '{"widgets": [', 'bad_json'],
    ['not a layout', '{"widgets": 3}', 'bad_shape'],
    ['unknown widget kind', JSON.stringify({ widgets: [{ id: 'x', kind: 'weather', config: {}, x: 0, y: 0, w: 2, h: 2 }] }), 'unknown_kind'],
    ['bad config', JSON.stringify({ widgets: [{ id: 'x', kind: 'kpi', config: { metric: 'profit' }, x: 0, y: 0, w: 2, h: 2 }] }), 'bad_config'],
    ['duplicate ids', JSON.stringify({ widgets: [1, 2].map(() => ({ id: 'x', kind: 'tierPyramid', config: {}, x: 0, y: 0, w: 2, h: 2 })) }), 'duplicate_id'],
    ['outside the 12 columns', JSON.stringify({ widgets: [{ id: 'x', kind: 'tierPyramid', config: {}, x: 8, y: 0, w: 6, h: 2 }] }), 'out_of_grid'],
  ];
  for (const [what, json, reason] of bad) {
    it(`refuses ${what} with a translated reason, writing nothing`, async () => {
      const before = sql('SELECT role, layout FROM desktop_templates ORDER BY role');
      const r = await call('desktop.publishTemplate', { role: 'manager', json: json as string }, 'admin');
      expect(!r.ok && r.error.code).toBe('DESKTOP_LAYOUT_INVALID');
      expect(!r.ok && r.error.details?.reason).toBe(reason);
      expect(sql('SELECT role, layout FROM desktop_templates ORDER BY role')).toEqual(before);
      for (const lang of ['zh-CN', 'en'] as const) {
        const tree = (i18n as Record<string, { desktop: { layoutProblem: Record<string, string> }; errors: Record<string, string> }>)[lang]!;
        expect(tree.errors.DESKTOP_LAYOUT_INVALID, lang).toBeTruthy();
        expect(tree.desktop.layoutProblem[reason], `${lang} message for ${reason}`).toBeTruthy();
      }
    });
  }

  it('shows the refusal in the user’s language, naming the widget kind', async () => {
    const inst = i18next.createInstance();
    await inst.init({ resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, lng: 'zh-CN', interpolation: { escapeValue: false } });
    const r = await call('desktop.save', { layout: { widgets: [{ id: 'x', kind: 'weather', config: {}, x: 0, y: 0, w: 2, h: 2 }] } }, 'manager1');
    if (r.ok) throw new Error('accepted');
    const say = (lng: string) => errorMessage((k, o) => inst.getFixedT(lng)(k, o ?? {}), r.error.code, r.error.details);
    expect(say('zh-CN')).toBe('未知的部件类型“weather”，未保存');
    expect(say('en')).toBe('Unknown widget kind “weather”; nothing was saved');
    const bad = await call('desktop.publishTemplate', { role: 'manager', json: '{' }, 'admin');
    if (bad.ok) throw new Error('accepted');
    expect(errorMessage((k, o) => inst.getFixedT('zh-CN')(k, o ?? {}), bad.error.code, bad.error.details)).toBe('布局文件不是有效的 JSON，未保存');
  });

  it('refuses an unknown kind through desktop.save too, keeping the saved layout', async () => {
    const before = await ok('desktop.data', {}, 'president');
    const r = await call('desktop.save', { layout: { widgets: [{ id: 'x', kind: 'horoscope', config: {}, x: 0, y: 0, w: 2, h: 2 }] } }, 'president');
    expect(r).toEqual({ ok: false, error: { code: 'DESKTOP_LAYOUT_INVALID', details: { reason: 'unknown_kind', widget: 'x', kind: 'horoscope' } } });
    expect((await ok('desktop.data', {}, 'president')).layout).toEqual(before.layout);
  });
});
