import { z } from 'zod';
import type { Money } from './common';
import { SETTING_WRITERS } from '../permissions';
import { method } from './define';
import type { GridFilter } from './grid';
import type { Reminder } from './reminders';
import type { OpportunityFilter, OpportunityStage } from './opportunities';
import type { Referral } from './referrals';

/**
 * 个性化桌面: each president's and manager's own arrangement of widgets on a 12-column grid, kept in
 * the store per user; the administrator publishes a template per role that a user can reset to.
 * Widget data for the whole desktop comes back from one call (`desktop.data`), computed in the main
 * process within the caller's data scope.
 *
 * Widget kinds are a closed list. The wire schema below accepts any kind text and a config object so
 * that a layout with an unknown kind or a bad config gets a specific, translated refusal
 * (DESKTOP_LAYOUT_INVALID with a reason) from the main process rather than a generic validation error.
 */
export const DESKTOP_COLS = 12;
export const DESKTOP_MAX_WIDGETS = 40;

export const WIDGET_KINDS = [
  'kpi',
  'depositTrend',
  'tierPyramid',
  'channelMix',
  'productMix',
  'movers',
  'maturities',
  'staffLeague',
  'list',
  'query',
  'views',
  'reminders',
  'referrals',
  'opportunities',
  'customerValue',
  'modelGroups',
] as const;
export type WidgetKind = (typeof WIDGET_KINDS)[number];

export const KPI_METRICS = ['customers', 'deposits', 'loans', 'aum'] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];

/** Each kind's config, validated in the main process (and used by the renderer's add dialog). */
export const widgetConfigSchemas = {
  kpi: z.object({ metric: z.enum(KPI_METRICS) }).strict(),
  depositTrend: z.object({ months: z.number().int().min(3).max(24).default(12) }).strict(),
  tierPyramid: z.object({}).strict(),
  channelMix: z.object({ months: z.number().int().min(1).max(12).default(1) }).strict(),
  productMix: z.object({ limit: z.number().int().min(3).max(20).default(8) }).strict(),
  movers: z.object({ direction: z.enum(['up', 'down']), limit: z.number().int().min(1).max(20).default(8) }).strict(),
  maturities: z.object({ days: z.number().int().min(1).max(366).default(30) }).strict(),
  staffLeague: z.object({}).strict(),
  list: z.object({ listId: z.number().int().positive() }).strict(),
  query: z.object({ queryId: z.number().int().positive() }).strict(),
  views: z.object({}).strict(),
  reminders: z.object({ limit: z.number().int().min(1).max(20).default(6) }).strict(),
  referrals: z.object({ limit: z.number().int().min(1).max(20).default(5) }).strict(),
  opportunities: z.object({}).strict(),
  customerValue: z.object({}).strict(),
  modelGroups: z.object({}).strict(),
} satisfies Record<WidgetKind, z.ZodType>;

/** Who may place a kind: the staff league compares managers, so it is the president's alone. */
export const WIDGET_ROLES: Record<WidgetKind, readonly DesktopRole[]> = {
  kpi: ['president', 'manager'],
  depositTrend: ['president', 'manager'],
  tierPyramid: ['president', 'manager'],
  channelMix: ['president', 'manager'],
  productMix: ['president', 'manager'],
  movers: ['president', 'manager'],
  maturities: ['president', 'manager'],
  staffLeague: ['president'],
  list: ['president', 'manager'],
  query: ['president', 'manager'],
  views: ['president', 'manager'],
  reminders: ['president', 'manager'],
  referrals: ['president', 'manager'],
  opportunities: ['president', 'manager'],
  customerValue: ['president', 'manager'],
  modelGroups: ['president', 'manager'],
};

export const DESKTOP_ROLES = ['president', 'manager'] as const;
export type DesktopRole = (typeof DESKTOP_ROLES)[number];

export const widgetSchema = z
  .object({
    /** Stable id within the layout (react-grid-layout's key). */
    id: z.string().regex(/^[A-Za-z0-9_-]{1,24}$/),
    kind: z.string().min(1).max(40),
    config: z.record(z.string(), z.unknown()).default({}),
    x: z
      .number()
      .int()
      .min(0)
      .max(DESKTOP_COLS - 1),
    y: z.number().int().min(0).max(1000),
    w: z.number().int().min(1).max(DESKTOP_COLS),
    h: z.number().int().min(1).max(24),
  })
  .strict();
