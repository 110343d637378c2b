/**
 * The six reports (分析) as tables, from the read functions over the reporting summaries
 * (db/reporting/read.ts). Each row carries the customer-grid filter of the customers behind it, built
 * from the same scope and filter, so the grid opened from a figure lists exactly those customers.
 */
import { changePercent } from '../../shared/comparisons';
import type { Database } from 'better-sqlite3';
import type { GridFilter, ReportFilterInput, ReportName, ReportResult, ReportRow, ReportTable } from '../../shared/api';
import type { Drill } from '../../shared/drill';
import { addDays, addMonths } from '../../shared/dates';
import { fenToYuan } from '../../shared/money';
import { TIER_ORDER } from '../../shared/tiers';
import {
  channelClock,
  channelMix,
  kpis,
  maturitySummary,
  monthBy,
  monthlyTrend,
  productMix,
  productSales,
  reportMonths,
  staffLeague,
  tellerLeague,
  tierMigration,
  tierPyramid,
  txnBreakdown,
  type MonthFigures,
  type ReportFilter,
  type ReportScope,
} from '../../db/reporting/read';
import { valueByTier } from '../../db/scores/report';

export interface ReportCaller {
  scope: ReportScope;
  /** The manager whose own book this is (drill-downs must not widen to granted customers). */
  ownStaffId: number | null;
  today: string;
}

const money = (v: bigint | null | undefined): string | null => (v == null ? null : fenToYuan(v));
const pct = (part: number | bigint, whole: number | bigint): number | null => {
  const w = Number(whole);
  return w === 0 ? null : Math.round((Number(part) / w) * 10000) / 100;
};
// 环比 / 同比 as the desktop's 较上月末 / 较上年同期 compute them (shared/comparisons.ts)
const change = (now: bigint | null | undefined, before: bigint | null | undefined): number | null =>
  now == null || before == null ? null : changePercent(now, before);
// Year 10000 is beyond addDays' Date: 9999-12 is not shifted (so it ends on 9999-11-30, as it always has).
const monthEnd = (m: string): string => addDays(`${m === '9999-12' ? m : addMonths(m, 1)}-01`, -1);
const TIER_RANK = (t: string) => {
  const i = (TIER_ORDER as readonly string[]).indexOf(t);
  return i < 0 ? 99 : i;
};

interface Ctx {
  db: Database;
  caller: ReportCaller;
  input: ReportFilterInput;
  filter: ReportFilter;
  months: string[];
  from: string | null;
  to: string | null;
  base: GridFilter;
}

function context(db: Database, caller: ReportCaller, given: ReportFilterInput): Ctx {
  // A manager's own book: a manager filter can only name themselves.
  const input = caller.ownStaffId != null ? { ...given, managerId: caller.ownStaffId } : given;
  const months = reportMonths(db);
  const latest = months[months.length - 1] ?? null;
  const to = input.to ?? latest;
  const from = input.from ?? to;
  const filter: ReportFilter = {
    branchIds: input.branchIds,
    managerStaffId: input.managerId,
    tiers: input.tiers,
    kind: input.kind,
    channels: input.channels,
    productIds: input.productIds,
  };
  const base: GridFilter = {};
  if (input.branchIds) base.branchIds = [...input.branchIds];
  // A manager's reports cover their own book: the grid (whose scope adds granted customers) is narrowed to it.
  const manager = caller.ownStaffId ?? input.managerId;
  if (manager != null) base.managerIds = [manager];
  if (input.tiers) base.tiers = [...input.tiers];
  if (input.kind) base.kinds = [input.kind];
  return { db, caller, input, filter, months, from: from && to && from > to ? to : from, to, base };
}

/**
 * The grid filter of a row: the report's base filter ANDed with the row's own. `kindAware`: the figure
 * honours the customer-type filter (month-end balances, maturities, migration); the other summaries have
 * no customer-type column, so their drill leaves it out too and the grid still counts what was shown.
 */
