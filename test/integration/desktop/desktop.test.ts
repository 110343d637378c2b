import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUTS } from '../../../main/desktop/widgets';
import { maturities } from '../../../db/repos/desktop-data';
import { scopeFor } from '../../../db/scope';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { DEMO_PASSWORD } from '../../../db/demo';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { DesktopView, GridFilter, WidgetData, WidgetInput } from '../../../shared/api';
import { addDays, addMonths } from '../../../shared/dates';
import type { CallResult } from '../../../shared/errors';
import { fenToYuan } from '../../../shared/money';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import i18next from 'i18next';
import i18n from '../../../shared/i18n/domains/desktop.json';
import { errorMessage } from '../../../renderer/src/i18n/messages';
import { en, zhCN } from '../../../shared/i18n/resources';
import { asUsers } from '../support/store';

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
let extractsDir: string;

const { call, ok, signIn } = asUsers(() => registry, s);
const sql = <T>(q: string, ...p: unknown[]) => services.db.prepare(q).all(...p) as T[];

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1200, seed: 41 });
  extractsDir = path.join(path.dirname(demo.file), 'extracts');
  await writeExtracts(demo.db, extractsDir, { kinds: ['customers', 'accounts'] });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
  });
  registry = createRegistry(services);
  for (const u of ['president', 'manager1', 'manager2', 'admin']) {
    await signIn(u);
    const row = services.db.prepare('SELECT id, staff_id AS staff FROM users WHERE username = ?').get(u) as {
      id: number;
      staff: number;
    };
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
    const branch = (
      services.db.prepare('SELECT branch_id AS b FROM users WHERE username = ?').get(who) as { b: number }
    ).b;
    const all = sql<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM branches');
    const tree = new Set([branch]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const b of all)
        if (b.parent_id !== null && tree.has(b.parent_id) && !tree.has(b.id)) {
          tree.add(b.id);
          grew = true;
        }
    }
    return new Set(
      sql<{ id: number; branch_id: number }>('SELECT id, branch_id FROM customers')
        .filter((c) => tree.has(c.branch_id))
        .map((c) => c.id),
    );
  }
  const own = sql<{ id: number }>('SELECT id FROM customers WHERE manager_staff_id = ?', staffOf[who]).map((r) => r.id);
  const granted = sql<{ customer_id: number; expires_on: string | null }>(
    'SELECT customer_id, expires_on FROM customer_grants WHERE staff_id = ?',
    staffOf[who],
  )
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
  for (const a of sql<{ customer_id: number; balance_fen: number }>(
    "SELECT customer_id, balance_fen FROM accounts WHERE kind IN ('demand','term') AND status <> 'closed'",
  ))
    acc.set(a.customer_id, (acc.get(a.customer_id) ?? 0n) + BigInt(a.balance_fen));
  const wl = new Map<number, bigint>();
  for (const h of sql<{ customer_id: number; v: number }>(
    "SELECT customer_id, market_value_fen AS v FROM wealth_holdings WHERE status = 'active'",
  ))
    wl.set(h.customer_id, (wl.get(h.customer_id) ?? 0n) + BigInt(h.v));
  const ln = new Map<number, bigint>();
  for (const l of sql<{ customer_id: number; v: number }>(
    "SELECT customer_id, balance_fen AS v FROM loans WHERE status = 'active'",
  ))
    ln.set(l.customer_id, (ln.get(l.customer_id) ?? 0n) + BigInt(l.v));
  return sql<{ id: number; tier: string | null; manager: number | null }>(
    'SELECT id, tier, manager_staff_id AS manager FROM customers',
  )
    .filter((c) => ids.has(c.id))
    .map((c) => ({ ...c, deposits: acc.get(c.id) ?? 0n, wealth: wl.get(c.id) ?? 0n, loans: ln.get(c.id) ?? 0n }));
}
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

/**
 * The reporting view of a user's customers: counted under today's branch and manager of record (a
 * president's branch tree; a manager's own book, without grants).
 */
function reportBook(who: string): Set<number> {
  if (who === 'president') return scopeIds('president');
  return new Set(
    sql<{ id: number }>('SELECT id FROM customers WHERE manager_staff_id = ?', staffOf[who]).map((r) => r.id),
  );
}
/** Months with balance data (the balance extract's months). */
function reportMonthsRaw(): string[] {
  return [
    ...new Set(sql<{ d: string }>('SELECT DISTINCT on_date AS d FROM daily_balances').map((r) => r.d.slice(0, 7))),
  ].sort();
}
const monthEnd = (m: string) => addDays(`${addMonths(m, 1)}-01`, -1);
/**
 * Month-end figures from the raw rows: demand balances as last reported in the month, term deposits
 * and wealth outstanding at the month end, active loans disbursed by then; customers opened by then.
 */
