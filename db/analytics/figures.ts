import type { Database } from 'better-sqlite3';
import type { RiskLevel } from '../../shared/analytics';
import { query } from '../sql';

/**
 * What the analytics' parameters currently give, for their settings page: the last mining of the
 * next-product rules (when, over how many customers, how many rules) and the customers rated per level.
 * Cheap reads (the last run row, the rules table, the rating's level index), safe to poll.
 */
export interface AnalyticsFigures {
  nextProductRun: { ranAt: string; customers: number; rules: number } | null;
  riskByLevel: Record<RiskLevel, number>;
}

const LAST_RUN = query<[], { ranAt: string; customers: number; rules: number }>(
  'SELECT ran_at AS ranAt, customers, rules FROM next_product_runs ORDER BY id DESC LIMIT 1',
);
const BY_LEVEL = query<[], { level: RiskLevel; n: number }>(
  'SELECT level, COUNT(*) AS n FROM customer_risk GROUP BY level',
);

export function analyticsFigures(db: Database): AnalyticsFigures {
  const riskByLevel: Record<RiskLevel, number> = { normal: 0, watch: 0, warning: 0, high: 0 };
  for (const r of BY_LEVEL.all(db)) riskByLevel[r.level] = r.n;
  return { nextProductRun: LAST_RUN.get(db) ?? null, riskByLevel };
}
