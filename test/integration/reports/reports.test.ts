import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../db/demo';
import { buildColumnsNow } from '../../../db/repos/customer-grid';
import { freshColumns } from '../../../db/customer-columns';
import { fixedClock } from '../../../main/clock';
import { runImport } from '../../../main/jobs/engine/run';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type {
  GridFilter,
  Input,
  MethodName,
  Output,
  ReportFilterInput,
  ReportName,
  ReportResult,
  ReportTable,
} from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { DEFAULT_TIER_MODEL } from '../../../shared/tiers';
import { refreshFactors, retier } from '../../../db/tiering';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { writeText } from '../imports/helpers';
import {
  addDays,
  customerMonth,
  gridReference,
  inScope,
  loadRaw,
  monthEndOf,
  reportingMonths,
  tierOnDay,
  weekday,
  yuan,
  type Raw,
} from './reference';

/**
 * Every figure of every report equals the same figure computed the slow way from the raw tables
 * (./reference.ts), for the president (branch) and a manager (own book only), and every drill-down
 * opens a grid whose count equals the customers behind the figure: on a demo store, after an import,
 * and after a re-tier.
 */
const TODAY = '2026-10-31';
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const sessions: Record<string, string> = {};
let raw: Raw;

async function call<M extends MethodName>(user: string, method: M, input: Input<M>): Promise<CallResult<Output<M>>> {
  return (await registry.dispatch(
    { method, input, session: sessions[user] ?? null },
    { adapter: 'test' },
  )) as CallResult<Output<M>>;
}
async function ok<M extends MethodName>(user: string, method: M, input: Input<M>): Promise<Output<M>> {
  const r = await call(user, method, input);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.value;
}

interface Who {
  user: string;
  branchIds?: number[];
  managerId?: number;
}
let president: Who;
let manager: Who;

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 400, seed: 29 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date(`${TODAY}T02:00:00Z`)),
  });
  registry = createRegistry(services);
  for (const u of ['president', 'manager1', 'admin', 'teller1']) {
    const r = (await registry.dispatch(
      { method: 'auth.signIn', input: { username: u, password: DEMO_PASSWORD } },
      { adapter: 'test' },
    )) as CallResult<{ session: string }>;
    if (!r.ok) throw new Error(`sign-in ${u}`);
    sessions[u] = r.value.session;
  }
  const staffOf = (u: string) =>
    services.db.prepare('SELECT staff_id AS s, branch_id AS b FROM users WHERE username = ?').get(u) as {
      s: number;
      b: number;
    };
  const p = staffOf('president');
  const branches = (
    services.db
      .prepare(
        'WITH RECURSIVE t(id) AS (SELECT ? UNION SELECT b.id FROM branches b JOIN t ON b.parent_id = t.id) SELECT id FROM t',
      )
      .all(p.b) as { id: number }[]
  ).map((x) => x.id);
  president = { user: 'president', branchIds: branches };
  manager = { user: 'manager1', managerId: staffOf('manager1').s };
  raw = loadRaw(services.db);
}, 120_000);

afterAll(async () => {
  await services?.close();
  removeTempDirs();
});

const table = (r: ReportResult, id: string): ReportTable => {
  const t = r.tables.find((x) => x.id === id);
  if (!t) throw new Error(`no table ${id}`);
  return t;
};
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);

/** Figures at a month end, the slow way. */
function monthRef(cs: Raw['customers'], month: string) {
  const end = monthEndOf(month);
  const open = cs.filter((c) => c.opened_on <= end);
  const figs = open.map((c) => customerMonth(raw, c.id, month));
  const dep = sum(figs, (f) => f.dep);
  const wlt = sum(figs, (f) => f.wlt);
  return {
    customers: open.length,
    deposits: yuan(dep),
    wealth: yuan(wlt),
    loans: yuan(sum(figs, (f) => f.lon)),
    aum: yuan(dep + wlt),
  };
}
const figureCells = (cells: Record<string, unknown>) => ({
  customers: cells.customers,
  deposits: cells.deposits,
  wealth: cells.wealth,
  loans: cells.loans,
  aum: cells.aum,
});

function txnsOf(cs: Raw['customers'], from: string, to: string, channels?: string[]) {
  const ids = new Set(cs.map((c) => c.id));
  return raw.txns.filter(
    (t) =>
      ids.has(t.customer_id) &&
      t.txn_at.slice(0, 7) >= from &&
      t.txn_at.slice(0, 7) <= to &&
      (!channels || channels.includes(t.channel)),
  );
}