function monthFigures(m: string, book: Set<number>) {
  const end = monthEnd(m);
  const opened = new Set(
    sql<{ id: number; opened_on: string }>('SELECT id, opened_on FROM customers')
      .filter((c) => book.has(c.id) && c.opened_on <= end)
      .map((c) => c.id),
  );
  const per = new Map<number, bigint>();
  let deposits = 0n;
  let wealth = 0n;
  let loans = 0n;
  const add = (cid: number, v: bigint, aum: boolean) => {
    if (!opened.has(cid)) return false;
    if (aum) per.set(cid, (per.get(cid) ?? 0n) + v);
    return true;
  };
  const last = new Map<number, { on: string; bal: number; cid: number }>();
  for (const r of sql<{ account_id: number; cid: number; on_date: string; balance_fen: number }>(
    "SELECT d.account_id, a.customer_id AS cid, d.on_date, d.balance_fen FROM daily_balances d JOIN accounts a ON a.id = d.account_id WHERE a.kind = 'demand' AND substr(d.on_date, 1, 7) = ?",
    m,
  )) {
    const cur = last.get(r.account_id);
    if (!cur || cur.on < r.on_date) last.set(r.account_id, { on: r.on_date, bal: r.balance_fen, cid: r.cid });
  }
  for (const x of last.values()) if (add(x.cid, BigInt(x.bal), true)) deposits += BigInt(x.bal);
  for (const t of sql<{ cid: number; v: number; start_on: string; status: string; maturity_on: string }>(
    'SELECT customer_id AS cid, principal_fen AS v, start_on, status, maturity_on FROM term_deposits',
  ))
    if (
      t.start_on <= end &&
      (t.status === 'active' || (t.status === 'matured' && t.maturity_on > end)) &&
      add(t.cid, BigInt(t.v), true)
    )
      deposits += BigInt(t.v);
  for (const h of sql<{ cid: number; v: number; purchased_on: string; status: string; maturity_on: string | null }>(
    'SELECT customer_id AS cid, market_value_fen AS v, purchased_on, status, maturity_on FROM wealth_holdings',
  ))
    if (
      h.purchased_on <= end &&
      (h.status === 'active' || (h.status === 'matured' && h.maturity_on !== null && h.maturity_on > end)) &&
      add(h.cid, BigInt(h.v), true)
    )
      wealth += BigInt(h.v);
  for (const l of sql<{ cid: number; v: number; disbursed_on: string; status: string }>(
    'SELECT customer_id AS cid, balance_fen AS v, disbursed_on, status FROM loans',
  ))
    if (l.disbursed_on <= end && l.status === 'active' && add(l.cid, BigInt(l.v), false)) loans += BigInt(l.v);
  for (const id of opened) if (!per.has(id)) per.set(id, 0n);
  return { customers: opened.size, deposits, wealth, loans, aum: deposits + wealth, per };
}

function byKind<K extends WidgetData['kind']>(
  view: DesktopView,
  kind: K,
  pick: (d: Extract<WidgetData, { kind: K }>) => boolean = () => true,
): Extract<WidgetData, { kind: K }> {
  for (const w of view.layout.widgets) {
    const r = view.widgets[w.id];
    if (r?.ok && r.data.kind === kind && pick(r.data as Extract<WidgetData, { kind: K }>))
      return r.data as Extract<WidgetData, { kind: K }>;
  }
  throw new Error(`no ${kind} widget`);
}

