import { z } from 'zod';

/**
 * Customer analytics the bank tunes: 客户产品匹配 (next product, association rules over holdings) and
 * 风险预警 (early-warning signals and the risk rating). The parameters live in the store
 * (analytics_settings, one JSON document per key) and are validated by these schemas on both sides:
 * the form checks them before sending, the main process before storing.
 */

/**
 * What a customer can hold, as the rules see it: the product categories (products.category) and
 * 代发工资 (salary paid in through the bank: a salary credit within the look-back). The order is the bit
 * order of customer_holding_sets.mask; append only.
 */
export const NEXT_PRODUCT_ITEMS = [
  'demand',
  'term',
  'cd',
  'wealth',
  'loan',
  'card',
  'insurance',
  'fund',
  'payroll',
] as const;
export type NextProductItem = (typeof NEXT_PRODUCT_ITEMS)[number];
/** Items that can be held but not offered (代发工资 is the employer's agreement, not the customer's purchase). */
export const NOT_OFFERED: readonly NextProductItem[] = ['payroll'];

export const nextProductSettingsSchema = z
  .object({
    /** Least share of the customers holding antecedent and consequent together (0.005 = 0.5%). */
    npMinSupport: z.number().min(0.001).max(0.5),
    /** Least share of the antecedent's holders who also hold the consequent. */
    npMinConfidence: z.number().min(0.01).max(1),
    /** Least lift (confidence over the consequent's own share); above 1 means "more likely than average". */
    npMinLift: z.number().min(1).max(20),
    /** Most items on the "holds" side of a rule. */
    npMaxAntecedent: z.number().int().min(1).max(3),
    /** Items offered per customer. */
    npTopN: z.number().int().min(1).max(5),
    /** Days back a salary credit counts as 代发工资. */
    npPayrollDays: z.number().int().min(30).max(366),
  })
  .strict();
export type NextProductSettings = z.infer<typeof nextProductSettingsSchema>;

export const DEFAULT_NEXT_PRODUCT_SETTINGS: NextProductSettings = {
  npMinSupport: 0.01,
  npMinConfidence: 0.2,
  npMinLift: 1.1,
  npMaxAntecedent: 2,
  npTopN: 3,
  npPayrollDays: 92,
};

/**
 * Early-warning signals (风险预警信号). The two guarantee signals read the loan extract's guarantor
 * (保证人, migration 0032): guaranteeCall on a customer who guarantees another's loan that is overdue or
 * classified below 正常 (担保代偿风险); weakGuarantor on a borrower whose guarantor is overdue or rated 关注
 * or worse on their own signals (担保人风险). Append only: the order is the watch-list's signal order.
 */
export const RISK_SIGNALS = [
  'overdue',
  'utilisation',
  'outflow',
  'collapse',
  'dormancy',
  'guaranteeCall',
  'weakGuarantor',
] as const;
export type RiskSignal = (typeof RISK_SIGNALS)[number];