/** Checks every row's drill (and per-column drills): the grid, as the same user, counts exactly the reference customers. */
async function checkDrills(
  who: Who,
  r: ReportResult,
  scopeCs: Raw['customers'],
  figureOf: (t: ReportTable, row: ReportTable['rows'][number], col: string | null) => number | null,
) {
  let checked = 0;
  for (const t of r.tables) {
    for (const row of t.rows) {
      const targets: [string | null, GridFilter][] = [];
      if (row.drill) targets.push([null, row.drill]);
      for (const [k, f] of Object.entries(row.drills ?? {})) targets.push([k, f]);
      for (const [col, f] of targets) {
        const count = (await ok(who.user, 'customers.gridCount', { filter: f })).filtered;
        const expected = gridReference(raw, scopeCs, f, TODAY).size;
        expect(count, `${r.report}/${t.id} ${col ?? 'row'} ${JSON.stringify(f)}`).toBe(expected);
        const figure = figureOf(t, row, col);
        if (figure != null) expect(count, `${r.report}/${t.id} figure ${col ?? 'row'}`).toBe(figure);
        checked++;
      }
    }
  }
  return checked;
}

/** The customers figure a drill stands for, where the table has one (the number the user clicked). */
function customersFigure(t: ReportTable, row: ReportTable['rows'][number], col: string | null): number | null {
  const c = row.cells;
  if (col === null) {
    if (['trend', 'tiers', 'branches', 'composition', 'maturities', 'managers', 'changes'].includes(t.id))
      return Number(c.customers);
    if (t.id === 'holdings') return Number(c.holders);
    if (t.id === 'kpi') return null; // every KPI row opens the customers counted at the month end (checked against the reference set)
    return null;
  }
  if (t.id === 'managers' && col === 'quality') return Number(c.quality);
  if (t.id === 'matrix') return Number(c[col]);
  return null;
}