const gridCount = async (filter: GridFilter, who: string) =>
  (await ok('customers.gridCount', { filter }, who)).filtered;

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
  expect((await ok('customers.quickStats', { filter: kpi('deposits').drill }, who)).deposits).toBe(
    kpi('deposits').value,
  );
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
  expect(pyramid.tiers.map((t) => [t.tier, t.customers, t.aum]).sort()).toEqual(
    [...tiers].map(([t, v]) => [t, v.n, fenToYuan(v.aum)]).sort(),
  );
  for (const t of pyramid.tiers) expect(await gridCount(t.drill, who)).toBe(t.customers);

  // Maturities within 30 days.
  const m = byKind(view, 'maturities');
  const until = addDays(TODAY, 30);
  const due = (rows: { customer_id: number; on: string; amt: number }[]) =>
    rows.filter((r) => ids.has(r.customer_id) && r.on >= TODAY && r.on <= until);
  const term = due(
    sql('SELECT customer_id, maturity_on AS "on", principal_fen AS amt FROM term_deposits WHERE status = \'active\''),
  );
  const wealth = due(
    sql(
      'SELECT customer_id, maturity_on AS "on", market_value_fen AS amt FROM wealth_holdings WHERE status = \'active\' AND maturity_on IS NOT NULL',
    ),
  );
  const loans = due(
    sql('SELECT customer_id, maturity_on AS "on", balance_fen AS amt FROM loans WHERE status = \'active\''),
  );
  const kinds = { term, wealth, loan: loans };
  for (const k of m.byKind) {
    expect(k.items).toBe(kinds[k.kind].length);
    expect(k.amount).toBe(fenToYuan(sum(kinds[k.kind].map((r) => BigInt(r.amt)))));
  }
  expect(m.customers).toBe(new Set([...term, ...wealth, ...loans].map((r) => r.customer_id)).size);
  expect(await gridCount(m.drill, who)).toBe(m.customers);
  for (const r of m.rows) expect(ids.has(r.id)).toBe(true);

  // History (month-end figures), KPI changes and movers, from the raw tables.
  const book = reportBook(who);
  const months = reportMonthsRaw();
  const fig = (m: string) => monthFigures(m, book);
  const thisMonth = TODAY.slice(0, 7);
  const prevAt = months.filter((m) => m < thisMonth).pop()!;
  const yearAgo = addMonths(thisMonth, -12);
  // Changes compare today's figure in the history's scope: the president's branch, a manager's own book (no grants).
  const own = rawCustomers(book);
  const ownNow = {
    customers: String(own.length),
    deposits: fenToYuan(sum(own.map((c) => c.deposits))),
    loans: fenToYuan(sum(own.map((c) => c.loans))),
    aum: fenToYuan(sum(own.map((c) => c.deposits + c.wealth))),
  };
  for (const metric of ['customers', 'deposits', 'loans', 'aum'] as const) {
    const k = kpi(metric);
    expect(k.basis).toBe(ownNow[metric]);
    if (who === 'president') expect(k.basis).toBe(k.value);
    const f = fig(prevAt);
    expect(k.prevMonthAt).toBe(prevAt);
    expect(k.prevMonth).toBe(metric === 'customers' ? String(f.customers) : fenToYuan(f[metric]));
    if (months.includes(yearAgo)) {
      const y = fig(yearAgo);
      expect(k.prevYear).toBe(metric === 'customers' ? String(y.customers) : fenToYuan(y[metric]));
    } else expect([k.prevYear, k.prevYearAt]).toEqual([null, null]);
  }
  const latest = months.at(-1)!;
  const now = fig(latest).per;
  const before = months.includes(addMonths(latest, -1)) ? fig(addMonths(latest, -1)).per : new Map<number, bigint>();
  const changes = [...now].map(([id, aum]) => ({ id, change: aum - (before.get(id) ?? 0n) }));
  for (const dir of ['up', 'down'] as const) {
    const w = byKind(view, 'movers', (d) => d.direction === dir);
    expect(w.month).toBe(latest);
    const want = changes
      .filter((c) => (dir === 'up' ? c.change > 0n : c.change < 0n))
      .sort((a, b) =>
        a.change === b.change ? a.id - b.id : (dir === 'up' ? b.change > a.change : a.change > b.change) ? 1 : -1,
      )
      .slice(0, 8);
    expect(want.length).toBeGreaterThan(0);
    expect(w.rows.map((r) => [r.id, r.amount])).toEqual(want.map((c) => [c.id, fenToYuan(c.change)]));
  }
  return { view, raw, ids };
}