export const layoutSchema = z.object({ widgets: z.array(widgetSchema).max(DESKTOP_MAX_WIDGETS) }).strict();
export type WidgetInput = z.input<typeof widgetSchema>;

export interface Widget {
  id: string;
  kind: WidgetKind;
  config: Record<string, unknown>;
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface DesktopLayout {
  widgets: Widget[];
}

/** Reasons a layout is refused (errors.DESKTOP_LAYOUT_INVALID's `reason` detail). */
export const LAYOUT_PROBLEMS = [
  'bad_json',
  'bad_shape',
  'unknown_kind',
  'bad_config',
  'not_for_role',
  'duplicate_id',
  'out_of_grid',
] as const;
export type LayoutProblem = (typeof LAYOUT_PROBLEMS)[number];

/** A row of customers a widget lists (top rows, movers, maturities). */
export interface WidgetCustomer {
  id: number;
  customerNo: string;
  name: string;
  tier: string | null;
  aum: Money;
  /** Movers: the change; maturities: the amount maturing. */
  amount?: Money;
  /** Maturities: the earliest maturity date in the window. */
  on?: string;
}

export type WidgetData =
  | {
      /**
       * 模型评分分布: customers in scope per group (1 = the tenth most likely to leave) of the active churn
       * model (db/lab/groups.ts); `model` null while none is in use.
       */
      kind: 'modelGroups';
      model: { version: number; learner: 'logistic' | 'boosted'; scoredOn: string | null } | null;
      customers: number;
      groups: { group: number; customers: number; drill: GridFilter }[];
    }
  | {
      /** 客户价值分布: customers in scope by yearly contribution band (db/scores/bands.ts). */
      kind: 'customerValue';
      customers: number;
      contribution: Money;
      clv: Money;
      points: number;
      bands: {
        /** Lower bound in yuan a year; `to` the next band's (null: open). */
        from: number;
        to: number | null;
        customers: number;
        contribution: Money;
        /** Mean loyalty (0-100) with one decimal. */
        avgLoyalty: number;
        points: number;
        drill: GridFilter;
      }[];
    }
  | {
      kind: 'kpi';
      metric: KpiMetric;
      /** A count for customers, yuan otherwise. */
      value: string;
      /**
       * The month end the changes are about (shared/comparisons.ts: the latest month with figures, as the
       * reports' 本期) and the figure there; null before any month-end figures.
       */
      at: string | null;
      atValue: string | null;
      /**
       * The same figure at the month end before `at` (较上月末) and at `at` a year earlier (较上年同期),
       * from the reporting summaries; null when that month has no balance history.
       */
      prevMonth: string | null;
      prevYear: string | null;
      prevMonthAt: string | null;
      prevYearAt: string | null;
      /**
       * Today's figure in the same scope as the history, what the changes compare: equal to `value` for
       * a president; a manager's own book (the history has no granted customers).
       */
      basis: string;
      drill: GridFilter;
    }
  | {
      kind: 'depositTrend';
      /** customers: those counted at the month end; drill opens them (customers opened by that month end). */
      points: { month: string; customers: number; deposits: Money; loans: Money; aum: Money; drill: GridFilter }[];
    }
  | {
      kind: 'tierPyramid';
      customers: number;
      aum: Money;
      tiers: { tier: string; customers: number; aum: Money; drill: GridFilter }[];
    }
  | {
      kind: 'channelMix';
      from: string | null;
      to: string | null;
      channels: { channel: string; txns: number; amount: Money; drill: GridFilter }[];
    }
  | {
      kind: 'productMix';
      products: {
        productId: number;
        code: string;
        name: string;
        category: string;
        holders: number;
        held: number;
        balance: Money;
        drill: GridFilter;
      }[];
    }
  | { kind: 'movers'; direction: 'up' | 'down'; month: string | null; since: string | null; rows: WidgetCustomer[] }
  | {
      kind: 'maturities';
      days: number;
      until: string;
      customers: number;
      byKind: { kind: 'term' | 'wealth' | 'loan'; items: number; amount: Money }[];
      rows: WidgetCustomer[];
      drill: GridFilter;
    }
  | {
      kind: 'staffLeague';
      rows: {
        staffId: number;
        name: string;
        customers: number;
        deposits: Money;
        loans: Money;
        aum: Money;
        quality: number;
        drill: GridFilter;
      }[];
    }
  | {
      kind: 'list' | 'query';
      name: string | null;
      missing: boolean;
      count: number;
      rows: WidgetCustomer[];
      drill: GridFilter;
    }
  | { kind: 'views'; items: { type: 'list' | 'query'; id: number; name: string; count: number; drill: GridFilter }[] }
  /** 消息提醒: the caller's open reminders shown now, and the first few (db/relationship/reminders.ts). */
  | { kind: 'reminders'; open: number; top: Reminder[] }
  /**
   * 转介商机: the open referrals the caller may work (a manager their own queue, the president the
   * branch's incl. the branch queue), counted by status and against the SLA, and the most urgent few.
   */
  | {
      kind: 'referrals';
      open: number;
      new: number;
      accepted: number;
      contacted: number;
      /** Not yet contacted and past the SLA due date. */
      overdue: number;
      /** The branch queue (no owner), open: the president's only; null for a manager. */
      unassigned: number | null;
      top: Pick<
        Referral,
        'id' | 'customerId' | 'customerName' | 'interest' | 'urgency' | 'status' | 'dueOn' | 'overdue' | 'ownerName'
      >[];
    }
  /** 商机漏斗: open opportunities in the caller's scope by stage; a stage opens the list filtered to it. */
  | {
      kind: 'opportunities';
      open: number;
      amount: Money;
      stages: {
        stage: Exclude<OpportunityStage, 'won' | 'lost'>;
        count: number;
        amount: Money;
        drill: OpportunityFilter;
      }[];
    };

export type WidgetResult = { ok: true; data: WidgetData } | { ok: false; code: string };

/**
 * Figures read from the reporting summaries while they are being refilled after a store upgrade
 * (db/refills.ts): shown marked "updating" until the refill commits. `percent` is how far it has got.
 */
export interface FiguresUpdating {
  percent: number | null;
  etaSeconds: number | null;
}

/** Widget kinds whose figures come from the reporting summaries (marked while they are refilled). */
export const REPORTING_WIDGETS: readonly WidgetKind[] = ['kpi', 'depositTrend', 'channelMix', 'productMix', 'movers'];

export interface DesktopView {
  /** Set while the reporting summaries are refilled after an upgrade: REPORTING_WIDGETS say "updating". */
  updating?: FiguresUpdating | null;
  layout: DesktopLayout;
  /** Where the layout came from: the user's own, the role's published template, or the built-in default. */
  source: 'user' | 'template' | 'default';
  /** The user's stored layout could not be read and the template was used instead. */
  recovered: boolean;
  today: string;
  widgets: Record<string, WidgetResult>;
}

export interface DesktopTemplate {
  role: DesktopRole;
  layout: DesktopLayout;
  builtIn: boolean;
  publishedAt: string | null;
  publishedBy: string | null;
}

const role = z.enum(DESKTOP_ROLES);

export const desktopApi = {
  /** The caller's desktop: layout and every widget's data, in one round trip. */
  'desktop.data': method<DesktopView>()('portfolio.overview', z.object({}).strict()),
  /** Saves the caller's layout (validated: kinds, configs, role, grid bounds). */
  'desktop.save': method<{ layout: DesktopLayout; savedAt: string }>()(
    'portfolio.overview',
    z.object({ layout: layoutSchema }).strict(),
  ),
  /** Back to the role's published template (or the built-in default). */
  'desktop.reset': method<{ layout: DesktopLayout }>()('portfolio.overview', z.object({}).strict()),
  /** One widget's figures (as the caller's desktop shows them) as an Excel sheet; audited. */
  'desktop.export': method<{ id: string; name: string }>()(
    'portfolio.overview',
    z.object({ widgetId: z.string().regex(/^[A-Za-z0-9_-]{1,24}$/) }).strict(),
  ),
  /** The administrator's view of a role's template. */
  'desktop.template': method<DesktopTemplate>()('user.manage', z.object({ role }).strict()),
  /** Publishes a role's template, as a layout or as JSON text (pasted or exported earlier). Audited. */
  'desktop.publishTemplate': method<DesktopTemplate>()(
    SETTING_WRITERS.desktopTemplate,
    z.union([
      z.object({ role, layout: layoutSchema }).strict(),
      z.object({ role, json: z.string().max(100_000) }).strict(),
    ]),
  ),
} as const;