const withDrill = (c: Ctx, extra: GridFilter & { drill?: Drill }, kindAware = false): GridFilter => {
  const { kinds: _kinds, ...rest } = c.base;
  const f: GridFilter = { ...(kindAware ? c.base : rest), ...extra };
  // Filters narrow, never widen: a tier or branch picked on the report stays ANDed with the row's own.
  if (extra.tiers && c.base.tiers) f.tiers = extra.tiers.filter((t) => c.base.tiers!.includes(t));
  if (extra.branchIds && c.base.branchIds) f.branchIds = extra.branchIds.filter((b) => c.base.branchIds!.includes(b));
  if (extra.managerIds && c.base.managerIds)
    f.managerIds = extra.managerIds.filter((m) => c.base.managerIds!.includes(m));
  // Dated figures count customers under the tier they held then (point-in-time tiers): the tiers go
  // into the drill, which tests them at that date; the grid's own tier filter is today's tier.
  if (f.tiers && f.drill && (f.drill.kind === 'openedBy' || f.drill.kind === 'txn' || f.drill.kind === 'sold')) {
    f.drill = { ...f.drill, tiers: f.tiers };
    delete f.tiers;
  }
  return f;
};

const figureCells = (f: MonthFigures) => ({
  customers: f.customers,
  deposits: money(f.depositFen),
  wealth: money(f.wealthFen),
  loans: money(f.loanFen),
  aum: money(f.aumFen),
});
const FIGURE_COLUMNS = [
  { key: 'customers', kind: 'count' },
  { key: 'deposits', kind: 'money' },
  { key: 'wealth', kind: 'money' },
  { key: 'loans', kind: 'money' },
  { key: 'aum', kind: 'money' },
] as const;

// --------------------------------------------------------------------------------------------------

function overview(c: Ctx): ReportTable[] {
  const { db, caller } = c;
  const k = kpis(db, caller.scope, c.to ?? undefined, c.filter);
  const atDrill = (m: string | null) => withDrill(c, m ? { drill: { kind: 'openedBy', date: monthEnd(m) } } : {}, true);
  const metric = (key: 'customers' | 'depositFen' | 'wealthFen' | 'loanFen' | 'aumFen', name: string): ReportRow => {
    const v = (f: MonthFigures | null) => (f == null ? null : key === 'customers' ? BigInt(f.customers) : f[key]);
    const fmt = (x: bigint | null) => (x == null ? null : key === 'customers' ? Number(x) : money(x));
    return {
      cells: {
        metric: name,
        value: fmt(v(k.at)),
        prevMonth: fmt(v(k.prevMonth)),
        mom: change(v(k.at), v(k.prevMonth)),
        prevYear: fmt(v(k.prevYear)),
        yoy: change(v(k.at), v(k.prevYear)),
      },
      drill: atDrill(k.month),
    };
  };
  const kpiTable: ReportTable = {
    id: 'kpi',
    columns: [
      { key: 'metric', kind: 'metric' },
      { key: 'value', kind: 'money' },
      { key: 'prevMonth', kind: 'money' },
      { key: 'mom', kind: 'pct' },
      { key: 'prevYear', kind: 'money' },
      { key: 'yoy', kind: 'pct' },
    ],
    rows: [
      metric('customers', 'customers'),
      metric('depositFen', 'deposits'),
      metric('wealthFen', 'wealth'),
      metric('loanFen', 'loans'),
      metric('aumFen', 'aum'),
    ],
  };
  const trend: ReportTable = {
    id: 'trend',
    columns: [{ key: 'month', kind: 'month' }, ...FIGURE_COLUMNS],
    rows: monthlyTrend(db, caller.scope, c.filter, { to: c.to ?? undefined }).map((f) => ({
      cells: { month: f.month, ...figureCells(f) },
      drill: atDrill(f.month),
    })),
  };
  const branchNames = new Map(
    (db.prepare('SELECT id, name FROM branches').all() as { id: number; name: string }[]).map((b) => [b.id, b.name]),
  );
  const branches: ReportTable = {
    id: 'branches',
    columns: [{ key: 'branch', kind: 'text' }, ...FIGURE_COLUMNS],
    rows: c.to
      ? monthBy(db, caller.scope, c.filter, c.to, 'branch').map((f) => ({
          cells: { branch: branchNames.get(Number(f.key)) ?? String(f.key), ...figureCells(f) },
          drill: withDrill(c, { branchIds: [Number(f.key)], drill: { kind: 'openedBy', date: monthEnd(c.to!) } }, true),
        }))
      : [],
  };
  return [kpiTable, trend, tiersTable(c), branches];
}