describe('the president’s desktop (行长桌面)', () => {
  it('serves the default desktop in one call, every figure equal to the raw tables and every drill-down to its figure', async () => {
    const { view, raw } = await checkDesktop('president');
    expect(view.source).toBe('default');
    const kinds = new Set(view.layout.widgets.map((w) => w.kind));
    for (const k of [
      'kpi',
      'depositTrend',
      'tierPyramid',
      'channelMix',
      'productMix',
      'movers',
      'maturities',
      'staffLeague',
    ])
      expect(kinds.has(k as never)).toBe(true);

    // Staff league: each manager's book from raw rows.
    const league = byKind(view, 'staffLeague');
    const managers = new Set(sql<{ id: number }>("SELECT id FROM staff WHERE position = 'manager'").map((r) => r.id));
    const want = new Map<number, { n: number; dep: bigint; loan: bigint; aum: bigint; q: number }>();
    for (const c of raw) {
      if (c.manager === null || !managers.has(c.manager)) continue;
      const x = want.get(c.manager) ?? { n: 0, dep: 0n, loan: 0n, aum: 0n, q: 0 };
      want.set(c.manager, {
        n: x.n + 1,
        dep: x.dep + c.deposits,
        loan: x.loan + c.loans,
        aum: x.aum + c.deposits + c.wealth,
        q: x.q + (c.tier === 'gold' || c.tier === 'quality' ? 1 : 0),
      });
    }
    expect(league.rows.length).toBe(want.size);
    for (const r of league.rows) {
      const x = want.get(r.staffId)!;
      expect([r.customers, r.deposits, r.loans, r.aum, r.quality]).toEqual([
        x.n,
        fenToYuan(x.dep),
        fenToYuan(x.loan),
        fenToYuan(x.aum),
        x.q,
      ]);
      expect(await gridCount(r.drill, 'president')).toBe(r.customers);
    }

    // Channel mix over the latest reporting month; a slice drills into exactly the customers with such a transaction.
    const book = reportBook('president');
    const latest = reportMonthsRaw().at(-1)!;
    const ch = byKind(view, 'channelMix');
    expect([ch.from, ch.to]).toEqual([latest, latest]);
    const txns = sql<{ customer_id: number; channel: string; amount_fen: number }>(
      'SELECT customer_id, channel, amount_fen FROM transactions WHERE substr(txn_at, 1, 7) = ?',
      latest,
    ).filter((t) => book.has(t.customer_id));
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
      expect([c.txns, c.amount]).toEqual([x.n, fenToYuan(x.amt)]);
      expect(await gridCount(c.drill, 'president')).toBe(x.who.size);
    }

    // Product mix: holders, holdings and balance per product today; holders drill into exactly those customers.
    const pm = byKind(view, 'productMix');
    const holdings = [
      ...sql<{ cid: number; pid: number; bal: number }>(
        "SELECT customer_id AS cid, product_id AS pid, balance_fen AS bal FROM accounts WHERE kind IN ('demand','card') AND status <> 'closed'",
      ),
      ...sql<{ cid: number; pid: number; bal: number }>(
        "SELECT customer_id AS cid, product_id AS pid, principal_fen AS bal FROM term_deposits WHERE status = 'active'",
      ),
      ...sql<{ cid: number; pid: number; bal: number }>(
        "SELECT customer_id AS cid, product_id AS pid, market_value_fen AS bal FROM wealth_holdings WHERE status = 'active'",
      ),
      ...sql<{ cid: number; pid: number; bal: number }>(
        "SELECT customer_id AS cid, product_id AS pid, balance_fen AS bal FROM loans WHERE status = 'active'",
      ),
    ].filter((h) => book.has(h.cid));
    const perProduct = new Map<number, { n: number; bal: bigint; who: Set<number> }>();
    for (const h of holdings) {
      const x = perProduct.get(h.pid) ?? { n: 0, bal: 0n, who: new Set<number>() };
      x.n++;
      x.bal += BigInt(h.bal);
      x.who.add(h.cid);
      perProduct.set(h.pid, x);
    }
    const top = [...perProduct]
      .sort(([a, x], [b, y]) => (x.bal === y.bal ? a - b : y.bal > x.bal ? 1 : -1))
      .slice(0, 8);
    expect(pm.products.map((p) => [p.productId, p.holders, p.held, p.balance])).toEqual(
      top.map(([id, x]) => [id, x.who.size, x.n, fenToYuan(x.bal)]),
    );
    for (const p of pm.products) expect(await gridCount(p.drill, 'president')).toBe(p.holders);

    // Trend: every reporting month's month-end figures.
    const trend = byKind(view, 'depositTrend');
    const months = reportMonthsRaw().slice(-12);
    expect(trend.points).toEqual(
      months.map((m) => {
        const f = monthFigures(m, book);
        return {
          month: m,
          customers: f.customers,
          deposits: fenToYuan(f.deposits),
          loans: fenToYuan(f.loans),
          aum: fenToYuan(f.aum),
          drill: { drill: { kind: 'openedBy', date: monthEnd(m) } },
        };
      }),
    );
    // A point opens the customers counted at that month end.
    for (const p of trend.points.slice(-3)) expect(await gridCount(p.drill, 'president')).toBe(p.customers);
    expect(trend.points.length).toBe(12);
  });
});

describe('widget export (导出Excel)', () => {
  it('writes each widget’s figures as the desktop shows them, with headers in the user’s language; audited', async () => {
    await ok('desktop.save', { layout: DEFAULT_LAYOUTS.president }, 'president');
    const view = await ok('desktop.data', {}, 'president');
    const read = async (widgetId: string) => {
      const f = await ok('desktop.export', { widgetId }, 'president');
      const file = services.vault.get(f.id, userOf.president!)!;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file.path);
      const ws = wb.worksheets[0]!;
      const rows: unknown[][] = [];
      ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
      return { name: f.name, rows };
    };
    const pyramid = byKind(view, 'tierPyramid');
    const p = await read('pyramid');
    expect(p.name).toMatch(/^客户分层金字塔-\d{8}\.xlsx$/);
    expect(p.rows[0]).toEqual(['层级', '客户数', '管户资产（元）']);
    expect(p.rows.slice(1)).toEqual(
      pyramid.tiers.map((t) => [t.tier === 'none' ? '未分层' : expect.any(String), t.customers, Number(t.aum)]),
    );
    const league = byKind(view, 'staffLeague');
    const l = await read('league');
    expect(l.rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual(
      league.rows.map((r) => [r.name, r.customers, Number(r.aum)]),
    );
    // The sheet holds every customer the widget counts (not the eight on screen), dates as dates.
    const mat = byKind(view, 'maturities');
    const m = await read('maturities');
    expect(m.rows.slice(1, 1 + mat.rows.length).map((r) => r[0])).toEqual(mat.rows.map((r) => r.customerNo));
    expect(m.rows.length - 1).toBe(mat.customers);
    expect(m.rows.length - 1).toBeGreaterThan(mat.rows.length);
    expect(m.rows[1]![3]).toBeInstanceOf(Date);
    const k = await read('kpi-aum');
    expect(k.rows[1]).toEqual(['当前', undefined, Number(byKind(view, 'kpi', (d) => d.metric === 'aum').value)]);
    for (const w of view.layout.widgets) expect((await read(w.id)).rows.length).toBeGreaterThan(0);
    const audit = sql<{ details: string }>(
      "SELECT details FROM audit_log WHERE action = 'desktop.export' AND target_id = 'league'",
    );
    expect(audit.length).toBe(2); // once above, once in the loop over every widget
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ kind: 'staffLeague', rows: league.rows.length });
    // Only widgets on the caller's own desktop: the president's league is not the manager's to export.
    const r = await call('desktop.export', { widgetId: 'league' }, 'manager1');
    expect(!r.ok && r.error.code).toBe('NOT_FOUND');
    await ok('desktop.reset', {}, 'president');
  });
});

