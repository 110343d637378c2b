import { z } from 'zod';
import { CHANNELS } from '../drill';
import { method } from './define';
import type { FiguresUpdating } from './desktop';
import { TIER_FILTER, type GridFilter } from './grid';

/**
 * 分析 (reports): branch overview, customer, product, channel and performance analysis, and tier
 * migration, each computed in the main process from the maintained reporting summaries
 * (db/reporting) within the caller's scope: a president sees their branch, a manager only their own
 * book (customers whose manager of record they are), enforced in SQL. Every row carries the grid
 * filter of the customers behind it (drill-down); tables export to Excel (audited).
 */
export const REPORTS = ['overview', 'customers', 'products', 'channels', 'performance', 'migration'] as const;
export type ReportName = (typeof REPORTS)[number];

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date');
const id = z.number().int().min(1);

export const reportFilterSchema = z
  .object({
    /** Period for flows (transactions, sales): months, inclusive. `to` is also the month end balances are shown at. */
    from: month.optional(),
    to: month.optional(),
    /** Outlets (within the caller's branch). */
    branchIds: z.array(id).max(100).optional(),
    /** One manager's book (president). */
    managerId: id.optional(),
    tiers: z.array(z.enum(TIER_FILTER)).min(1).max(TIER_FILTER.length).optional(),
    kind: z.enum(['individual', 'corporate']).optional(),
    productIds: z.array(id).min(1).max(50).optional(),
    channels: z.array(z.enum(CHANNELS)).min(1).max(5).optional(),
    /** Tier migration between two dates (exclusive from, inclusive to). */
    migrationFrom: date.optional(),
    migrationTo: date.optional(),
    /** Maturities in the next N days. */
    maturityDays: z.number().int().min(1).max(366).optional(),
  })
  .strict();
export type ReportFilterInput = z.infer<typeof reportFilterSchema>;

/** How a column's values read: the renderer formats and translates by kind (tier codes, channels...). */
export type ReportColumnKind =
  | 'text'
  | 'count'
  | 'money'
  | 'pct'
  | 'month'
  | 'date'
  | 'tier'
  | 'channel'
  | 'txnType'
  | 'direction'
  | 'weekday'
  | 'hour'
  | 'customerKind'
  | 'maturityKind'
  | 'metric'
  | 'category';

/** Kinds whose values are codes read out as `reports.<kind>.<code>` (the screen and exported files alike). */
export const CODED_COLUMN_KINDS: ReadonlySet<string> = new Set<ReportColumnKind>([
  'tier',
  'channel',
  'txnType',
  'direction',
  'weekday',
  'customerKind',
  'maturityKind',
  'metric',
  'category',
]);

export interface ReportColumn {
  key: string;
  kind: ReportColumnKind;
}

export interface ReportRow {
  cells: Record<string, string | number | null>;
  /** The customers behind the row (the customer grid's filter). */
  drill?: GridFilter;
  /** Per-column drill where a column has customers of its own (a matrix cell, a channel's bar). */
  drills?: Record<string, GridFilter>;
}

export interface ReportTable {
  id: string;
  columns: ReportColumn[];
  rows: ReportRow[];
}

export interface ReportResult {
  report: ReportName;
  /** Set while the reporting summaries are refilled after an upgrade: the figures say "updating". */
  updating?: FiguresUpdating | null;
  /** Reporting months available (balance data), ascending. */
  months: string[];
  /** The period the report used. */
  from: string | null;
  to: string | null;
  tables: ReportTable[];
}

export interface ReportOptions {
  months: string[];
  branches: { id: number; name: string }[];
  managers: { id: number; name: string; branchId: number }[];
  products: { id: number; code: string; name: string; category: string }[];
  /** Today's business date (for the migration and maturity defaults). */
  today: string;
  /** A manager's reports cover their own book only. */
  ownBook: boolean;
}

export const reportsApi = {
  /** What the filters can offer within the caller's scope. */
  'reports.options': method<ReportOptions>()('portfolio.overview', z.object({}).strict()),
  /** One report's tables (charts are drawn from them). */
  'reports.run': method<ReportResult>()(
    'portfolio.overview',
    z.object({ report: z.enum(REPORTS), filter: reportFilterSchema.default({}) }).strict(),
  ),
  /** The report's tables (or one of them) as an Excel workbook, one sheet per table. Audited. */
  'reports.export': method<{ id: string; name: string }>()(
    'portfolio.overview',
    z
      .object({
        report: z.enum(REPORTS),
        filter: reportFilterSchema.default({}),
        table: z
          .string()
          .regex(/^[a-zA-Z]{1,32}$/)
          .optional(),
      })
      .strict(),
  ),
  /** A chart saved as PNG in the window: recorded in the audit trail. */
  'reports.chartSaved': method<{ ok: true }>()(
    'portfolio.overview',
    z.object({ report: z.enum(REPORTS), table: z.string().regex(/^[a-zA-Z]{1,32}$/) }).strict(),
  ),
} as const;
