/**
 * The yearly retention CLV discounts with: until a churn model scores every customer, the attrition
 * the store itself observed over the last year, per tier.
 *
 * Formula (the year = the 12 reported months ending at the as-of month M, from the first day of M-11
 * to the last day of M):
 *   at risk(tier) = customers opened before the year and not closed before it;
 *   lost(tier)    = of them, closed during the year (the latest closing date of their accounts), or
 *                   still open but keeping less than `lostShare` of their AUM (month-end AUM at M against
 *                   M-11 in the reporting summaries, counted only from 1,000 yuan at M-11);
 *   retention     = 1 - lost / at risk, in ppm; a tier with fewer than `minPopulation` customers at risk
 *                   takes the branch's figure (all tiers together), and a branch with none takes 100%.
 * Tiers are today's (a closed customer counts under the tier it was left with).
 *
 * The seam: `RetentionSource` answers a customer's yearly retention. computeScores takes one; the
 * default is `observedRetention` below. A churn model (issue 20.2) supplies its own source (retention =
 * 1 - the predicted probability of leaving within a year) through `setRetentionProvider`, and the CLV
 * then follows it with no other change.
 */
import type { Database } from 'better-sqlite3';
import { addMonths } from '../../shared/dates';
import type { RetentionGroup, ScoreParams } from '../../shared/scores';

export interface RetentionSource {
  /** Shown on the 360 with the figure: 'observed' (this file) or a model's name. */
  readonly name: string;
  /** The groups behind the figures, for the breakdown (empty for a per-customer model). */
  readonly groups: readonly RetentionGroup[];
  /** Yearly retention of one customer, ppm (0..1,000,000). */
  retentionPpm(customerId: number, tier: string): number;
}

/** Customers with less than this AUM at M-11 never count as "balances lost" (fen). */
export const LOST_MIN_AUM_FEN = 100_000;

export const monthEnd = (ym: string): string => {
  const next = addMonths(ym, 1);
  const d = new Date(`${next}-01T00:00:00Z`);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
};

/** The observed attrition per tier (see the file comment). */
export function observedRetention(db: Database, asOf: string, p: ScoreParams): RetentionSource {
  const start = `${addMonths(asOf, -11)}-01`;
  const end = monthEnd(asOf);
  const rows = db
    .prepare(
      `WITH c AS (
         SELECT c.id, COALESCE(c.tier, '') AS tier,
                CASE WHEN c.status = 'closed' THEN (SELECT MAX(a.closed_on) FROM accounts a WHERE a.customer_id = c.id) END AS closed_on,
                c.status = 'closed' AS closed
         FROM customers c WHERE c.opened_on < @start)
       SELECT c.tier,
              COUNT(*) AS atRisk,
              SUM(CASE WHEN c.closed THEN c.closed_on <= @end
                       ELSE COALESCE((SELECT (b.deposit_fen + b.wealth_fen) * 1000000 < (a.deposit_fen + a.wealth_fen) * @share
                                      FROM report_customer_months a JOIN report_customer_months b ON b.customer_id = a.customer_id AND b.month = @m
                                      WHERE a.customer_id = c.id AND a.month = @m0 AND a.deposit_fen + a.wealth_fen >= @min), 0) END) AS lost
       FROM c WHERE NOT (c.closed AND (c.closed_on IS NULL OR c.closed_on < @start))
       GROUP BY c.tier ORDER BY c.tier`,
    )
    .all({ start, end, share: p.clv.lostShare, m0: addMonths(asOf, -11), m: asOf, min: LOST_MIN_AUM_FEN }) as {
    tier: string;
    atRisk: number;
    lost: number;
  }[];
  const ppm = (atRisk: number, lost: number) =>
    atRisk === 0 ? 1_000_000 : Math.round(((atRisk - lost) * 1e6) / atRisk);
  const allAtRisk = rows.reduce((s, r) => s + r.atRisk, 0);
  const allLost = rows.reduce((s, r) => s + r.lost, 0);
  const branch: RetentionGroup = {
    tier: '*',
    atRisk: allAtRisk,
    lost: allLost,
    retentionPpm: ppm(allAtRisk, allLost),
    own: true,
  };
  const groups: RetentionGroup[] = rows.map((r) => {
    const own = r.atRisk >= p.clv.minPopulation;
    return {
      tier: r.tier,
      atRisk: r.atRisk,
      lost: r.lost,
      retentionPpm: own ? ppm(r.atRisk, r.lost) : branch.retentionPpm,
      own,
    };
  });
  groups.push(branch);
  const byTier = new Map(groups.map((g) => [g.tier, g.retentionPpm]));
  return {
    name: 'observed',
    groups,
    retentionPpm: (_id, tier) => byTier.get(tier) ?? branch.retentionPpm,
  };
}

type Provider = (db: Database, asOf: string, p: ScoreParams) => RetentionSource;
let provider: Provider = observedRetention;

/** The churn model's hook: replaces where CLV's retention comes from (null puts the observed one back). */
export function setRetentionProvider(p: Provider | null): void {
  provider = p ?? observedRetention;
}

export function retentionSource(db: Database, asOf: string, p: ScoreParams): RetentionSource {
  return provider(db, asOf, p);
}