function tiersTable(c: Ctx): ReportTable {
  const rows = tierPyramid(c.db, c.caller.scope, c.filter).sort((a, b) => TIER_RANK(a.tier) - TIER_RANK(b.tier));
  const total = rows.reduce((s, r) => s + r.aumFen, 0n);
  return {
    id: 'tiers',
    columns: [
      { key: 'tier', kind: 'tier' },
      { key: 'customers', kind: 'count' },
      { key: 'aum', kind: 'money' },
      { key: 'avgAum', kind: 'money' },
      { key: 'aumShare', kind: 'pct' },
      { key: 'deposits', kind: 'money' },
      { key: 'loans', kind: 'money' },
    ],
    rows: rows.map((r) => ({
      cells: {
        tier: r.tier,
        customers: r.customers,
        aum: money(r.aumFen),
        avgAum: r.customers ? money(r.aumFen / BigInt(r.customers)) : null,
        aumShare: pct(r.aumFen, total),
        deposits: money(r.depositFen),
        loans: money(r.loanFen),
      },
      drill: withDrill(c, { tiers: [r.tier as 'gold'] }),
    })),
  };
}

/** 客户价值 by tier (db/scores/report.ts): yearly contribution, lifetime value, mean loyalty, points. */
function valueTable(c: Ctx): ReportTable {
  const rows = valueByTier(c.db, c.caller.scope, c.filter).sort((a, b) => TIER_RANK(a.tier) - TIER_RANK(b.tier));
  return {
    id: 'value',
    columns: [
      { key: 'tier', kind: 'tier' },
      { key: 'customers', kind: 'count' },
      { key: 'contribution', kind: 'money' },
      { key: 'avgContribution', kind: 'money' },
      { key: 'clv', kind: 'money' },
      { key: 'avgLoyalty', kind: 'count' },
      { key: 'points', kind: 'count' },
    ],
    rows: rows.map((r) => ({
      cells: {
        tier: r.tier,
        customers: r.customers,
        contribution: money(r.contributionFen),
        avgContribution: r.customers ? money(r.contributionFen / BigInt(r.customers)) : null,
        clv: money(r.clvFen),
        avgLoyalty: r.customers ? Math.round(r.loyaltySum / r.customers) : null,
        points: r.points,
      },
      drill: withDrill(c, { tiers: [r.tier as 'gold'] }),
    })),
  };
}

function period(c: Ctx): { from?: string; to?: string } {
  return { from: c.from ?? undefined, to: c.to ?? undefined };
}
const txnDrill = (
  c: Ctx,
  extra: Omit<Extract<Drill, { kind: 'txn' }>, 'kind' | 'fromMonth' | 'toMonth'> & {
    fromMonth?: string;
    toMonth?: string;
  },
): GridFilter | undefined => {
  if (!c.from || !c.to) return undefined;
  const channels = extra.channels ?? c.input.channels;
  return withDrill(c, {
    drill: {
      kind: 'txn',
      fromMonth: extra.fromMonth ?? c.from,
      toMonth: extra.toMonth ?? c.to,
      ...extra,
      ...(channels ? { channels } : {}),
    },
  });
};

function customersReport(c: Ctx): ReportTable[] {
  const { db, caller } = c;
  const composition: ReportTable = {
    id: 'composition',
    columns: [{ key: 'customerKind', kind: 'customerKind' }, ...FIGURE_COLUMNS],
    rows: c.to
      ? monthBy(db, caller.scope, c.filter, c.to, 'kind').map((f) => ({
          cells: { customerKind: String(f.key), ...figureCells(f) },
          drill: withDrill(
            c,
            { kinds: [f.key as 'individual'], drill: { kind: 'openedBy', date: monthEnd(c.to!) } },
            true,
          ),
        }))
      : [],
  };
  const txns = txnBreakdown(db, caller.scope, c.filter, period(c));
  const byType = new Map<string, { txnType: string; direction: string; n: number; amount: bigint }>();
  for (const t of txns) {
    const key = `${t.txnType}|${t.direction}`;
    const g = byType.get(key) ?? { txnType: t.txnType, direction: t.direction, n: 0, amount: 0n };
    g.n += t.n;
    g.amount += t.amountFen;
    byType.set(key, g);
  }
  const totalN = [...byType.values()].reduce((s, g) => s + g.n, 0);
  const behaviour: ReportTable = {
    id: 'behaviour',
    columns: [
      { key: 'txnType', kind: 'txnType' },
      { key: 'direction', kind: 'direction' },
      { key: 'n', kind: 'count' },
      { key: 'amount', kind: 'money' },
      { key: 'share', kind: 'pct' },
    ],
    rows: [...byType.values()]
      .sort((a, b) => b.n - a.n || a.txnType.localeCompare(b.txnType))
      .map((g) => ({
        cells: { txnType: g.txnType, direction: g.direction, n: g.n, amount: money(g.amount), share: pct(g.n, totalN) },
        drill: txnDrill(c, { txnTypes: [g.txnType], direction: g.direction as 'C' }),
      })),
  };
  const byMonth = new Map<string, { inN: number; inF: bigint; outN: number; outF: bigint }>();
  for (const t of txns) {
    const g = byMonth.get(t.month) ?? { inN: 0, inF: 0n, outN: 0, outF: 0n };
    if (t.direction === 'C') {
      g.inN += t.n;
      g.inF += t.amountFen;
    } else {
      g.outN += t.n;
      g.outF += t.amountFen;
    }
    byMonth.set(t.month, g);
  }
  const flows: ReportTable = {
    id: 'flows',
    columns: [
      { key: 'month', kind: 'month' },
      { key: 'inflowN', kind: 'count' },
      { key: 'inflow', kind: 'money' },
      { key: 'outflowN', kind: 'count' },
      { key: 'outflow', kind: 'money' },
      { key: 'net', kind: 'money' },
    ],
    rows: [...byMonth.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([m, g]) => ({
        cells: {
          month: m,
          inflowN: g.inN,
          inflow: money(g.inF),
          outflowN: g.outN,
          outflow: money(g.outF),
          net: money(g.inF - g.outF),
        },
        drill: txnDrill(c, { fromMonth: m, toMonth: m }),
        drills: {
          inflow: txnDrill(c, { fromMonth: m, toMonth: m, direction: 'C' })!,
          outflow: txnDrill(c, { fromMonth: m, toMonth: m, direction: 'D' })!,
        },
      })),
  };
  return [composition, tiersTable(c), valueTable(c), behaviour, flows];
}

