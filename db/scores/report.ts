/**
 * 客户分析 · 客户价值: the customer scores by tier for the reports (main/reports/build.ts), in the
 * reports' own terms: customers counted under their current branch, manager and tier as the reporting
 * summaries keep them (report_customers: manager 0 = none, tier '' = not tiered), the report's scope and
 * branch, manager and tier filters. The drill of a row is the tier's (as the tier table's), so the grid
 * it opens holds exactly the customers of the row.
 */
import type { Database } from 'better-sqlite3';
import type { ReportFilter, ReportScope } from '../reporting/read';

export interface ValueByTierRow {
  tier: string;
  customers: number;
  contributionFen: bigint;
  clvFen: bigint;
  loyaltySum: number;
  points: number;
}

export function valueByTier(db: Database, scope: ReportScope, filter: ReportFilter = {}): ValueByTierRow[] {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  const inList = (col: string, xs: readonly (string | number)[]) => {
    params.push(...xs);
    parts.push(xs.length === 0 ? '0' : `${col} IN (${xs.map(() => '?').join(',')})`);
  };
  if (scope.managerStaffId != null) {
    parts.push('r.manager_staff_id = ?');
    params.push(scope.managerStaffId);
  } else inList('r.branch_id', scope.branchIds ?? []);
  if (filter.branchIds) inList('r.branch_id', filter.branchIds);
  if (filter.managerStaffId != null) {
    parts.push('r.manager_staff_id = ?');
    params.push(filter.managerStaffId);
  }
  if (filter.tiers)
    inList(
      'r.tier',
      filter.tiers.map((t) => (t === 'none' ? '' : t)),
    );
  const rows = db
    .prepare(
      `SELECT r.tier AS tier, COUNT(*) AS customers, SUM(c.contribution_fen) AS contributionFen, SUM(c.clv_fen) AS clvFen,
              SUM(c.loyalty) AS loyaltySum, SUM(c.points) AS points
       FROM report_customers r JOIN customers c ON c.id = r.customer_id
       WHERE ${parts.join(' AND ')} GROUP BY r.tier`,
    )
    .safeIntegers(true)
    .all(...params) as Record<keyof ValueByTierRow, bigint | string>[];
  return rows.map((r) => ({
    tier: (r.tier as string) || 'none',
    customers: Number(r.customers),
    contributionFen: r.contributionFen as bigint,
    clvFen: r.clvFen as bigint,
    loyaltySum: Number(r.loyaltySum),
    points: Number(r.points),
  }));
}
