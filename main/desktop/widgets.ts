/**
 * The desktop's widget kinds on the main-process side: the default desktop per role, layout
 * validation, and for each kind the function that computes its data within the caller's scope.
 * A new kind is one entry in WIDGETS (plus its config schema in shared/api/desktop.ts and its
 * component in the renderer's registry).
 */
import { comparisonMonths } from '../../shared/comparisons';
import type { Database } from 'better-sqlite3';
import {
  DESKTOP_COLS,
  WIDGET_KINDS,
  WIDGET_ROLES,
  widgetConfigSchemas,
  layoutSchema,
  type DesktopLayout,
  type DesktopRole,
  type GridFilter,
  type LayoutProblem,
  type Widget,
  type WidgetCustomer,
  type WidgetData,
  type WidgetKind,
  type WidgetResult,
} from '../../shared/api';
import { gridFilterSchema } from '../../shared/api/grid';
import { AppError, isAppError } from '../../shared/errors';
import { addDays } from '../../shared/dates';
import { fenToYuan } from '../../shared/money';
import { compileFilter } from '../../db/repos/customer-grid';
import { type CustomerRow, filteredCustomers, maturities, staffLeague } from '../../db/repos/desktop-data';
import { overviewByTier, overviewTotals, type Totals } from '../../db/repos/overview';
import {
  channelMix as reportChannelMix,
  kpis as reportKpis,
  monthlyTrend,
  movers as reportMovers,
  productMix as reportProductMix,
  reportMonths,
  reportScopeOf,
  shiftMonth,
  type MonthFigures,
  type ReportScope,
} from '../../db/reporting/read';
import { rootBranch, type Scope } from '../../db/scope';
import { reminderWidgetData } from '../../db/relationship/reminders';
import { listReferrals, openReferralCounts, type Viewer } from '../../db/relationship/referrals';
import { openByStage, opportunityScope } from '../../db/relationship/opportunities';
import { firstVisibleLists, firstVisibleQueries, visibleListName, visibleQueryDefinition } from '../../db/repos/lists';
import type { Role } from '../../shared/permissions';
import { log } from '../log';
import { TIERS_AND_NONE } from '../../shared/tiers';
import { CONTRIBUTION_BANDS_YUAN, contributionBands } from '../../db/scores/bands';
import { activeModel, CHURN_TARGET_KEY, groupCounts } from '../../db/lab/groups';

export interface WidgetEnv {
  db: Database;
  scope: Scope;
  today: string;
  userId: number;
  /** The caller's 支行 (root of their branch tree): shared lists and queries are seen within it. */
  homeBranch: number | null;
  /** Computed once per desktop and shared by the KPI cards. */
  totals: () => Totals;
  /**
   * The reporting summaries' view of the scope (db/reporting/read.ts): a president's branch tree, a
   * manager's own book (customers they are manager of record for; grants are not in month-end history).
   */
  report: ReportScope;
  /** Reporting months (those with balance data), ascending; read once per desktop. */
  months: () => string[];
  /**
   * Set for an export: a widget that shows the first rows of a longer list (maturities) writes up to
   * this many, so the sheet holds every customer the widget counts, not the eight on screen.
   */
  exportRows?: number;
  /** Month-end figures of every reporting month in the scope; read once per desktop. */
  history: () => MonthFigures[];
  /** Today's figures in the history's scope (a manager's own book, without grants), for like-for-like changes. */
  reportNow: () => ReturnType<typeof reportKpis>['current'];
  /** Now (ISO UTC) from the caller's clock: snoozed reminders return after their time. */
  now?: string;
  /** The caller as the referrals API sees them (db/relationship/referrals.ts referralVisibility). */
  viewer: Viewer;
}

const w = (
  id: string,
  kind: WidgetKind,
  x: number,
  y: number,
  width: number,
  h: number,
  config: Record<string, unknown> = {},
): Widget => ({
  id,
  kind,
  config,
  x,
  y,
  w: width,
  h,
});

const KPIS = (): Widget[] => [
  w('kpi-customers', 'kpi', 0, 0, 3, 3, { metric: 'customers' }),
  w('kpi-deposits', 'kpi', 3, 0, 3, 3, { metric: 'deposits' }),
  w('kpi-loans', 'kpi', 6, 0, 3, 3, { metric: 'loans' }),
  w('kpi-aum', 'kpi', 9, 0, 3, 3, { metric: 'aum' }),
];

