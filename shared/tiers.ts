import { z } from 'zod';

/**
 * 客户细分: the six tiers from a weighted composite score the bank sets. Each factor is measured per
 * customer (db/tiering.ts), scored 0..100 linearly between `zero` and `full` (values past either end
 * are clamped), weighted, and averaged; penalties then subtract points or cap the tier. The tier is
 * the first interval (from gold down) whose minimum the score reaches.
 */
export const TIERS = ['gold', 'quality', 'key', 'ordinary', 'restricted', 'exit'] as const;
/** The same list under the name the tier model's code reads it by (best tier first). */
export const TIER_ORDER = TIERS;
export type TierName = (typeof TIERS)[number];
/** The tiers and "no tier yet" (a customer not scored), in display order: tier filters, pyramids, charts. */
export const TIERS_AND_NONE = [...TIERS, 'none'] as const;
/** The tiers a model sets a score threshold for: every one but the last, which takes the rest. */
export const THRESHOLD_TIERS = TIERS.slice(0, -1) as readonly Exclude<TierName, 'exit'>[];

export const FACTORS = {
  /** Demand + term deposit balance, yuan. */
  deposits: 'money',
  /** Term deposit balance, yuan. */
  termDeposits: 'money',
  /** Wealth holdings at market value, yuan. */
  wealth: 'money',
  /** Change of the month-end deposit balance over the last three months, yuan (can be negative). */
  depositGrowth: 'money',
  /** Loan balance, yuan. */
  loans: 'money',
  /** Yearly loan interest at current balance and rate, yuan. */
  loanInterest: 'money',
  /** Online and phone-banking transactions in the last 90 days. */
  ebanking: 'count',
  /** Years as a customer. */
  tenureYears: 'count',
  /** 综合贡献度: the bank's income from the customer over 12 months, yuan (db/scores/, issue 20.1). */
  contribution: 'money',
  /** 忠诚度: 0-100 (db/scores/). */
  loyalty: 'count',
} as const;
export type Factor = keyof typeof FACTORS;

export const PENALTIES = {
  /** A loan overdue (days > 0). */
  overdueLoan: 'flag',
  /** A loan classified substandard, doubtful or loss. */
  badLoan: 'flag',
  /** The customer record is dormant. */
  dormant: 'flag',
} as const;
export type Penalty = keyof typeof PENALTIES;

const amount = z.number().finite().min(-1e12).max(1e12);

export const tierModelSchema = z
  .object({
    name: z.string().trim().min(1).max(60),
    factors: z
      .array(
        z
          .object({
            factor: z.enum(Object.keys(FACTORS) as [Factor, ...Factor[]]),
            weight: z.number().min(0).max(100),
            /** Value scoring 0 and value scoring 100 (zero > full inverts the factor). */
            zero: amount,
            full: amount,
          })
          .strict()
          .refine((f) => f.zero !== f.full, { message: 'zero_equals_full' }),
      )
      .min(1)
      .max(Object.keys(FACTORS).length),
    penalties: z
      .array(
        z
          .object({
            penalty: z.enum(Object.keys(PENALTIES) as [Penalty, ...Penalty[]]),
            /** Points taken off the composite. */
            points: z.number().min(0).max(100),
            /** The best tier a customer with this flag may have. */
            capAt: z.enum(TIER_ORDER).optional(),
          })
          .strict(),
      )
      .max(Object.keys(PENALTIES).length),
    /** Minimum composite score per tier, gold down to restricted; exit takes the rest. */
    thresholds: z
      .object({ gold: z.number(), quality: z.number(), key: z.number(), ordinary: z.number(), restricted: z.number() })
      .strict(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const t = m.thresholds;
    if (!(t.gold > t.quality && t.quality > t.key && t.key > t.ordinary && t.ordinary > t.restricted)) {
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'not_descending' });
    }
    if (m.factors.reduce((s, f) => s + f.weight, 0) <= 0)
      ctx.addIssue({ code: 'custom', path: ['factors'], message: 'no_weight' });
    const seen = new Set<string>();
    for (const f of m.factors) {
      if (seen.has(f.factor)) ctx.addIssue({ code: 'custom', path: ['factors'], message: 'duplicate_factor' });
      seen.add(f.factor);
    }
  });
export type TierModel = z.infer<typeof tierModelSchema>;

/** A sensible default for a retail branch: balances first, activity and loyalty second. */
export const DEFAULT_TIER_MODEL: TierModel = {
  name: '默认分层模型',
  factors: [
    { factor: 'deposits', weight: 35, zero: 0, full: 1_000_000 },
    { factor: 'wealth', weight: 20, zero: 0, full: 1_000_000 },
    { factor: 'termDeposits', weight: 10, zero: 0, full: 500_000 },
    { factor: 'depositGrowth', weight: 5, zero: -100_000, full: 100_000 },
    { factor: 'loanInterest', weight: 10, zero: 0, full: 50_000 },
    { factor: 'ebanking', weight: 10, zero: 0, full: 30 },
    { factor: 'tenureYears', weight: 10, zero: 0, full: 10 },
  ],
  penalties: [
    { penalty: 'badLoan', points: 40, capAt: 'exit' },
    { penalty: 'overdueLoan', points: 20, capAt: 'restricted' },
    { penalty: 'dormant', points: 10, capAt: 'ordinary' },
  ],
  thresholds: { gold: 60, quality: 40, key: 22, ordinary: 8, restricted: 3 },
};