describe('changes against history', () => {
  it('compares the latest month end with figures, not the calendar month: the data end on 31 October, the PC says 20 November', async () => {
    // 较上月末 / 较上年同期 (shared/comparisons.ts, as the reports' 环比 / 同比): October against September,
    // and against October a year ago, which the twelve months of history do not hold (no comparison).
    const later = await createServices({
      dbPath: services.db.name,
      mode: 'browser',
      clock: fixedClock(new Date('2026-11-20T02:00:00Z')),
    });
    try {
      const reg = createRegistry(later);
      const r = (await reg.dispatch(
        { method: 'auth.signIn', input: { username: 'president', password: DEMO_PASSWORD } },
        { adapter: 'test' },
      )) as CallResult<{ session: string }>;
      if (!r.ok) throw new Error('sign-in');
      const v = (await reg.dispatch(
        { method: 'desktop.data', input: {}, session: r.value.session },
        { adapter: 'test' },
      )) as CallResult<DesktopView>;
      if (!v.ok) throw new Error('desktop.data');
      const book = reportBook('president');
      for (const metric of ['customers', 'deposits', 'loans', 'aum'] as const) {
        const k = byKind(v.value, 'kpi', (d) => d.metric === metric);
        expect([k.at, k.prevMonthAt, k.prevYearAt]).toEqual(['2026-10', '2026-09', null]);
        const [a, m] = [monthFigures('2026-10', book), monthFigures('2026-09', book)];
        expect([k.atValue, k.prevMonth, k.prevYear]).toEqual(
          metric === 'customers'
            ? [String(a.customers), String(m.customers), null]
            : [fenToYuan(a[metric]), fenToYuan(m[metric]), null],
        );
      }
    } finally {
      await later.close();
    }
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
      for (const x of rows)
        if (x.id !== undefined) expect(ids.has(x.id) && !(other.has(x.id) && !ids.has(x.id))).toBe(true);
    }
    const kinds = view.layout.widgets.map((w) => w.kind);
    expect(kinds).not.toContain('staffLeague');
    expect(kinds).toContain('views');
    // The president's figures are larger: the manager's are not the branch's.
    const pres = await ok('desktop.data', {}, 'president');
    expect(byKind(view, 'kpi', (d) => d.metric === 'customers').value).not.toBe(
      byKind(pres, 'kpi', (d) => d.metric === 'customers').value,
    );
  });

  it('drills from the manager’s month-end, channel and product figures into exactly their own book', async () => {
    const widgets = [
      { id: 'tr', kind: 'depositTrend', config: { months: 3 }, x: 0, y: 0, w: 6, h: 6 },
      { id: 'ch', kind: 'channelMix', config: { months: 2 }, x: 6, y: 0, w: 6, h: 6 },
      { id: 'pm', kind: 'productMix', config: { limit: 20 }, x: 0, y: 6, w: 6, h: 6 },
    ];
    await ok('desktop.save', { layout: { widgets } }, 'manager1');
    const v = await ok('desktop.data', {}, 'manager1');
    const book = reportBook('manager1');
    expect(scopeIds('manager1').size).toBeGreaterThan(book.size); // the manager has granted customers too
    for (const p of byKind(v, 'depositTrend').points) {
      expect(p.customers).toBe(monthFigures(p.month, book).customers);
      expect(await gridCount(p.drill, 'manager1')).toBe(p.customers);
    }
    const ch = byKind(v, 'channelMix');
    const months = reportMonthsRaw();
    expect([ch.from, ch.to]).toEqual([months.at(-2), months.at(-1)]);
    const txns = sql<{ customer_id: number; channel: string }>(
      'SELECT customer_id, channel FROM transactions WHERE substr(txn_at, 1, 7) BETWEEN ? AND ?',
      ch.from,
      ch.to,
    ).filter((t) => book.has(t.customer_id));
    for (const c of ch.channels) {
      expect(c.txns).toBe(txns.filter((t) => t.channel === c.channel).length);
      expect(await gridCount(c.drill, 'manager1')).toBe(
        new Set(txns.filter((t) => t.channel === c.channel).map((t) => t.customer_id)).size,
      );
    }
    const pm = byKind(v, 'productMix');
    expect(pm.products.length).toBeGreaterThan(3);
    for (const p of pm.products) expect(await gridCount(p.drill, 'manager1')).toBe(p.holders);
    await ok('desktop.reset', {}, 'manager1');
  });

  it('finds the same maturities whether driven from the manager’s book or from the maturity indexes', () => {
    for (const who of ['manager1', 'manager2']) {
      const u = services.db.prepare('SELECT role, staff_id, branch_id FROM users WHERE username = ?').get(who) as {
        role: 'manager';
        staff_id: number;
        branch_id: number;
      };
      const scope = scopeFor(services.db, { role: u.role, staffId: u.staff_id, branchId: u.branch_id }, TODAY);
      for (const days of [7, 30, 400]) {
        const book = maturities(services.db, scope, TODAY, days, 20, 'book');
        expect(book.customers).toBeGreaterThan(0);
        expect(book).toEqual(maturities(services.db, scope, TODAY, days, 20, 'window'));
      }
    }
  });

  it('refuses the staff league on a manager’s desktop', async () => {
    const view = await ok('desktop.data', {}, 'manager2');
    const layout = {
      widgets: [...view.layout.widgets, { id: 'lg', kind: 'staffLeague', config: {}, x: 0, y: 40, w: 4, h: 6 }],
    };
    const r = await call('desktop.save', { layout }, 'manager2');
    expect(r).toEqual({
      ok: false,
      error: { code: 'DESKTOP_LAYOUT_INVALID', details: { reason: 'not_for_role', widget: 'lg', kind: 'staffLeague' } },
    });
  });
});