/** Risk levels from the rating's score, lowest first; 'normal' is off the watch-list. */
export const RISK_LEVELS = ['normal', 'watch', 'warning', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

const weight = z.number().int().min(0).max(100);

export const riskSettingsSchema = z
  .object({
    /** Points each signal adds to the rating's score (0: the signal is not rated). */
    riskWeightOverdue: weight,
    riskWeightUtilisation: weight,
    riskWeightOutflow: weight,
    riskWeightCollapse: weight,
    riskWeightDormancy: weight,
    /**
     * The guarantee signals (added with migration 0032): a default fills them in a document saved before
     * them (an older PC's, through the hub), so it is still accepted.
     */
    riskWeightGuaranteeCall: weight.default(30),
    riskWeightWeakGuarantor: weight.default(20),
    /** Overdue: a loan overdue this many days or more, or classified below 正常. */
    riskOverdueDays: z.number().int().min(1).max(365),
    /** Utilisation: balance over principal of the customer's loans at least this share (percent)… */
    riskUtilisationPct: z.number().int().min(10).max(100),
    /** … and up this many points against the figure recorded at least riskUtilisationDays ago. */
    riskUtilisationRisePts: z.number().int().min(1).max(100),
    riskUtilisationDays: z.number().int().min(7).max(365),
    /** Large outflow: debits of 10,000 yuan and more within the window… */
    riskOutflowDays: z.number().int().min(1).max(90),
    /** … adding up to at least this amount (fen)… */
    riskOutflowMinFen: z.number().int().min(1_000_000).max(100_000_000_000),
    /** … and to at least this share (percent) of what the customer had before them (AUM now + the outflow). */
    riskOutflowPct: z.number().int().min(1).max(100),
    /** Balance collapse: AUM fell by at least this share (percent) against the month end this many months back… */
    riskCollapsePct: z.number().int().min(10).max(100),
    riskCollapseMonths: z.number().int().min(1).max(12),
    /** … from at least this AUM (fen). */
    riskCollapseMinFen: z.number().int().min(0).max(100_000_000_000),
    /** Dormancy after activity: no transaction for this many days… */
    riskDormantDays: z.number().int().min(30).max(730),
    /** … after at least this many transactions in the 180 days before the last one. */
    riskActiveTxns: z.number().int().min(1).max(1000),
    /** Score from which a customer is rated 关注, 预警, 高风险 (ascending). */
    riskLevelWatch: z.number().int().min(1).max(500),
    riskLevelWarning: z.number().int().min(1).max(500),
    riskLevelHigh: z.number().int().min(1).max(500),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.riskLevelWarning <= s.riskLevelWatch)
      ctx.addIssue({ code: 'custom', path: ['riskLevelWarning'], message: 'not_ascending' });
    if (s.riskLevelHigh <= s.riskLevelWarning)
      ctx.addIssue({ code: 'custom', path: ['riskLevelHigh'], message: 'not_ascending' });
  });
export type RiskSettings = z.infer<typeof riskSettingsSchema>;

export const DEFAULT_RISK_SETTINGS: RiskSettings = {
  riskWeightOverdue: 50,
  riskWeightUtilisation: 25,
  riskWeightOutflow: 30,
  riskWeightCollapse: 40,
  riskWeightDormancy: 20,
  riskWeightGuaranteeCall: 30,
  riskWeightWeakGuarantor: 20,
  riskOverdueDays: 1,
  riskUtilisationPct: 85,
  riskUtilisationRisePts: 10,
  riskUtilisationDays: 60,
  riskOutflowDays: 30,
  riskOutflowMinFen: 20_000_000, // 200,000 yuan
  riskOutflowPct: 50,
  riskCollapsePct: 60,
  riskCollapseMonths: 3,
  riskCollapseMinFen: 5_000_000, // 50,000 yuan
  riskDormantDays: 180,
  riskActiveTxns: 12,
  riskLevelWatch: 20,
  riskLevelWarning: 50,
  riskLevelHigh: 80,
};

export const SIGNAL_WEIGHT: Record<RiskSignal, keyof RiskSettings> = {
  overdue: 'riskWeightOverdue',
  utilisation: 'riskWeightUtilisation',
  outflow: 'riskWeightOutflow',
  collapse: 'riskWeightCollapse',
  dormancy: 'riskWeightDormancy',
  guaranteeCall: 'riskWeightGuaranteeCall',
  weakGuarantor: 'riskWeightWeakGuarantor',
};

/** The level a score earns under the bank's thresholds. */
export function riskLevel(score: number, s: RiskSettings): RiskLevel {
  if (score >= s.riskLevelHigh) return 'high';
  if (score >= s.riskLevelWarning) return 'warning';
  if (score >= s.riskLevelWatch) return 'watch';
  return 'normal';
}

/** Follow-up states of a watch-list entry (跟进状态). */
export const WATCH_STATUSES = ['open', 'following', 'resolved'] as const;
export type WatchStatus = (typeof WATCH_STATUSES)[number];