/** The built-in desktops, used until the administrator publishes a template for the role. */
export const DEFAULT_LAYOUTS: Record<DesktopRole, DesktopLayout> = {
  president: {
    widgets: [
      ...KPIS(),
      w('trend', 'depositTrend', 0, 3, 6, 8, { months: 12 }),
      w('pyramid', 'tierPyramid', 6, 3, 6, 8),
      w('channels', 'channelMix', 0, 11, 4, 10, { months: 1 }),
      w('products', 'productMix', 4, 11, 4, 10, { limit: 8 }),
      w('maturities', 'maturities', 8, 11, 4, 10, { days: 30 }),
      w('movers-up', 'movers', 0, 21, 4, 8, { direction: 'up', limit: 8 }),
      w('movers-down', 'movers', 4, 21, 4, 8, { direction: 'down', limit: 8 }),
      w('league', 'staffLeague', 8, 21, 4, 8),
    ],
  },
  manager: {
    widgets: [
      ...KPIS(),
      w('pyramid', 'tierPyramid', 0, 3, 6, 8),
      w('maturities', 'maturities', 6, 3, 6, 8, { days: 30 }),
      w('views', 'views', 0, 11, 4, 9),
      w('movers-up', 'movers', 4, 11, 4, 9, { direction: 'up', limit: 8 }),
      w('movers-down', 'movers', 8, 11, 4, 9, { direction: 'down', limit: 8 }),
    ],
  },
};

function refuse(reason: LayoutProblem, details: Record<string, unknown> = {}): never {
  throw new AppError('DESKTOP_LAYOUT_INVALID', { reason, ...details });
}

/**
 * A layout as stored and served: every widget's kind known, its config valid for the kind (defaults
 * filled in), allowed for the role, inside the 12 columns, ids unique. `raw` may be JSON text.
 */
export function validateLayout(raw: unknown, role: DesktopRole): DesktopLayout {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      refuse('bad_json');
    }
  }
  const shape = layoutSchema.safeParse(value);
  if (!shape.success) refuse('bad_shape', { path: shape.error.issues[0]?.path.map(String).join('.') ?? '' });
  const seen = new Set<string>();
  const widgets = shape.data.widgets.map((x): Widget => {
    if (!(WIDGET_KINDS as readonly string[]).includes(x.kind))
      refuse('unknown_kind', { widget: x.id, kind: x.kind.slice(0, 40) });
    const kind = x.kind as WidgetKind;
    if (!WIDGET_ROLES[kind].includes(role)) refuse('not_for_role', { widget: x.id, kind });
    const cfg = widgetConfigSchemas[kind].safeParse(x.config);
    if (!cfg.success) refuse('bad_config', { widget: x.id, kind });
    if (seen.has(x.id)) refuse('duplicate_id', { widget: x.id });
    seen.add(x.id);
    if (x.x + x.w > DESKTOP_COLS) refuse('out_of_grid', { widget: x.id });
    return { id: x.id, kind, config: cfg.data as Record<string, unknown>, x: x.x, y: x.y, w: x.w, h: x.h };
  });
  return { widgets };
}

const money = (v: bigint) => fenToYuan(v);
function customer(r: CustomerRow): WidgetCustomer {
  const out: WidgetCustomer = {
    id: Number(r.id),
    customerNo: r.customer_no,
    name: r.name,
    tier: r.tier,
    aum: money(BigInt(r.aum_fen)),
  };
  if (r.amount_fen !== undefined && r.amount_fen !== null) out.amount = money(BigInt(r.amount_fen));
  if (r.on) out.on = r.on;
  return out;
}

const TIER_ORDER: readonly string[] = TIERS_AND_NONE;

function listView(env: WidgetEnv, listId: number) {
  const name = visibleListName(env.db, env, listId);
  return name === undefined ? null : { name };
}
function queryView(env: WidgetEnv, queryId: number) {
  const r = visibleQueryDefinition(env.db, env, queryId);
  return r ? { name: r.name, filter: gridFilterSchema.parse(JSON.parse(r.definition)) } : null;
}
function countFilter(env: WidgetEnv, filter: GridFilter, limit: number) {
  const { where, params } = compileFilter(env.scope, filter, env.today, env.userId);
  return filteredCustomers(env.db, where, params, limit);
}

type Compute = (config: never, env: WidgetEnv) => WidgetData;

/**
 * Figures from the reporting summaries count a manager's own book (manager of record); their drill-down
 * says so, so a granted customer never makes the grid's count differ from the figure clicked.
 */
function ownBook(env: WidgetEnv): GridFilter {
  return env.report.managerStaffId != null ? { managerIds: [env.report.managerStaffId] } : {};
}