function productsReport(c: Ctx): ReportTable[] {
  const { db, caller } = c;
  const products = new Map(
    (
      db.prepare('SELECT id, code, name, category FROM products').all() as {
        id: number;
        code: string;
        name: string;
        category: string;
      }[]
    ).map((p) => [p.id, p]),
  );
  const holdings: ReportTable = {
    id: 'holdings',
    columns: [
      { key: 'product', kind: 'text' },
      { key: 'category', kind: 'category' },
      { key: 'holders', kind: 'count' },
      { key: 'held', kind: 'count' },
      { key: 'balance', kind: 'money' },
    ],
    rows: productMix(db, caller.scope, c.filter).map((p) => ({
      cells: { product: p.name, category: p.category, holders: p.holders, held: p.held, balance: money(p.balanceFen) },
      drill: withDrill(c, { drill: { kind: 'holds', productId: p.productId } }),
    })),
  };
  const sales = new Map<number, { sold: number; fen: bigint }>();
  for (const s of productSales(db, caller.scope, c.filter, period(c))) {
    const g = sales.get(s.productId) ?? { sold: 0, fen: 0n };
    g.sold += s.sold;
    g.fen += s.soldFen;
    sales.set(s.productId, g);
  }
  const salesTable: ReportTable = {
    id: 'sales',
    columns: [
      { key: 'product', kind: 'text' },
      { key: 'category', kind: 'category' },
      { key: 'sold', kind: 'count' },
      { key: 'soldAmount', kind: 'money' },
    ],
    rows: [...sales.entries()]
      .sort((a, b) => b[1].sold - a[1].sold || a[0] - b[0])
      .map(([pid, g]) => ({
        cells: {
          product: products.get(pid)?.name ?? String(pid),
          category: products.get(pid)?.category ?? null,
          sold: g.sold,
          soldAmount: money(g.fen),
        },
        drill:
          c.from && c.to
            ? withDrill(c, { drill: { kind: 'sold', productId: pid, fromMonth: c.from, toMonth: c.to } })
            : undefined,
      })),
  };
  const days = c.input.maturityDays ?? 30;
  const maturitiesTable: ReportTable = {
    id: 'maturities',
    columns: [
      { key: 'maturityKind', kind: 'maturityKind' },
      { key: 'items', kind: 'count' },
      { key: 'amount', kind: 'money' },
      { key: 'customers', kind: 'count' },
    ],
    rows: maturitySummary(db, caller.scope, { today: c.caller.today, days }, c.filter).map((m) => ({
      cells: { maturityKind: m.kind, items: m.items, amount: money(m.amountFen), customers: m.customers },
      drill: withDrill(c, { drill: { kind: 'maturing', days, kinds: [m.kind] } }, true),
    })),
  };
  const fees = txnBreakdown(db, caller.scope, { ...c.filter, channels: undefined }, period(c)).filter(
    (t) => t.txnType === 'fee' && t.direction === 'D',
  );
  const feeByMonth = new Map<string, { n: number; fen: bigint }>();
  for (const t of fees) {
    const g = feeByMonth.get(t.month) ?? { n: 0, fen: 0n };
    g.n += t.n;
    g.fen += t.amountFen;
    feeByMonth.set(t.month, g);
  }
  const income: ReportTable = {
    id: 'income',
    columns: [
      { key: 'month', kind: 'month' },
      { key: 'feeN', kind: 'count' },
      { key: 'feeIncome', kind: 'money' },
    ],
    rows: [...feeByMonth.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([m, g]) => ({
        cells: { month: m, feeN: g.n, feeIncome: money(g.fen) },
        drill: withDrill(c, { drill: { kind: 'txn', fromMonth: m, toMonth: m, txnTypes: ['fee'], direction: 'D' } }),
      })),
  };
  return [holdings, salesTable, maturitiesTable, income];
}

