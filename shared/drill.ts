import { z } from 'zod';
import { TIERS_AND_NONE } from './tiers';

/**
 * Drill-down predicates for the customer grid (GridFilter.drill): the customers behind a report or
 * desktop figure that the plain grid filters cannot express. Compiled to parameterised SQL by
 * db/reporting/drill.ts with the same definitions the reporting summaries use (db/reporting/maintain.ts),
 * so the grid's count equals the figure clicked. A closed list: nothing here becomes SQL text.
 */
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date');
const id = z.number().int().min(1);
const tierOrNone = z.enum(TIERS_AND_NONE);
export const CHANNELS = ['counter', 'atm', 'pos', 'phone', 'online'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * `tiers` on a dated drill: the tier the customer held at that moment (tiers in the reporting
 * summaries are point in time, db/reporting/maintain.ts), not the tier today, which GridFilter.tiers is.
 */
const tiersThen = z.array(tierOrNone).min(1).max(7).optional();

export const drillSchema = z.discriminatedUnion('kind', [
  /** Customers counted in a month-end figure: opened on or before that month's end (with tiers: held one of them at that date). */
  z.object({ kind: z.literal('openedBy'), date, tiers: tiersThen }).strict(),
  /** Tier migration: the tier before the first and after the last change with from < change day <= to. */
  z.object({ kind: z.literal('tierChange'), from: date, to: date, fromTier: tierOrNone, toTier: tierOrNone }).strict(),
  /**
   * The customers one re-tier moved (tier model `version` activated at `at`, the time every change of
   * that run carries): the list behind a 客户等级变动 digest.
   */
  z.object({ kind: z.literal('tierRun'), version: id, at: z.string().datetime() }).strict(),
  /** Customers with at least one transaction matching these in the months (inclusive). */
  z
    .object({
      kind: z.literal('txn'),
      fromMonth: month,
      toMonth: month,
      channels: z.array(z.enum(CHANNELS)).min(1).max(5).optional(),
      txnTypes: z.array(z.string().min(1).max(32)).min(1).max(20).optional(),
      direction: z.enum(['C', 'D']).optional(),
      weekday: z.number().int().min(0).max(6).optional(),
      hour: z.number().int().min(0).max(23).optional(),
      tellerId: id.optional(),
      /** The tier held on the transaction's day. */
      tiers: tiersThen,
    })
    .strict(),
  /** Holders of a product today (open demand/card account, active term deposit, wealth holding or loan). */
  z.object({ kind: z.literal('holds'), productId: id }).strict(),
  /** Customers who opened (bought, were lent) a product in the months (inclusive). */
  z.object({ kind: z.literal('sold'), productId: id, fromMonth: month, toMonth: month, tiers: tiersThen }).strict(),
  /** An active term deposit, wealth holding or loan matures from today to today + days. */
  z
    .object({
      kind: z.literal('maturing'),
      days: z.number().int().min(0).max(3660),
      kinds: z
        .array(z.enum(['term', 'wealth', 'loan']))
        .min(1)
        .max(3)
        .optional(),
    })
    .strict(),
]);
export type Drill = z.infer<typeof drillSchema>;