async function checkAll(who: Who, label: string) {
  const scopeCs = inScope(raw, who);
  const months = reportingMonths(raw);
  const to = months[months.length - 1]!;
  const from = months[months.length - 3]!;
  const prev = months[months.length - 2]!;
  const filter: ReportFilterInput = { from, to };
  const run = (report: ReportName, f: ReportFilterInput = filter) => ok(who.user, 'reports.run', { report, filter: f });
  let drills = 0;

  // Branch overview: KPIs, trend, tiers, outlets.
  const ov = await run('overview');
  expect(ov.months).toEqual(months);
  const at = monthRef(scopeCs, to);
  const before = monthRef(scopeCs, prev);
  const kpi = table(ov, 'kpi').rows;
  expect(kpi.map((r) => [r.cells.metric, r.cells.value, r.cells.prevMonth])).toEqual([
    ['customers', at.customers, before.customers],
    ['deposits', at.deposits, before.deposits],
    ['wealth', at.wealth, before.wealth],
    ['loans', at.loans, before.loans],
    ['aum', at.aum, before.aum],
  ]);
  // A year back exists only once a thirteenth month of balances has arrived.
  const yearBack = `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
  const ly = months.includes(yearBack) ? monthRef(scopeCs, yearBack) : null;
  expect(kpi.map((r) => r.cells.prevYear)).toEqual(
    ly ? [ly.customers, ly.deposits, ly.wealth, ly.loans, ly.aum] : [null, null, null, null, null],
  );
  expect(table(ov, 'trend').rows.map((r) => ({ month: r.cells.month, ...figureCells(r.cells) }))).toEqual(
    months.map((m) => ({ month: m, ...monthRef(scopeCs, m) })),
  );
  const tiers = [...new Set(scopeCs.map((c) => c.tier ?? 'none'))];
  expect(
    Object.fromEntries(table(ov, 'tiers').rows.map((r) => [r.cells.tier, [r.cells.customers, r.cells.aum]])),
  ).toEqual(
    Object.fromEntries(
      tiers.map((t) => {
        const cs = scopeCs.filter((c) => (c.tier ?? 'none') === t);
        return [t, [cs.length, yuan(sum(cs, (c) => c.aum_fen))]];
      }),
    ),
  );
  const branchIds = [...new Set(scopeCs.map((c) => c.branch_id))].sort((a, b) => a - b);
  expect(table(ov, 'branches').rows.map((r) => figureCells(r.cells))).toEqual(
    branchIds.map((b) =>
      monthRef(
        scopeCs.filter((c) => c.branch_id === b),
        to,
      ),
    ),
  );
  drills += await checkDrills(who, ov, scopeCs, customersFigure);
  // Customer type applies to the month-end figures; the tier table (no type column) ignores it, and so do its drills.
  const corp = await run('overview', { ...filter, kind: 'corporate' });
  const corpCs = scopeCs.filter((c) => c.kind === 'corporate');
  expect(table(corp, 'trend').rows.map((r) => ({ month: r.cells.month, ...figureCells(r.cells) }))).toEqual(
    months.map((m) => ({ month: m, ...monthRef(corpCs, m) })),
  );
  expect(table(corp, 'tiers').rows).toEqual(table(ov, 'tiers').rows);
  drills += await checkDrills(who, corp, scopeCs, customersFigure);

  // Customer analysis: composition, behaviour, flows.
  const cu = await run('customers');
  const kinds = [...new Set(scopeCs.map((c) => c.kind))].sort();
  expect(table(cu, 'composition').rows.map((r) => [r.cells.customerKind, figureCells(r.cells)])).toEqual(
    kinds.map((k) => [
      k,
      monthRef(
        scopeCs.filter((c) => c.kind === k),
        to,
      ),
    ]),
  );
  const period = txnsOf(scopeCs, from, to);
  const byType = new Map<string, { n: number; a: number }>();
  for (const t of period) {
    const g = byType.get(`${t.txn_type}|${t.direction}`) ?? { n: 0, a: 0 };
    g.n++;
    g.a += t.amount_fen;
    byType.set(`${t.txn_type}|${t.direction}`, g);
  }
  expect(
    Object.fromEntries(
      table(cu, 'behaviour').rows.map((r) => [`${r.cells.txnType}|${r.cells.direction}`, [r.cells.n, r.cells.amount]]),
    ),
  ).toEqual(Object.fromEntries([...byType].map(([k, g]) => [k, [g.n, yuan(g.a)]])));
  for (const r of table(cu, 'flows').rows) {
    const m = String(r.cells.month);
    const ts = period.filter((t) => t.txn_at.startsWith(m));
    const inn = ts.filter((t) => t.direction === 'C');
    const out = ts.filter((t) => t.direction === 'D');
    expect(r.cells).toEqual({
      month: m,
      inflowN: inn.length,
      inflow: yuan(sum(inn, (t) => t.amount_fen)),
      outflowN: out.length,
      outflow: yuan(sum(out, (t) => t.amount_fen)),
      net: yuan(sum(inn, (t) => t.amount_fen) - sum(out, (t) => t.amount_fen)),
    });
  }
  expect(table(cu, 'flows').rows.length).toBe(new Set(period.map((t) => t.txn_at.slice(0, 7))).size);
  drills += await checkDrills(who, cu, scopeCs, customersFigure);

  // Product analysis: holdings, sales, maturities, fee income.
  const pr = await run('products', { ...filter, maturityDays: 60 });
  const ids = new Set(scopeCs.map((c) => c.id));
  const holdings = new Map<number, { holders: Set<number>; held: number; bal: number }>();
  const hold = (pid: number, cid: number, bal: number) => {
    const g = holdings.get(pid) ?? { holders: new Set<number>(), held: 0, bal: 0 };
    g.holders.add(cid);
    g.held++;
    g.bal += bal;
    holdings.set(pid, g);
  };
  for (const a of raw.accounts)
    if (ids.has(a.customer_id) && (a.kind === 'demand' || a.kind === 'card') && a.status !== 'closed')
      hold(a.product_id, a.customer_id, a.balance_fen);
  for (const t of raw.terms)
    if (ids.has(t.customer_id) && t.status === 'active') hold(t.product_id, t.customer_id, t.principal_fen);
  for (const h of raw.wealth)
    if (ids.has(h.customer_id) && h.status === 'active') hold(h.product_id, h.customer_id, h.market_value_fen);
  for (const l of raw.loans)
    if (ids.has(l.customer_id) && l.status === 'active') hold(l.product_id, l.customer_id, l.balance_fen);
  const holdingRows = table(pr, 'holdings').rows;
  expect(holdingRows.length).toBe(holdings.size);
  for (const r of holdingRows) {
    const pid = (r.drill!.drill as { productId: number }).productId;
    const g = holdings.get(pid)!;
    expect([r.cells.holders, r.cells.held, r.cells.balance]).toEqual([g.holders.size, g.held, yuan(g.bal)]);
  }
  const inP = (d: string) => d.slice(0, 7) >= from && d.slice(0, 7) <= to;
  const sold = new Map<number, { n: number; a: number }>();
  const sell = (pid: number, a: number) => {
    const g = sold.get(pid) ?? { n: 0, a: 0 };
    g.n++;
    g.a += a;
    sold.set(pid, g);
  };
  for (const a of raw.accounts)
    if (ids.has(a.customer_id) && (a.kind === 'demand' || a.kind === 'card') && inP(a.opened_on)) sell(a.product_id, 0);
  for (const t of raw.terms) if (ids.has(t.customer_id) && inP(t.start_on)) sell(t.product_id, t.principal_fen);
  for (const h of raw.wealth) if (ids.has(h.customer_id) && inP(h.purchased_on)) sell(h.product_id, h.cost_fen);
  for (const l of raw.loans) if (ids.has(l.customer_id) && inP(l.disbursed_on)) sell(l.product_id, l.principal_fen);
  expect(
    Object.fromEntries(
      table(pr, 'sales').rows.map((r) => [
        (r.drill!.drill as { productId: number }).productId,
        [r.cells.sold, r.cells.soldAmount],
      ]),
    ),
  ).toEqual(Object.fromEntries([...sold].map(([p, g]) => [p, [g.n, yuan(g.a)]])));
  const until = addDays(TODAY, 60);
  const due = (m: string | null, s: string) => s === 'active' && m != null && m >= TODAY && m <= until;
  const mat = {
    term: raw.terms
      .filter((t) => ids.has(t.customer_id) && due(t.maturity_on, t.status))
      .map((t) => [t.customer_id, t.principal_fen] as const),
    wealth: raw.wealth
      .filter((h) => ids.has(h.customer_id) && due(h.maturity_on, h.status))
      .map((h) => [h.customer_id, h.market_value_fen] as const),
    loan: raw.loans
      .filter((l) => ids.has(l.customer_id) && due(l.maturity_on, l.status))
      .map((l) => [l.customer_id, l.balance_fen] as const),
  };
  expect(table(pr, 'maturities').rows.map((r) => r.cells)).toEqual(
    (['term', 'wealth', 'loan'] as const)
      .filter((k) => mat[k].length)
      .map((k) => ({
        maturityKind: k,
        items: mat[k].length,
        amount: yuan(sum([...mat[k]], (x) => x[1])),
        customers: new Set(mat[k].map((x) => x[0])).size,
      })),
  );
  const fees = period.filter((t) => t.txn_type === 'fee' && t.direction === 'D');
  expect(table(pr, 'income').rows.map((r) => r.cells)).toEqual(
    [...new Set(fees.map((t) => t.txn_at.slice(0, 7)))].sort().map((m) => {
      const fs = fees.filter((t) => t.txn_at.startsWith(m));
      return { month: m, feeN: fs.length, feeIncome: yuan(sum(fs, (t) => t.amount_fen)) };
    }),
  );
  drills += await checkDrills(who, pr, scopeCs, customersFigure);

  // Channel analysis, also filtered to two channels.
  for (const channels of [undefined, ['online', 'counter'] as ('online' | 'counter')[]]) {
    const ch = await run('channels', { ...filter, ...(channels ? { channels } : {}) });
    const ts = txnsOf(scopeCs, from, to, channels);
    const chans = [...new Set(ts.map((t) => t.channel))].sort();
    expect(table(ch, 'mix').rows.map((r) => [r.cells.channel, r.cells.n, r.cells.amount])).toEqual(
      chans.map((c) => [
        c,
        ts.filter((t) => t.channel === c).length,
        yuan(
          sum(
            ts.filter((t) => t.channel === c),
            (t) => t.amount_fen,
          ),
        ),
      ]),
    );
    for (const r of table(ch, 'hours').rows) {
      for (const c of chans)
        expect(r.cells[c], `hour ${r.cells.hour} ${c}`).toBe(
          ts.filter((t) => t.channel === c && Number(t.txn_at.slice(11, 13)) === r.cells.hour).length,
        );
    }
    for (const r of table(ch, 'weekdays').rows) {
      for (const c of chans)
        expect(r.cells[c], `weekday ${r.cells.weekday} ${c}`).toBe(
          ts.filter((t) => t.channel === c && weekday(t.txn_at) === r.cells.weekday).length,
        );
    }
    for (const r of table(ch, 'types').rows) {
      expect(r.cells.n).toBe(ts.filter((t) => t.txn_type === r.cells.txnType).length);
    }
    drills += await checkDrills(who, ch, scopeCs, customersFigure);
  }

  // Performance: managers' books and tellers' counter work.
  const pf = await run('performance');
  const mgrs = [...new Set(scopeCs.map((c) => c.manager_staff_id).filter((m): m is number => m != null))];
  expect(
    Object.fromEntries(
      table(pf, 'managers').rows.map((r) => [
        (r.drill!.managerIds ?? [])[0],
        [r.cells.customers, r.cells.deposits, r.cells.aum, r.cells.quality, r.cells.aumChange],
      ]),
    ),
  ).toEqual(
    Object.fromEntries(
      mgrs.map((m) => {
        const cs = scopeCs.filter((c) => c.manager_staff_id === m);
        const aumAt = (mm: string) =>
          sum(
            cs.filter((c) => c.opened_on <= monthEndOf(mm)),
            (c) => {
              const f = customerMonth(raw, c.id, mm);
              return f.dep + f.wlt;
            },
          );
        return [
          m,
          [
            cs.length,
            yuan(sum(cs, (c) => c.deposit_fen)),
            yuan(sum(cs, (c) => c.aum_fen)),
            cs.filter((c) => c.tier === 'gold' || c.tier === 'quality').length,
            yuan(aumAt(to) - aumAt(prev)),
          ],
        ];
      }),
    ),
  );
  const tellerRows = table(pf, 'tellers').rows;
  if (who.managerId != null) expect(tellerRows).toEqual([]);
  else {
    const tellers = raw.staff.filter((s) => who.branchIds!.includes(s.branch_id));
    const work = raw.txns.filter(
      (t) =>
        t.teller_staff_id != null &&
        tellers.some((s) => s.id === t.teller_staff_id) &&
        t.txn_at.slice(0, 7) >= from &&
        t.txn_at.slice(0, 7) <= to,
    );
    expect(sum(tellerRows, (r) => Number(r.cells.n))).toBe(work.length);
    expect(sum(tellerRows, (r) => Number(r.cells.creditN))).toBe(work.filter((t) => t.direction === 'C').length);
  }
  drills += await checkDrills(who, pf, scopeCs, customersFigure);

  // Tier migration over the last 30 days (re-tiering records the changes).
  const mg = await run('migration', { migrationFrom: addDays(TODAY, -30), migrationTo: TODAY });
  const lo = addDays(TODAY, -29);
  const hi = addDays(TODAY, 1);
  const moved = new Map<string, number>();
  for (const c of scopeCs) {
    const ch = raw.tierChanges
      .filter((x) => x.customer_id === c.id && x.changed_at >= lo && x.changed_at < hi)
      .sort((a, b) => a.changed_at.localeCompare(b.changed_at) || a.id - b.id);
    if (!ch.length) continue;
    const k = `${ch[0]!.from_tier || 'none'}>${ch[ch.length - 1]!.to_tier || 'none'}`;
    moved.set(k, (moved.get(k) ?? 0) + 1);
  }
  expect(
    Object.fromEntries(
      table(mg, 'changes').rows.map((r) => [`${r.cells.fromTier}>${r.cells.toTier}`, r.cells.customers]),
    ),
  ).toEqual(Object.fromEntries(moved));
  drills += await checkDrills(who, mg, scopeCs, customersFigure);
  expect(drills, label).toBeGreaterThan(40);
}

/** The migration matrix for (from, to] against the change log, and its drills. Returns customers with several changes in it. */
async function checkMigration(who: Who, from: string, to: string, label: string): Promise<number> {
  const scopeCs = inScope(raw, who);
  const mg = await ok(who.user, 'reports.run', {
    report: 'migration',
    filter: { migrationFrom: from, migrationTo: to },
  });
  const lo = addDays(from, 1);
  const hi = addDays(to, 1);
  const moved = new Map<string, number>();
  let several = 0;
  for (const c of scopeCs) {
    const ch = raw.tierChanges
      .filter((x) => x.customer_id === c.id && x.changed_at >= lo && x.changed_at < hi)
      .sort((a, b) => a.changed_at.localeCompare(b.changed_at) || a.id - b.id);
    if (!ch.length) continue;
    if (ch.length > 1) several++;
    const k = `${ch[0]!.from_tier || 'none'}>${ch[ch.length - 1]!.to_tier || 'none'}`;
    moved.set(k, (moved.get(k) ?? 0) + 1);
  }
  expect(
    Object.fromEntries(
      table(mg, 'changes').rows.map((r) => [`${r.cells.fromTier}>${r.cells.toTier}`, r.cells.customers]),
    ),
    label,
  ).toEqual(Object.fromEntries(moved));
  await checkDrills(who, mg, scopeCs, customersFigure);
  return several;
}

/**
 * Reports filtered to a tier count each figure under the tier held at its moment (point-in-time
 * tiers): month-end customers and balances at that month end, transactions on their day, sales at the
 * end of their month, holdings today. Figures and drills against the change log, the slow way.
 */
async function checkTierFiltered(who: Who, label: string) {
  const scopeCs = inScope(raw, who);
  const months = reportingMonths(raw);
  const to = months[months.length - 1]!;
  const from = months[0]!;
  const tiersThen = new Set<string>();
  for (const m of months)
    for (const c of scopeCs) if (c.opened_on <= monthEndOf(m)) tiersThen.add(tierOnDay(raw, c.id, monthEndOf(m)));
  let drills = 0;
  let differs = 0;
  for (const tier of [...tiersThen].sort()) {
    const filter: ReportFilterInput = { from, to, tiers: [tier as 'gold'] };
    const ov = await ok(who.user, 'reports.run', { report: 'overview', filter });
    const trend = table(ov, 'trend').rows.map((r) => ({ month: r.cells.month, ...figureCells(r.cells) }));
    expect(trend, `${label} ${tier} trend`).toEqual(
      // Months where nobody opened held the tier are not shown.
      months
        .map((m) => ({
          month: m,
          ...monthRef(
            scopeCs.filter((c) => tierOnDay(raw, c.id, monthEndOf(m)) === tier),
            m,
          ),
        }))
        .filter((x) => x.customers > 0),
    );
    for (const m of months)
      if (
        scopeCs.some((c) => c.opened_on <= monthEndOf(m) && tierOnDay(raw, c.id, monthEndOf(m)) !== (c.tier ?? 'none'))
      )
        differs++;
    drills += await checkDrills(who, ov, scopeCs, customersFigure);
    const ch = await ok(who.user, 'reports.run', { report: 'channels', filter });
    const ts = txnsOf(scopeCs, from, to).filter((t) => tierOnDay(raw, t.customer_id, t.txn_at.slice(0, 10)) === tier);
    const chans = [...new Set(ts.map((t) => t.channel))].sort();
    expect(
      table(ch, 'mix').rows.map((r) => [r.cells.channel, r.cells.n, r.cells.amount]),
      `${label} ${tier} channels`,
    ).toEqual(
      chans.map((c) => [
        c,
        ts.filter((t) => t.channel === c).length,
        yuan(
          sum(
            ts.filter((t) => t.channel === c),
            (t) => t.amount_fen,
          ),
        ),
      ]),
    );
    for (const r of table(ch, 'hours').rows) {
      for (const c of chans)
        expect(r.cells[c], `${label} ${tier} hour ${r.cells.hour} ${c}`).toBe(
          ts.filter((t) => t.channel === c && Number(t.txn_at.slice(11, 13)) === r.cells.hour).length,
        );
    }
    drills += await checkDrills(who, ch, scopeCs, customersFigure);
    const pr = await ok(who.user, 'reports.run', { report: 'products', filter });
    const ids = new Set(scopeCs.map((c) => c.id));
    const sold = new Map<number, number>();
    const sell = (pid: number, cid: number, day: string) => {
      if (
        ids.has(cid) &&
        day.slice(0, 7) >= from &&
        day.slice(0, 7) <= to &&
        tierOnDay(raw, cid, monthEndOf(day.slice(0, 7))) === tier
      )
        sold.set(pid, (sold.get(pid) ?? 0) + 1);
    };
    for (const a of raw.accounts)
      if (a.kind === 'demand' || a.kind === 'card') sell(a.product_id, a.customer_id, a.opened_on);
    for (const t of raw.terms) sell(t.product_id, t.customer_id, t.start_on);
    for (const h of raw.wealth) sell(h.product_id, h.customer_id, h.purchased_on);
    for (const l of raw.loans) sell(l.product_id, l.customer_id, l.disbursed_on);
    expect(
      Object.fromEntries(
        table(pr, 'sales').rows.map((r) => [(r.drill!.drill as { productId: number }).productId, r.cells.sold]),
      ),
      `${label} ${tier} sales`,
    ).toEqual(Object.fromEntries(sold));
    drills += await checkDrills(who, pr, scopeCs, customersFigure);
  }
  // The check means something: some month ends count customers under a tier they no longer hold.
  expect(differs, `${label}: history under other tiers`).toBeGreaterThan(0);
  expect(drills, label).toBeGreaterThan(20);
}

describe('reports equal the raw tables, drill-downs equal the figures', () => {
  it('on the demo store, for the president and for a manager (own book only, granted customers left out)', async () => {
    const grants = services.db
      .prepare('SELECT COUNT(*) AS n FROM customer_grants WHERE staff_id = ?')
      .get(manager.managerId) as { n: number };
    expect(grants.n).toBeGreaterThan(0);
    await checkAll(president, 'president');
    await checkAll(manager, 'manager');
    // Again through the grid's in-memory columns (a large store's path): drills that are id sets
    // (holdings, sales, maturities, tier changes) hand their ids over without the customers table.
    buildColumnsNow(services.db);
    expect(freshColumns(services.db)).not.toBeNull();
    await checkAll(president, 'president, columns');
    await checkAll(manager, 'manager, columns');
    expect(freshColumns(services.db), 'the columns answered throughout').not.toBeNull();
  }, 300_000);

  it('after an import (transactions and a balance month) and after a re-tier', async () => {
    const acct = services.db
      .prepare(
        `SELECT a.account_no FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE a.kind = 'demand' AND a.status = 'active' AND c.manager_staff_id = ? LIMIT 2`,
      )
      .all(manager.managerId) as { account_no: string }[];
    const dir = path.dirname(services.info.dbPath);
    const file = writeText(
      dir,
      'txn.csv',
      [
        'serial,account,at,amount,dir,channel,type',
        `RPT001,${acct[0]!.account_no},2026-10-30 19:30:00,321.00,D,online,transfer_out`,
        `RPT002,${acct[1]!.account_no},2026-10-29 10:00:00,50000.00,C,counter,deposit`,
      ].join('\n'),
      'utf-8',
    );
    const job = await runImport(services.db, {
      file,
      tolerance: 0,
      rejectsDir: dir,
      profile: {
        name: 'rpt-txn',
        kind: 'transactions',
        format: 'delimited',
        encoding: 'auto',
        delimiter: ',',
        header: true,
        columns: [
          { field: 'serial_no', source: 'serial' },
          { field: 'account_no', source: 'account' },
          { field: 'txn_at', source: 'at', format: 'auto' },
          { field: 'amount', source: 'amount' },
          { field: 'direction', source: 'dir' },
          { field: 'channel', source: 'channel' },
          { field: 'txn_type', source: 'type' },
        ],
      },
    });
    expect(job.status).toBe('committed');
    // The balance extract for a new month end: a thirteenth reporting month (a year-back comparison appears).
    const bal = writeText(
      dir,
      'bal.csv',
      [
        'account,date,balance',
        `${acct[0]!.account_no},2026-11-30,777.77`,
        `${acct[1]!.account_no},2026-11-30,88888.88`,
      ].join('\n'),
      'utf-8',
    );
    const balJob = await runImport(services.db, {
      file: bal,
      tolerance: 0,
      rejectsDir: dir,
      profile: {
        name: 'rpt-bal',
        kind: 'daily_balances',
        format: 'delimited',
        encoding: 'auto',
        delimiter: ',',
        header: true,
        columns: [
          { field: 'account_no', source: 'account' },
          { field: 'on_date', source: 'date', format: 'auto' },
          { field: 'balance', source: 'balance' },
        ],
      },
    });
    expect(balJob.status).toBe('committed');
    raw = loadRaw(services.db);
    expect(reportingMonths(raw)).toHaveLength(13);
    await checkAll(president, 'president after import');

    // A re-tier dated mid-year: what is dated before it keeps the tiers it was counted under.
    const mid = `${reportingMonths(raw)[6]!}-15`;
    refreshFactors(services.db, mid);
    const r = retier(
      services.db,
      {
        ...DEFAULT_TIER_MODEL,
        thresholds: {
          ...DEFAULT_TIER_MODEL.thresholds,
          ordinary: DEFAULT_TIER_MODEL.thresholds.ordinary + 4,
          key: DEFAULT_TIER_MODEL.thresholds.key - 3,
        },
      },
      {
        userId: null,
        now: new Date(`${mid}T09:00:00Z`),
      },
    );
    expect(r.changed).toBeGreaterThan(0);
    raw = loadRaw(services.db);
    await checkTierFiltered(president, 'president after a mid-year re-tier');
    await checkTierFiltered(manager, 'manager after a mid-year re-tier');
    await checkAll(president, 'president after a mid-year re-tier');

    const applied = await ok('admin', 'tiers.apply', {
      model: {
        ...DEFAULT_TIER_MODEL,
        thresholds: { ...DEFAULT_TIER_MODEL.thresholds, quality: DEFAULT_TIER_MODEL.thresholds.quality - 5 },
      },
    });
    expect(applied.changed).toBeGreaterThan(0);
    raw = loadRaw(services.db);
    expect(raw.tierChanges.length).toBeGreaterThan(0);
    await checkAll(president, 'president after re-tier');
    await checkAll(manager, 'manager after re-tier');
    // A window over both re-tiers: customers changed twice count from their first tier to their last.
    expect(await checkMigration(president, addDays(mid, -1), TODAY, 'migration over both re-tiers')).toBeGreaterThan(0);
    await checkTierFiltered(president, 'president after re-tier');
    // Again through the in-memory columns (a large book's path), migration matrix included.
    buildColumnsNow(services.db);
    expect(freshColumns(services.db)).not.toBeNull();
    await checkAll(president, 'president after re-tier, columns');
    await checkAll(manager, 'manager after re-tier, columns');
    expect(
      await checkMigration(president, addDays(mid, -1), TODAY, 'migration over both re-tiers, columns'),
    ).toBeGreaterThan(0);
    await checkMigration(manager, addDays(mid, -1), TODAY, 'manager migration over both re-tiers, columns');
    expect(freshColumns(services.db), 'the columns answered throughout').not.toBeNull();
  }, 400_000);

  it('a manager cannot widen their reports to another manager, a teller has no reports, bad filters are refused', async () => {
    const other = (
      services.db
        .prepare(`SELECT id FROM staff WHERE position = 'manager' AND id <> ? LIMIT 1`)
        .get(manager.managerId) as { id: number }
    ).id;
    const mine = await ok('manager1', 'reports.run', { report: 'performance', filter: {} });
    const widened = await ok('manager1', 'reports.run', { report: 'performance', filter: { managerId: other } });
    expect(widened.tables).toEqual(mine.tables);
    expect(mine.tables[0]!.rows.map((r) => r.drill!.managerIds)).toEqual([[manager.managerId]]);
    const teller = await call('teller1', 'reports.run', { report: 'overview', filter: {} });
    expect(teller.ok ? null : teller.error.code).toBe('FORBIDDEN');
    const bad = await call('president', 'reports.run', { report: 'overview', filter: { from: '2026-13' } as never });
    expect(bad.ok ? null : bad.error.code).toBe('VALIDATION');
  });

  it('exports a table to Excel (audited) with the figures shown', async () => {
    const out = await ok('president', 'reports.export', {
      report: 'channels',
      filter: { from: '2026-09', to: '2026-10' },
      table: 'mix',
    });
    expect(out.name).toMatch(/^渠道分析-渠道结构-\d{8}-\d{6}\.xlsx$/);
    const file = services.vault.get(
      out.id,
      (services.db.prepare(`SELECT id FROM users WHERE username = 'president'`).get() as { id: number }).id,
    )!;
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file.path);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('渠道结构');
    expect(ws.getRow(1).values).toEqual([undefined, '渠道', '笔数', '金额（元）', '占比（%）']);
    const shown = await ok('president', 'reports.run', {
      report: 'channels',
      filter: { from: '2026-09', to: '2026-10' },
    });
    const rows = table(shown, 'mix').rows;
    expect(rows.length).toBeGreaterThan(2);
    expect(ws.rowCount).toBe(rows.length + 1);
    expect(ws.getRow(2).getCell(2).value).toBe(rows[0]!.cells.n);
    expect(ws.getRow(2).getCell(3).value).toBe(Number(rows[0]!.cells.amount));
    const audit = services.db
      .prepare(
        `SELECT action, target_id, details FROM audit_log WHERE action = 'reports.export' ORDER BY id DESC LIMIT 1`,
      )
      .get() as { target_id: string; details: string };
    expect(audit.target_id).toBe('channels');
    expect(JSON.parse(audit.details)).toMatchObject({ table: 'mix', rows: rows.length });
  });
});