function channelsReport(c: Ctx): ReportTable[] {
  const { db, caller } = c;
  const mix = channelMix(db, caller.scope, c.filter, period(c));
  const totalN = mix.reduce((s, m) => s + m.n, 0);
  const channels = mix.map((m) => m.channel);
  const mixTable: ReportTable = {
    id: 'mix',
    columns: [
      { key: 'channel', kind: 'channel' },
      { key: 'n', kind: 'count' },
      { key: 'amount', kind: 'money' },
      { key: 'share', kind: 'pct' },
    ],
    rows: mix.map((m) => ({
      cells: { channel: m.channel, n: m.n, amount: money(m.amountFen), share: pct(m.n, totalN) },
      drill: txnDrill(c, { channels: [m.channel as 'atm'] }),
    })),
  };
  const clock = channelClock(db, caller.scope, c.filter, period(c));
  const pivot = (
    id: string,
    keyKind: 'hour' | 'weekday',
    keys: number[],
    keyOf: (r: (typeof clock)[number]) => number,
  ): ReportTable => ({
    id,
    columns: [
      { key: keyKind, kind: keyKind },
      ...channels.map((ch) => ({ key: ch, kind: 'count' as const })),
      { key: 'n', kind: 'count' },
    ],
    rows: keys.map((k) => {
      const cells: Record<string, number> = { [keyKind]: k, n: 0 };
      for (const ch of channels) cells[ch] = 0;
      for (const r of clock) {
        if (keyOf(r) !== k || !(r.channel in cells)) continue;
        cells[r.channel]! += r.n;
        cells.n! += r.n;
      }
      const sel = keyKind === 'hour' ? { hour: k } : { weekday: k };
      return {
        cells,
        drill: txnDrill(c, sel),
        drills: Object.fromEntries(channels.map((ch) => [ch, txnDrill(c, { ...sel, channels: [ch as 'atm'] })!])),
      };
    }),
  });
  const types = txnBreakdown(db, caller.scope, c.filter, period(c));
  const typeKeys = [...new Set(types.map((t) => t.txnType))].sort();
  const typeTable: ReportTable = {
    id: 'types',
    columns: [
      { key: 'txnType', kind: 'txnType' },
      ...channels.map((ch) => ({ key: ch, kind: 'count' as const })),
      { key: 'n', kind: 'count' },
    ],
    rows: typeKeys.map((tt) => {
      const cells: Record<string, string | number> = { txnType: tt, n: 0 };
      for (const ch of channels) cells[ch] = 0;
      for (const t of types) {
        if (t.txnType !== tt || !(t.channel in cells)) continue;
        (cells[t.channel] as number) += t.n;
        (cells.n as number) += t.n;
      }
      return {
        cells,
        drill: txnDrill(c, { txnTypes: [tt] }),
        drills: Object.fromEntries(
          channels.map((ch) => [ch, txnDrill(c, { txnTypes: [tt], channels: [ch as 'atm'] })!]),
        ),
      };
    }),
  };
  return [
    mixTable,
    pivot(
      'hours',
      'hour',
      Array.from({ length: 24 }, (_, i) => i),
      (r) => r.hour,
    ),
    // Monday first, as a Chinese calendar reads (weekday 0 = Sunday last).
    pivot('weekdays', 'weekday', [1, 2, 3, 4, 5, 6, 0], (r) => r.weekday),
    typeTable,
  ];
}

