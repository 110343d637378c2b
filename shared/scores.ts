/**
 * Customer scores (issue 20.1): the bank's parameters and what they mean. The computation is
 * db/scores/compute.ts; this file is shared so the settings screen, the API and the hub check the same
 * ranges. Rates are integer parts per million of a year (1.80% = 18000), money integer yuan where the
 * bank sets a unit, weights whole percentages.
 *
 * Contribution (综合贡献度) over the 12 reported months ending at the as-of month M (the latest month of
 * the balance extract): for each product class, the average of its 12 month-end balances times the
 * class's yearly rate (deposit spread for demand, term, cd and card balances; loan margin for loans;
 * income rate for wealth, fund and insurance holdings), each rounded to the fen; plus fee income, the
 * fee transactions of the 12 months times the fee share.
 *
 * Loyalty (忠诚度, 0-100): the weighted mean of four sub-scores, each 0-100: tenure (years with the bank
 * over `tenureFullYears`), breadth (product classes held over `breadthFull`), activity (months of the
 * 12 with a transaction), balances kept (AUM at M over AUM 11 months before, at most 1).
 *
 * CLV = Σ_{t=1..H} ρ^t · C / (1 + r)^t: C this year's contribution (projected flat, no indirect profit),
 * ρ the yearly retention (the observed attrition of the customer's tier, db/scores/retention.ts, until a
 * churn model supplies one), r the discount rate, H the horizon in years.
 *
 * Points (积分): per month, floor(month-end AUM / balanceUnit) × balancePoints, at most balanceCap; per
 * qualifying transaction floor(amount / txnUnit) × txnPoints, at most txnCap a month. Points earned in
 * month m expire at the end of month m + expiryMonths.
 */
import { z } from 'zod';

export const DEPOSIT_CLASSES = ['demand', 'card', 'term', 'cd'] as const;
export const WEALTH_CLASSES = ['wealth', 'fund', 'insurance'] as const;
export const PRODUCT_CLASSES = [...DEPOSIT_CLASSES, 'loan', ...WEALTH_CLASSES] as const;
export type ProductClass = (typeof PRODUCT_CLASSES)[number];

/** Transaction types that may earn points (the journal's codes). */
export const POINT_TXN_TYPES = [
  'consumption',
  'salary',
  'transfer_in',
  'transfer_out',
  'deposit',
  'withdrawal',
] as const;

const ppm = (max: number) => z.number().int().min(0).max(max);

export const scoreParamsSchema = z
  .object({
    /** Yearly rate per product class, ppm of the average balance (deposit spread, loan margin, wealth income). */
    rates: z
      .object(Object.fromEntries(PRODUCT_CLASSES.map((c) => [c, ppm(200_000)])) as Record<ProductClass, z.ZodNumber>)
      .strict(),
    /** Share of fee transactions the branch counts as its income, ppm. */
    feeShare: ppm(1_000_000),
    loyalty: z
      .object({
        tenureWeight: z.number().int().min(0).max(100),
        breadthWeight: z.number().int().min(0).max(100),
        activityWeight: z.number().int().min(0).max(100),
        keptWeight: z.number().int().min(0).max(100),
        tenureFullYears: z.number().int().min(1).max(50),
        breadthFull: z.number().int().min(1).max(8),
      })
      .strict(),
    clv: z
      .object({
        /** Yearly discount rate, ppm. */
        discountRate: ppm(500_000),
        horizonYears: z.number().int().min(1).max(30),
        /** Customers of a tier with fewer at the start of the year than this take the branch's retention. */
        minPopulation: z.number().int().min(1).max(100_000),
        /** A customer who kept less than this share of their AUM over the year counts as lost, ppm. */
        lostShare: ppm(1_000_000),
      })
      .strict(),
    points: z
      .object({
        balanceUnitYuan: z.number().int().min(1).max(100_000_000),
        balancePoints: z.number().int().min(0).max(100_000),
        balanceCap: z.number().int().min(0).max(10_000_000),
        txnTypes: z.array(z.enum(POINT_TXN_TYPES)).max(POINT_TXN_TYPES.length),
        txnUnitYuan: z.number().int().min(1).max(1_000_000),
        txnPoints: z.number().int().min(0).max(100_000),
        txnCap: z.number().int().min(0).max(10_000_000),
        expiryMonths: z.number().int().min(1).max(60),
      })
      .strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const l = p.loyalty;
    if (l.tenureWeight + l.breadthWeight + l.activityWeight + l.keptWeight !== 100)
      ctx.addIssue({ code: 'custom', path: ['loyalty', 'tenureWeight'], message: 'weights_sum_100' });
    if (new Set(p.points.txnTypes).size !== p.points.txnTypes.length)
      ctx.addIssue({ code: 'custom', path: ['points', 'txnTypes'], message: 'duplicate' });
  });
export type ScoreParams = z.infer<typeof scoreParamsSchema>;

/** The shipped defaults: typical spreads of a mainland branch in 2026. */
export const DEFAULT_SCORE_PARAMS: ScoreParams = {
  rates: { demand: 18000, card: 15000, term: 8000, cd: 6000, loan: 25000, wealth: 6000, fund: 12000, insurance: 20000 },
  feeShare: 1_000_000,
  loyalty: {
    tenureWeight: 30,
    breadthWeight: 25,
    activityWeight: 25,
    keptWeight: 20,
    tenureFullYears: 10,
    breadthFull: 4,
  },
  clv: { discountRate: 80_000, horizonYears: 10, minPopulation: 30, lostShare: 100_000 },
  points: {
    balanceUnitYuan: 10_000,
    balancePoints: 10,
    balanceCap: 5_000,
    txnTypes: ['consumption'],
    txnUnitYuan: 100,
    txnPoints: 1,
    txnCap: 2_000,
    expiryMonths: 24,
  },
};

/** The yearly retention the CLV uses for a tier, as the store observed it (db/scores/retention.ts). */
export interface RetentionGroup {
  /** Tier code, '' for customers without one, '*' the whole branch. */
  tier: string;
  /** Customers at the start of the year (opened before it, not lost before it). */
  atRisk: number;
  /** Of them, lost during the year: closed, or kept less than lostShare of their AUM. */
  lost: number;
  /** Retention used, ppm: 1 - lost / atRisk, or the branch's when the tier has fewer than minPopulation. */
  retentionPpm: number;
  /** Whether the tier's own figure was used (else the branch's). */
  own: boolean;
}

/** CLV's multiplier Σ_{t=1..H} (ρ / (1 + r))^t for a retention and discount rate in ppm. */
export function clvFactor(retentionPpm: number, discountRatePpm: number, horizonYears: number): number {
  const q = retentionPpm / 1e6 / (1 + discountRatePpm / 1e6);
  let f = 0;
  let p = 1;
  for (let t = 1; t <= horizonYears; t++) {
    p *= q;
    f += p;
  }
  return f;
}
