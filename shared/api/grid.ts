import { z } from 'zod';
import type { Money } from './common';
import { method } from './define';
import {
  CUSTOMER_FIELDS,
  CUSTOMER_KINDS,
  CUSTOMER_STATUSES,
  enumCodes,
  QUERY_COLUMN_FIELDS,
  SORTABLE_FIELDS,
  type CustomerFieldValues,
  type QueryColumnField,
  type SortableField,
} from '../customer-fields';
import { drillSchema } from '../drill';
import { TIERS_AND_NONE } from '../tiers';

/**
 * The customer grid over the whole book: filters, sort and paging the main process compiles to
 * parameterised SQL (db/repos/customer-grid.ts). Column and filter names here are a closed list;
 * nothing the renderer sends ever becomes SQL text. The columns are the customer field catalogue's
 * (shared/customer-fields.ts).
 */
export const SORT_COLUMNS = SORTABLE_FIELDS;
export type SortColumn = SortableField;

/** "no tier yet" is a tier filter value too. */
export const TIER_FILTER = TIERS_AND_NONE;

const money = z
  .string()
  .trim()
  .regex(/^-?\d{1,13}(\.\d{1,2})?$/, 'yuan amount');
const id = z.number().int().min(0);

/** The advanced query's kind of a catalogue field that it compares as a plain column. */
type ColumnQueryKind<K extends QueryColumnField> = (typeof CUSTOMER_FIELDS)[K]['wire'];
const QUERY_KIND_ORDER = ['enum', 'money', 'number', 'date'];
/** Codes first, then amounts and scores, then dates (the order the query builder lists them). */
const columnQueryFields = Object.fromEntries(
  [...QUERY_COLUMN_FIELDS]
    .sort(
      (a, b) => QUERY_KIND_ORDER.indexOf(CUSTOMER_FIELDS[a].wire) - QUERY_KIND_ORDER.indexOf(CUSTOMER_FIELDS[b].wire),
    )
    .map((k) => [k, CUSTOMER_FIELDS[k].wire]),
) as { [K in QueryColumnField]: ColumnQueryKind<K> };

/** 高级查询: conditions over customer fields and related facts, grouped with AND / OR. */
export const QUERY_FIELDS = {
  ...columnQueryFields,
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
/** The values an enum or channel query field takes: the catalogue's codes, product categories, channels. */
export const QUERY_ENUMS: Partial<Record<QueryField, readonly string[]>> = {
  ...Object.fromEntries(
    QUERY_COLUMN_FIELDS.filter((k) => CUSTOMER_FIELDS[k].wire === 'enum').map((k) => [k, enumCodes(k)]),
  ),
  holdsCategory: ['demand', 'term', 'cd', 'wealth', 'loan', 'card', 'insurance', 'fund'],
  channelUse: ['counter', 'atm', 'pos', 'phone', 'online'],
};
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
    /** Quick search: customer number, name (prefix), pinyin initials, whole mobile or ID number or their last four. */
    q: z.string().trim().max(64).optional(),
    tiers: z.array(z.enum(TIER_FILTER)).max(TIER_FILTER.length).optional(),
    /** Manager of record (staff id; 0 = no manager). */
    managerIds: z.array(id).max(500).optional(),
    branchIds: z.array(id).max(500).optional(),
    kinds: z.array(z.enum(CUSTOMER_KINDS)).max(CUSTOMER_KINDS.length).optional(),
    statuses: z.array(z.enum(CUSTOMER_STATUSES)).max(CUSTOMER_STATUSES.length).optional(),
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
  .array(
    z.object({ col: z.enum(SORT_COLUMNS as [SortColumn, ...SortColumn[]]), dir: z.enum(['asc', 'desc']) }).strict(),
  )
  .max(3);
export type GridSort = z.infer<typeof gridSortSchema>;

/** A grid row: the catalogue's fields (identifiers masked), by wire name. */
export type GridRow = CustomerFieldValues & { id: number; masked: boolean };

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