function performanceReport(c: Ctx): ReportTable[] {
  const { db, caller } = c;
  const managers: ReportTable = {
    id: 'managers',
    columns: [
      { key: 'manager', kind: 'text' },
      { key: 'customers', kind: 'count' },
      { key: 'deposits', kind: 'money' },
      { key: 'aum', kind: 'money' },
      { key: 'loans', kind: 'money' },
      { key: 'quality', kind: 'count' },
      { key: 'qualityShare', kind: 'pct' },
      { key: 'aumChange', kind: 'money' },
    ],
    rows: staffLeague(db, caller.scope, { month: c.to ?? undefined }, c.filter).map((s) => ({
      cells: {
        manager: s.name,
        customers: s.customers,
        deposits: money(s.depositFen),
        aum: money(s.aumFen),
        loans: money(s.loanFen),
        quality: s.qualityCustomers,
        qualityShare: pct(s.qualityCustomers, s.customers),
        aumChange: s.monthAumFen != null && s.prevMonthAumFen != null ? money(s.monthAumFen - s.prevMonthAumFen) : null,
      },
      drill: withDrill(c, { managerIds: [s.staffId] }),
      drills: { quality: withDrill(c, { managerIds: [s.staffId], tiers: ['gold', 'quality'] }) },
    })),
  };
  const tellers: ReportTable = {
    id: 'tellers',
    columns: [
      { key: 'teller', kind: 'text' },
      { key: 'n', kind: 'count' },
      { key: 'creditN', kind: 'count' },
      { key: 'credit', kind: 'money' },
      { key: 'debit', kind: 'money' },
    ],
    rows: tellerLeague(db, caller.scope, period(c), c.filter).map((t) => ({
      cells: { teller: t.name, n: t.n, creditN: t.creditN, credit: money(t.creditFen), debit: money(t.debitFen) },
      drill:
        c.from && c.to
          ? withDrill(c, { drill: { kind: 'txn', fromMonth: c.from, toMonth: c.to, tellerId: t.staffId } })
          : undefined,
    })),
  };
  return [managers, tellers];
}

function migrationReport(c: Ctx): ReportTable[] {
  const to = c.input.migrationTo ?? c.caller.today;
  const from = c.input.migrationFrom ?? addDays(to, -30);
  const cells = tierMigration(c.db, c.caller.scope, { from, to }, c.filter);
  const tiers = [...TIER_ORDER, 'none'].filter((t) => cells.some((x) => x.from === t || x.to === t));
  const drill = (f: string, t: string): GridFilter =>
    withDrill(c, { drill: { kind: 'tierChange', from, to, fromTier: f as 'gold', toTier: t as 'gold' } }, true);
  const matrix: ReportTable = {
    id: 'matrix',
    columns: [
      { key: 'fromTier', kind: 'tier' },
      ...tiers.map((t) => ({ key: t, kind: 'count' as const })),
      { key: 'total', kind: 'count' },
    ],
    rows: tiers
      .filter((f) => cells.some((x) => x.from === f))
      .map((f) => {
        const row: Record<string, string | number> = { fromTier: f, total: 0 };
        const drills: Record<string, GridFilter> = {};
        for (const t of tiers) {
          const n = cells.find((x) => x.from === f && x.to === t)?.customers ?? 0;
          row[t] = n;
          row.total = (row.total as number) + n;
          if (n > 0) drills[t] = drill(f, t);
        }
        return { cells: row, drills };
      }),
  };
  const list: ReportTable = {
    id: 'changes',
    columns: [
      { key: 'fromTier', kind: 'tier' },
      { key: 'toTier', kind: 'tier' },
      { key: 'customers', kind: 'count' },
    ],
    rows: cells.map((x) => ({
      cells: { fromTier: x.from, toTier: x.to, customers: x.customers },
      drill: drill(x.from, x.to),
    })),
  };
  return [matrix, list];
}

const BUILDERS: Record<ReportName, (c: Ctx) => ReportTable[]> = {
  overview,
  customers: customersReport,
  products: productsReport,
  channels: channelsReport,
  performance: performanceReport,
  migration: migrationReport,
};

export function buildReport(
  db: Database,
  caller: ReportCaller,
  report: ReportName,
  input: ReportFilterInput,
): ReportResult {
  const c = context(db, caller, input);
  const from =
    report === 'migration' ? (input.migrationFrom ?? addDays(input.migrationTo ?? caller.today, -30)) : c.from;
  const to = report === 'migration' ? (input.migrationTo ?? caller.today) : c.to;
  return { report, months: c.months, from, to, tables: BUILDERS[report](c) };
}