export const WIDGETS: Record<WidgetKind, Compute> = {
  // 模型评分分布: the active churn model's ten groups over the customers in scope; a group drills into exactly
  // its customers (an advanced query on churnGroup, which reads the same lab_active / lab_scores rows).
  modelGroups: ((_c: object, env) => {
    const model = activeModel(env.db, CHURN_TARGET_KEY);
    if (!model) return { kind: 'modelGroups', model: null, customers: 0, groups: [] };
    const counts = groupCounts(env.db, env.scope, model.version);
    return {
      kind: 'modelGroups',
      model,
      customers: counts.reduce((a, b) => a + b, 0),
      groups: counts.map((customers, i) => ({
        group: i + 1,
        customers,
        drill: { advanced: { op: 'and', items: [{ field: 'churnGroup', op: 'eq', value: i + 1 }] } } as GridFilter,
      })),
    };
  }) as Compute,
  // 客户价值分布: contribution bands of the customers in scope; a band drills into exactly its customers
  // (an advanced query on the contribution field: the grid's own filter over the same column).
  customerValue: ((_c: object, env) => {
    const rows = contributionBands(env.db, env.scope);
    const bands = CONTRIBUTION_BANDS_YUAN.map((from, i) => {
      const to = CONTRIBUTION_BANDS_YUAN[i + 1] ?? null;
      const r = rows.find((x) => x.band === i);
      const cond =
        to === null
          ? { field: 'contribution' as const, op: 'gte' as const, value: `${from}.00` }
          : { field: 'contribution' as const, op: 'between' as const, value: [`${from}.00`, `${to - 1}.99`] };
      return {
        from,
        to,
        customers: r?.customers ?? 0,
        contribution: money(r?.contributionFen ?? 0n),
        avgLoyalty: r && r.customers > 0 ? Math.round((r.loyaltySum * 10) / r.customers) / 10 : 0,
        points: r?.points ?? 0,
        drill: { advanced: { op: 'and', items: [cond] } } as GridFilter,
      };
    });
    return {
      kind: 'customerValue',
      customers: rows.reduce((s, r) => s + r.customers, 0),
      contribution: money(rows.reduce((s, r) => s + r.contributionFen, 0n)),
      clv: money(rows.reduce((s, r) => s + r.clvFen, 0n)),
      points: rows.reduce((s, r) => s + r.points, 0),
      bands,
    };
  }) as Compute,
  kpi: ((c: { metric: 'customers' | 'deposits' | 'loans' | 'aum' }, env) => {
    const t = env.totals();
    const value =
      c.metric === 'customers'
        ? String(t.customers)
        : money(c.metric === 'deposits' ? t.deposit_fen : c.metric === 'loans' ? t.loan_fen : t.aum_fen);
    const drill: GridFilter =
      c.metric === 'customers'
        ? {}
        : c.metric === 'deposits'
          ? { depositsMin: '0.01' }
          : c.metric === 'loans'
            ? { loansMin: '0.01' }
            : { aumMin: '0.01' };
    // 较上月末 / 较上年同期 as the reports compute them (shared/comparisons.ts): the latest month end with
    // figures (the data's month, not the calendar's) against the month end before it and a year before.
    const cmp = comparisonMonths(env.months());
    const at = (m: string | null): string | null => {
      if (!m) return null;
      const f = env.history().find((x) => x.month === m);
      if (c.metric === 'customers') return String(f?.customers ?? 0);
      return money(f ? (c.metric === 'deposits' ? f.depositFen : c.metric === 'loans' ? f.loanFen : f.aumFen) : 0n);
    };
    // Today's figure in the history's scope (for a president the same as `value`; for a manager their own
    // book, as the month-end history has no grants).
    const r = env.reportNow();
    const basis =
      c.metric === 'customers'
        ? String(r.customers)
        : money(c.metric === 'deposits' ? r.depositFen : c.metric === 'loans' ? r.loanFen : r.aumFen);
    return {
      kind: 'kpi',
      metric: c.metric,
      value,
      basis,
      at: cmp.at,
      atValue: at(cmp.at),
      prevMonth: at(cmp.prevMonth),
      prevYear: at(cmp.prevYear),
      prevMonthAt: cmp.prevMonth,
      prevYearAt: cmp.prevYear,
      drill,
    };
  }) as Compute,

  depositTrend: ((c: { months: number }, env) => ({
    kind: 'depositTrend',
    points: env
      .history()
      .slice(-c.months)
      .map((p) => ({
        month: p.month,
        customers: p.customers,
        deposits: money(p.depositFen),
        loans: money(p.loanFen),
        aum: money(p.aumFen),
        drill: {
          ...ownBook(env),
          drill: { kind: 'openedBy', date: addDays(`${shiftMonth(p.month, 1)}-01`, -1) },
        } as GridFilter,
      })),
  })) as Compute,

  tierPyramid: ((_c: object, env) => {
    const rows = overviewByTier(env.db, env.scope);
    const tiers = rows
      .map((r) => ({
        tier: r.tier ?? 'none',
        customers: r.customers,
        aum: money(r.aum_fen),
        drill: { tiers: [(r.tier ?? 'none') as never] } as GridFilter,
      }))
      .sort((a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier));
    const t = env.totals();
    return { kind: 'tierPyramid', customers: t.customers, aum: money(t.aum_fen), tiers };
  }) as Compute,

  // Transactions per channel over the last `months` reporting months (summary_txn_months); a slice
  // drills into the customers with such a transaction in those months.
  channelMix: ((c: { months: number }, env) => {
    const to = env.months().at(-1) ?? null;
    if (!to) return { kind: 'channelMix', from: null, to: null, channels: [] };
    const from = shiftMonth(to, -(c.months - 1));
    return {
      kind: 'channelMix',
      from,
      to,
      channels: reportChannelMix(env.db, env.report, {}, { from, to }).map((r) => ({
        channel: r.channel,
        txns: r.n,
        amount: money(r.amountFen),
        drill: {
          ...ownBook(env),
          drill: { kind: 'txn', fromMonth: from, toMonth: to, channels: [r.channel as never] },
        } as GridFilter,
      })),
    };
  }) as Compute,

  // Holdings per product today (summary_products): holders drill into exactly those customers.
  productMix: ((c: { limit: number }, env) => ({
    kind: 'productMix',
    products: reportProductMix(env.db, env.report)
      .slice(0, c.limit)
      .map((r) => ({
        productId: r.productId,
        code: r.code,
        name: r.name,
        category: r.category,
        holders: r.holders,
        held: r.held,
        balance: money(r.balanceFen),
        drill: { ...ownBook(env), drill: { kind: 'holds', productId: r.productId } } as GridFilter,
      })),
  })) as Compute,

  // AUM change of the latest reporting month against the month before (report_customer_months).
  movers: ((c: { direction: 'up' | 'down'; limit: number }, env) => {
    const month = env.months().at(-1) ?? null;
    const rows = month
      ? reportMovers(env.db, env.report, { month, limit: c.limit, order: c.direction === 'up' ? 'top' : 'bottom' })
      : [];
    return {
      kind: 'movers',
      direction: c.direction,
      month,
      since: month ? shiftMonth(month, -1) : null,
      rows: rows.map((r) => ({
        id: r.customerId,
        customerNo: r.customerNo,
        name: r.name,
        tier: r.tier,
        aum: money(r.aumFen),
        amount: money(r.changeFen),
      })),
    };
  }) as Compute,

  maturities: ((c: { days: number }, env) => {
    const m = maturities(env.db, env.scope, env.today, c.days, env.exportRows ?? 8);
    return {
      kind: 'maturities',
      days: c.days,
      until: m.until,
      customers: m.customers,
      byKind: m.byKind.map((k) => ({ kind: k.kind, items: k.items, amount: money(k.amount_fen) })),
      rows: m.rows.map(customer),
      drill: { maturingWithinDays: c.days },
    };
  }) as Compute,

  staffLeague: ((_c: object, env) => ({
    kind: 'staffLeague',
    rows: staffLeague(env.db, env.scope).map((r) => ({
      staffId: r.staffId,
      name: r.name,
      customers: r.customers,
      deposits: money(r.deposit_fen),
      loans: money(r.loan_fen),
      aum: money(r.aum_fen),
      quality: r.quality,
      drill: { managerIds: [r.staffId] },
    })),
  })) as Compute,

  list: ((c: { listId: number }, env) => {
    const l = listView(env, c.listId);
    const drill: GridFilter = { listId: c.listId };
    if (!l) return { kind: 'list', name: null, missing: true, count: 0, rows: [], drill };
    const f = countFilter(env, drill, 5);
    return { kind: 'list', name: l.name, missing: false, count: f.count, rows: f.rows.map(customer), drill };
  }) as Compute,

  query: ((c: { queryId: number }, env) => {
    const q = queryView(env, c.queryId);
    if (!q) return { kind: 'query', name: null, missing: true, count: 0, rows: [], drill: {} };
    const f = countFilter(env, q.filter, 5);
    return { kind: 'query', name: q.name, missing: false, count: f.count, rows: f.rows.map(customer), drill: q.filter };
  }) as Compute,

  views: ((_c: object, env) => {
    const lists = firstVisibleLists(env.db, env, 10);
    const queries = firstVisibleQueries(env.db, env, 10);
    const items: Extract<WidgetData, { kind: 'views' }>['items'] = [];
    for (const l of lists)
      items.push({
        type: 'list',
        id: l.id,
        name: l.name,
        count: countFilter(env, { listId: l.id }, 0).count,
        drill: { listId: l.id },
      });
    for (const q of queries) {
      const filter = gridFilterSchema.parse(JSON.parse(q.definition));
      items.push({ type: 'query', id: q.id, name: q.name, count: countFilter(env, filter, 0).count, drill: filter });
    }
    return { kind: 'views', items };
  }) as Compute,
  reminders: ((c: { limit: number }, env) => {
    const now = env.now ?? new Date(`${env.today}T00:00:00+08:00`).toISOString();
    return {
      kind: 'reminders',
      ...reminderWidgetData(env.db, env.userId, env.scope, { today: env.today, now }, c.limit),
    };
  }) as Compute,

  // 转介商机: the caller's open referrals, visible exactly as in the referral queue (referralVisibility:
  // a manager their own queue, the president the branch tree incl. the branch queue). One grouped pass
  // over the open ones (referrals_owner_status / branch index) plus the queue's own first page.
  referrals: ((c: { limit: number }, env) => {
    const n = openReferralCounts(env.db, env.viewer, env.today);
    const top = listReferrals(env.db, env.viewer, 'open', env.today, 0, c.limit).rows.map((r) => ({
      id: r.id,
      customerId: r.customerId,
      customerName: r.customerName,
      interest: r.interest,
      urgency: r.urgency,
      status: r.status,
      dueOn: r.dueOn,
      overdue: r.overdue,
      ownerName: r.ownerName,
    }));
    return {
      kind: 'referrals',
      open: n.open,
      new: n.new,
      accepted: n.accepted,
      contacted: n.contacted,
      overdue: n.overdue,
      unassigned: env.viewer.role === 'president' ? n.unassigned : null,
      top,
    };
  }) as Compute,

  // 商机漏斗: open opportunities in the caller's scope (opportunityScope, as opportunities.list) by stage.
  opportunities: ((_c: object, env) => {
    const rows = openByStage(env.db, opportunityScope(env.scope));
    const stages = OPEN_STAGES.map((stage) => {
      const r = rows.find((x) => x.stage === stage);
      return { stage, count: Number(r?.n ?? 0n), amount: money(r?.fen ?? 0n), drill: { stage } };
    });
    const total = rows.reduce((s, r) => s + r.fen, 0n);
    return { kind: 'opportunities', open: stages.reduce((s, x) => s + x.count, 0), amount: money(total), stages };
  }) as Compute,
};