describe('layouts persist per user', () => {
  it('keeps a moved and resized widget, added list and query widgets, for that user only', async () => {
    const before = await ok('desktop.data', {}, 'manager1');
    const list = await ok('lists.save', { name: '桌面测试名单', shared: false }, 'manager1');
    await ok('lists.add', { listId: list.id, filter: { tiers: ['gold', 'quality'] } }, 'manager1');
    const query = await ok(
      'queries.save',
      { name: '桌面测试查询', shared: false, filter: { maturingWithinDays: 60 } },
      'manager1',
    );
    const widgets: WidgetInput[] = before.layout.widgets.map((w) =>
      w.id === 'pyramid' ? { ...w, x: 6, y: 30, w: 5, h: 9 } : w,
    );
    widgets.push({ id: 'pin-list', kind: 'list', config: { listId: list.id }, x: 0, y: 40, w: 4, h: 6 });
    widgets.push({ id: 'pin-query', kind: 'query', config: { queryId: query.id }, x: 4, y: 40, w: 4, h: 6 });
    await ok('desktop.save', { layout: { widgets } }, 'manager1');

    const after = await ok('desktop.data', {}, 'manager1');
    expect(after.source).toBe('user');
    expect(after.layout.widgets.find((w) => w.id === 'pyramid')).toMatchObject({ x: 6, y: 30, w: 5, h: 9 });
    const l = after.widgets['pin-list'];
    const q = after.widgets['pin-query'];
    if (!l?.ok || l.data.kind !== 'list' || !q?.ok || q.data.kind !== 'query')
      throw new Error('pinned widgets missing');
    expect(l.data.name).toBe('桌面测试名单');
    expect(l.data.count).toBe(await gridCount({ listId: list.id }, 'manager1'));
    expect(l.data.count).toBe(sql('SELECT 1 FROM customer_list_members WHERE list_id = ?', list.id).length);
    const top = await ok(
      'customers.grid',
      { filter: { listId: list.id }, sort: [{ col: 'aum', dir: 'desc' }], offset: 0, limit: 5 },
      'manager1',
    );
    expect(l.data.rows.map((r) => r.id)).toEqual(top.rows.map((r) => r.id));
    expect(q.data.count).toBe(await gridCount({ maturingWithinDays: 60 }, 'manager1'));
    expect(q.data.drill).toEqual({ maturingWithinDays: 60 });
    // The views widget lists them with the same counts.
    const views = byKind(after, 'views');
    expect(views.items.find((i) => i.type === 'list' && i.id === list.id)?.count).toBe(l.data.count);
    expect(views.items.find((i) => i.type === 'query' && i.id === query.id)?.count).toBe(q.data.count);

    // Another manager pinning manager1's private list learns nothing about it.
    const peek = await ok(
      'desktop.save',
      { layout: { widgets: [{ id: 'peek', kind: 'list', config: { listId: list.id }, x: 0, y: 0, w: 4, h: 4 }] } },
      'manager2',
    );
    expect(peek.layout.widgets).toHaveLength(1);
    const theirs = (await ok('desktop.data', {}, 'manager2')).widgets.peek;
    expect(theirs).toEqual({
      ok: true,
      data: { kind: 'list', name: null, missing: true, count: 0, rows: [], drill: { listId: list.id } },
    });
    // The president's layout did not change.
    expect((await ok('desktop.data', {}, 'president')).source).toBe('default');
  });

  it('falls back to the template when a stored layout cannot be read', async () => {
    services.db
      .prepare('UPDATE desktop_layouts SET layout = ? WHERE user_id = ?')
      .run('{"widgets": [oops', userOf.manager2);
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
    const layout = {
      widgets: [
        { id: 'k', kind: 'kpi', config: { metric: 'aum' }, x: 0, y: 0, w: 6, h: 3 },
        { id: 'm', kind: 'maturities', config: {}, x: 6, y: 0, w: 6, h: 8 },
      ],
    };
    const published = await ok('desktop.publishTemplate', { role: 'manager', layout }, 'admin');
    expect(published).toMatchObject({ role: 'manager', builtIn: false, publishedBy: expect.any(String) });
    expect(published.layout.widgets[1]!.config).toEqual({ days: 30 });
    const audit = sql<{ action: string; details: string }>(
      "SELECT action, details FROM audit_log WHERE action = 'desktop.template.publish'",
    );
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
    const viaJson = await ok(
      'desktop.publishTemplate',
      {
        role: 'president',
        json: JSON.stringify({ widgets: [{ id: 'lg', kind: 'staffLeague', config: {}, x: 0, y: 0, w: 12, h: 8 }] }),
      },
      'admin',
    );
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
    [
      'unknown widget kind',
      JSON.stringify({ widgets: [{ id: 'x', kind: 'weather', config: {}, x: 0, y: 0, w: 2, h: 2 }] }),
      'unknown_kind',
    ],
    [
      'bad config',
      JSON.stringify({ widgets: [{ id: 'x', kind: 'kpi', config: { metric: 'profit' }, x: 0, y: 0, w: 2, h: 2 }] }),
      'bad_config',
    ],
    [
      'duplicate ids',
      JSON.stringify({
        widgets: [1, 2].map(() => ({ id: 'x', kind: 'tierPyramid', config: {}, x: 0, y: 0, w: 2, h: 2 })),
      }),
      'duplicate_id',
    ],
    [
      'outside the 12 columns',
      JSON.stringify({ widgets: [{ id: 'x', kind: 'tierPyramid', config: {}, x: 8, y: 0, w: 6, h: 2 }] }),
      'out_of_grid',
    ],
  ];
  for (const [what, json, reason] of bad) {
    it(`refuses ${what} with a translated reason, writing nothing`, async () => {
      const before = sql('SELECT role, layout FROM desktop_templates ORDER BY role');
      const r = await call('desktop.publishTemplate', { role: 'manager', json: json as string }, 'admin');
      expect(!r.ok && r.error.code).toBe('DESKTOP_LAYOUT_INVALID');
      expect(!r.ok && r.error.details?.reason).toBe(reason);
      expect(sql('SELECT role, layout FROM desktop_templates ORDER BY role')).toEqual(before);
      for (const lang of ['zh-CN', 'en'] as const) {
        const tree = (
          i18n as Record<string, { desktop: { layoutProblem: Record<string, string> }; errors: Record<string, string> }>
        )[lang]!;
        expect(tree.errors.DESKTOP_LAYOUT_INVALID, lang).toBeTruthy();
        expect(tree.desktop.layoutProblem[reason], `${lang} message for ${reason}`).toBeTruthy();
      }
    });
  }

  it('shows the refusal in the user’s language, naming the widget kind', async () => {
    const inst = i18next.createInstance();
    await inst.init({
      resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
      lng: 'zh-CN',
      interpolation: { escapeValue: false },
    });
    const r = await call(
      'desktop.save',
      { layout: { widgets: [{ id: 'x', kind: 'weather', config: {}, x: 0, y: 0, w: 2, h: 2 }] } },
      'manager1',
    );
    if (r.ok) throw new Error('accepted');
    const say = (lng: string) => errorMessage((k, o) => inst.getFixedT(lng)(k, o ?? {}), r.error.code, r.error.details);
    expect(say('zh-CN')).toBe('未知的部件类型“weather”，未保存');
    expect(say('en')).toBe('Unknown widget kind “weather”; nothing was saved');
    const bad = await call('desktop.publishTemplate', { role: 'manager', json: '{' }, 'admin');
    if (bad.ok) throw new Error('accepted');
    expect(errorMessage((k, o) => inst.getFixedT('zh-CN')(k, o ?? {}), bad.error.code, bad.error.details)).toBe(
      '布局文件不是有效的 JSON，未保存',
    );
  });

  it('refuses an unknown kind through desktop.save too, keeping the saved layout', async () => {
    const before = await ok('desktop.data', {}, 'president');
    const r = await call(
      'desktop.save',
      { layout: { widgets: [{ id: 'x', kind: 'horoscope', config: {}, x: 0, y: 0, w: 2, h: 2 }] } },
      'president',
    );
    expect(r).toEqual({
      ok: false,
      error: { code: 'DESKTOP_LAYOUT_INVALID', details: { reason: 'unknown_kind', widget: 'x', kind: 'horoscope' } },
    });
    expect((await ok('desktop.data', {}, 'president')).layout).toEqual(before.layout);
  });
});

describe('after an import and a re-tier', () => {
  async function settle(ticket: number) {
    for (;;) {
      const a = (await ok('imports.active', {}, 'admin')).find((j) => j.ticket === ticket)!;
      if (a.state === 'finished') return a;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Rewrites some cells of an extract file (column by its store field) and drops it into the import folder. */
  function edit(
    file: string,
    kind: string,
    profile: { columns: { field: string; source?: string | number }[] },
    change: (cell: (field: string) => { get(): string; set(v: string): void }) => boolean,
  ) {
    const lines = iconv.decode(readFileSync(path.join(extractsDir, file)), 'gb18030').split('\r\n');
    const header = lines[0]!.split(',').map((h) => h.replace(/^"|"$/g, ''));
    let changed = 0;
    const out = lines.map((line, i) => {
      if (i === 0 || !line || line.includes('"')) return line;
      const cells = line.split(',');
      const cell = (field: string) => {
        const col = header.indexOf(String(profile.columns.find((c) => c.field === field)!.source));
        return {
          get: () => cells[col]!,
          set: (v: string) => {
            cells[col] = v;
          },
        };
      };
      if (change(cell)) changed++;
      return cells.join(',');
    });
    mkdirSync(services.paths.inbox, { recursive: true });
    writeFileSync(path.join(services.paths.inbox, `${kind}-${file}`), iconv.encode(out.join('\r\n'), 'gb18030'));
    return changed;
  }

  it('every figure still equals the raw tables after managers change and balances move (import), and after a re-tier', async () => {
    // Each user on the default desktop again (earlier tests published templates and saved layouts).
    for (const who of ['president', 'manager1', 'manager2'] as const) {
      const role = who === 'president' ? 'president' : 'manager';
      await ok('desktop.save', { layout: DEFAULT_LAYOUTS[role] }, who);
    }
    const emp = (who: string) =>
      (services.db.prepare('SELECT employee_no AS e FROM staff WHERE id = ?').get(staffOf[who]) as { e: string }).e;
    const profiles = await ok('imports.profiles.list', {}, 'admin');
    const cif = profiles.find((p) => p.kind === 'customers' && p.builtin)!;
    const acc = profiles.find((p) => p.kind === 'accounts' && p.builtin)!;
    const before = scopeIds('manager2');
    const movedNos: string[] = [];

    // Eight of manager1's customers go to manager2; thirty demand balances change.
    let moved = 0;
    expect(
      edit('customers.csv', 'moved', cif.profile, (cell) => {
        if (moved >= 8 || cell('manager_employee_no').get() !== emp('manager1')) return false;
        cell('manager_employee_no').set(emp('manager2'));
        movedNos.push(cell('customer_no').get());
        return ++moved > 0;
      }),
    ).toBe(8);
    let bumped = 0;
    expect(
      edit('accounts.csv', 'bumped', acc.profile, (cell) => {
        if (bumped >= 30 || cell('kind').get() !== '活期' || cell('status').get() !== '正常') return false;
        cell('balance').set(`${(bumped + 1) * 12345}.67`);
        return ++bumped > 0;
      }),
    ).toBe(30);
    for (const [file, profile] of [
      ['moved-customers.csv', cif],
      ['bumped-accounts.csv', acc],
    ] as const) {
      const started = await ok('imports.start', { file, source: { id: profile.id } }, 'admin');
      expect((await settle(started.ticket)).status).toBe('committed');
    }
    await checkDesktop('president');
    await checkDesktop('manager1');
    const { view } = await checkDesktop('manager2');
    // The moved customers are in manager2's book now (some may have been granted to them already).
    const movedIds = movedNos.map(
      (no) => (services.db.prepare('SELECT id FROM customers WHERE customer_no = ?').get(no) as { id: number }).id,
    );
    const kpiN = Object.values(view.widgets).find(
      (x) => x.ok && x.data.kind === 'kpi' && x.data.metric === 'customers',
    );
    expect(kpiN?.ok && kpiN.data.kind === 'kpi' && Number(kpiN.data.value)).toBe(
      new Set([...before, ...movedIds]).size,
    );
    for (const id of movedIds)
      expect(
        scopeIds('manager1').has(id) && !sql('SELECT 1 FROM customer_grants WHERE customer_id = ?', id).length,
      ).toBe(false);

    // Re-tier with the default model: the pyramid and everything else follow.
    const applied = await ok('tiers.apply', { model: DEFAULT_TIER_MODEL }, 'admin');
    expect(applied.changed).toBeGreaterThan(0);
    await checkDesktop('president');
    await checkDesktop('manager1');
  }, 120_000);
});
