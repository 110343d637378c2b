/**
 * Customers in the caller's scope by contribution band (the desktop's 客户价值分布 widget and its
 * drills). One grouped pass over the customers in scope (the scope's own SQL, db/scope.ts): a manager's
 * book is small; a president's whole branch is a scan of the customers table (about 0.5 s on a million,
 * in the desktop's one call), which is why the widget is not on the default desktops.
 */
import type { Database } from 'better-sqlite3';
import type { Scope } from '../scope';

/** Band lower bounds in yuan a year; the last band is open. */
export const CONTRIBUTION_BANDS_YUAN = [0, 1_000, 10_000, 50_000, 200_000] as const;

export interface BandRow {
  band: number;
  customers: number;
  contributionFen: bigint;
  clvFen: bigint;
  loyaltySum: number;
  points: number;
}

export function contributionBands(db: Database, scope: Scope): BandRow[] {
  const cases = CONTRIBUTION_BANDS_YUAN.map((lo, i) => `WHEN c.contribution_fen >= ${lo * 100} THEN ${i}`)
    .reverse()
    .join(' ');
  const rows = db
    .prepare(
      `SELECT CASE ${cases} ELSE 0 END AS band, COUNT(*) AS customers, SUM(c.contribution_fen) AS contributionFen,
              SUM(c.clv_fen) AS clvFen, SUM(c.loyalty) AS loyaltySum, SUM(c.points) AS points
       FROM customers c WHERE ${scope.sql} GROUP BY 1 ORDER BY 1`,
    )
    .safeIntegers(true)
    .all(...scope.params) as Record<keyof BandRow, bigint>[];
  return rows.map((r) => ({
    band: Number(r.band),
    customers: Number(r.customers),
    contributionFen: r.contributionFen,
    clvFen: r.clvFen,
    loyaltySum: Number(r.loyaltySum),
    points: Number(r.points),
  }));
}
