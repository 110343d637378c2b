import { z } from 'zod';
import type { Money } from './common';
import { TIERS, type CustomerSummary } from './customers';
import { method } from './define';
import { drillSchema } from '../drill';

/**
 * The customer grid over the whole book: filters, sort and paging the main process compiles to
 * parameterised SQL (db/repos/customerGrid.ts). Column and filter names here are a closed list;
 * nothing the renderer sends ever becomes SQL text.
 */
export const SORT_COLUMNS = [
  'customerNo',
  'name',
  'tier',
  'status',
  'branchName',
  'managerName',
  'aum',
  'deposits',
  'wealth',
  'loans',
  'openedOn',
  'lastTxnOn',
  'birthDate',
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

/** "no tier yet" is a tier filter value too. */
export const TIER_FILTER = [...TIERS, 'none'] as const;

const money = z
  .string()
  .trim()
  .regex(/^-?\d{1,13}(\.\d{1,2})?$/, 'yuan amount');
const id = z.number().int().min(0);

/** 高级查询: conditions over customer fields and related facts, grouped with AND / OR. */
export const QUERY_FIELDS = {
  tier: 'enum',
  kind: 'enum',
  status: 'enum',
  aum: 'money',
  deposits: 'money',
  wealth: 'money',
  loans: 'money',
  openedOn: 'date',
  lastTxnOn: 'date',
  age: 'number',
  managerId: 'id',
  branchId: 'id',
  /** Holds this product (open account, active holding or loan). */
  holdsProduct: 'code',
  /** Holds a product of this category. */
  holdsCategory: 'enum',
  /** Transactions over a channel in the last N days (value: channel; days and minCount in `extra`). */
  channelUse: 'channel',
  /** A loan matures within N days. */
  loanMaturingDays: 'number',
  /** A term deposit or wealth product matures within N days. */
  depositMaturingDays: 'number',
} as const;
export type QueryField = keyof typeof QUERY_FIELDS;
export const QUERY_OPS = ['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte', 'between'] as const;

const condValue = z.union([z.string().max(64), z.number(), z.array(z.union([z.string().max(64), z.number()])).max(50)]);
export const queryConditionSchema = z
  .object({
    field: z.enum(Object.keys(QUERY_FIELDS) as [QueryField, ...QueryField[]]),
    op: z.enum(QUERY_OPS),
    value: condValue,
    /** channelUse: the window in days and the minimum number of transactions. */
    days: z.number().int().min(1).max(3660).optional(),
    minCount: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
export type QueryCondition = z.infer<typeof queryConditionSchema>;
export interface QueryGroup {
  op: 'and' | 'or';
  items: (QueryGroup | QueryCondition)[];
}
export const queryGroupSchema: z.ZodType<QueryGroup> = z.lazy(() =>
  z
    .object({
      op: z.enum(['and', 'or']),
      items: z
        .array(z.union([queryConditionSchema, queryGroupSchema]))
        .min(1)
        .max(30),
    })
    .strict(),
);

export const gridFilterSchema = z
  .object({
    /** Only my favourites (收藏夹). */
    favorites: z.boolean().optional(),
    /** Only members of this customer list (one the caller owns or that is shared). */
    listId: z.number().int().positive().optional(),
    /** An advanced query, ANDed with everything else. */
    advanced: queryGroupSchema.optional(),
    /** Quick search: customer number, name (prefix), pinyin initials, mobile, ID number or their last digits. */
    q: z.string().trim().max(64).optional(),
    tiers: z.array(z.enum(TIER_FILTER)).max(TIER_FILTER.length).optional(),
    /** Manager of record (staff id; 0 = no manager). */
    managerIds: z.array(id).max(500).optional(),
    branchIds: z.array(id).max(500).optional(),
    kinds: z
      .array(z.enum(['individual', 'corporate']))
      .max(2)
      .optional(),
    statuses: z
      .array(z.enum(['active', 'dormant', 'closed']))
      .max(3)
      .optional(),
    aumMin: money.optional(),
    aumMax: money.optional(),
    depositsMin: money.optional(),
    loansMin: money.optional(),
    /** Holds any of these products (open account, active holding or loan). */
    productCodes: z.array(z.string().trim().min(1).max(16)).max(50).optional(),
    /** A term deposit, wealth product or loan matures within this many days from today. */
    maturingWithinDays: z.number().int().min(0).max(3660).optional(),
    /** Individuals whose birthday falls in the current month. */
    birthdayThisMonth: z.boolean().optional(),
    /** No transaction for at least this many days (or never). */
    inactiveDays: z.number().int().min(1).max(3660).optional(),
    /** The customers behind a report or desktop figure (shared/drill.ts). */
    drill: drillSchema.optional(),
  })
  .strict();
export type GridFilter = z.infer<typeof gridFilterSchema>;

export const gridSortSchema = z
  .array(z.object({ col: z.enum(SORT_COLUMNS), dir: z.enum(['asc', 'desc']) }).strict())
  .max(3);
export type GridSort = z.infer<typeof gridSortSchema>;

export interface GridRow extends CustomerSummary {
  wealth: Money;
  openedOn: string;
  lastTxnOn: string | null;
  birthDate: string | null;
  gender: 'M' | 'F' | null;
  occupation: string | null;
  creditRating: string | null;
}

export interface QuickStats {
  count: number;
  aum: Money;
  deposits: Money;
  wealth: Money;
  loans: Money;
  /** AUM per customer, to the fen (truncated). */
  avgAum: Money;
  byTier: { tier: string; count: number; aum: Money }[];
  byManager: { managerId: number; managerName: string | null; count: number; aum: Money }[];
}

export const gridApi = {
  /** A block of rows for the grid (the count comes separately so paging stays fast). */
  'customers.grid': method<{ rows: GridRow[] }>()(
    'customer.list',
    z
      .object({
        filter: gridFilterSchema.default({}),
        sort: gridSortSchema.default([]),
        offset: z.number().int().min(0).max(100_000_000).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
  ),
  /** Exact counts: everyone in scope, and those the filter keeps. */
  'customers.gridCount': method<{ total: number; filtered: number }>()(
    'customer.list',
    z.object({ filter: gridFilterSchema.default({}) }).strict(),
  ),
  /** 快速统计 for the filtered set. */
  'customers.quickStats': method<QuickStats>()(
    'customer.list',
    z.object({ filter: gridFilterSchema.default({}) }).strict(),
  ),
} as const;