const OPEN_STAGES = ['identified', 'contacted', 'proposal', 'negotiating'] as const;

/** Every widget's data; one widget failing (a saved query that no longer compiles) does not sink the rest. */
export function computeWidgets(layout: DesktopLayout, env: WidgetEnv): Record<string, WidgetResult> {
  const out: Record<string, WidgetResult> = {};
  for (const x of layout.widgets) {
    try {
      out[x.id] = { ok: true, data: WIDGETS[x.kind](x.config as never, env) };
    } catch (e) {
      out[x.id] = { ok: false, code: isAppError(e) ? e.code : 'INTERNAL' };
      if (!isAppError(e))
        log.error('desktop widget failed', {
          kind: x.kind,
          error: e instanceof Error ? (e.stack ?? e.message) : String(e),
        });
    }
  }
  return out;
}

export function makeEnv(
  db: Database,
  scope: Scope,
  today: string,
  user: { id: number; branch_id: number | null; role?: Role; staff_id?: number | null },
  now?: string,
): WidgetEnv {
  let totals: ReturnType<WidgetEnv['totals']> | undefined;
  let months: string[] | undefined;
  let history: MonthFigures[] | undefined;
  let reportNow: ReturnType<typeof reportKpis>['current'] | undefined;
  const report = reportScopeOf(scope);
  return {
    report,
    months: () => (months ??= reportMonths(db)),
    history: () => (history ??= monthlyTrend(db, report)),
    reportNow: () => (reportNow ??= reportKpis(db, report).current),
    db,
    scope,
    today,
    userId: user.id,
    homeBranch: user.branch_id == null ? null : rootBranch(db, user.branch_id),
    totals: () => (totals ??= overviewTotals(db, scope)),
    now,
    viewer: {
      role: user.role ?? (scope.kind === 'manager' ? 'manager' : scope.kind === 'branch' ? 'president' : 'admin'),
      userId: user.id,
      staffId: user.staff_id ?? scope.staffId ?? null,
      branchId: user.branch_id,
    },
  };
}
