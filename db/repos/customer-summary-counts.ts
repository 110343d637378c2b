/**
 * The summaries path of the grid's counts and quick stats. Of the three ways the grid answers (SQL
 * over customers, compileFilter in ./customer-grid.ts: every filter, the reference; the in-memory
 * columns, db/customer-columns.ts: chip filters in milliseconds once built; and this one), this is
 * the cheapest: summary_customers (db/summaries.ts, kept in step by every import, revert and
 * re-tier) holds customers and money per branch x manager x tier, a few hundred rows. It answers
 * only counts and stats, and only scope + tiers, managers and branches (no other filter key), for a
 * branch scope, a manager without active grants (granted customers are outside their book and not
 * separable in the summary) or no scope; anything else returns null and the caller goes on.
 * It exists because the unfiltered and chip-by-tier views are what every grid opens with, and
 * they must be instant on a book of a million even before the columns are built.
 */
import type { Database } from 'better-sqlite3';
import type { GridFilter } from '../../shared/api/grid';
import type { Scope } from '../scope';
import { inList, type Param } from './customer-query';

/** The WHERE over summary_customers `s` for scope + filter, or null when the summary cannot answer it. */
export function summaryWhere(db: Database, scope: Scope, f: GridFilter): { where: string; params: Param[] } | null {
  const keys = Object.keys(f).filter((k) => (f as Record<string, unknown>)[k] !== undefined);
  if (keys.some((k) => !['tiers', 'managerIds', 'branchIds'].includes(k))) return null;
  const where: string[] = [];
  const params: Param[] = [];
  if (scope.kind === 'branch' && scope.branchIds) {
    where.push(`s.branch_id IN (${inList(scope.branchIds.length)})`);
    params.push(...scope.branchIds);
  } else if (scope.kind === 'manager' && scope.staffId !== undefined && scope.today) {
    const grants = db
      .prepare('SELECT 1 FROM customer_grants WHERE staff_id = ? AND (expires_on IS NULL OR expires_on >= ?) LIMIT 1')
      .get(scope.staffId, scope.today);
    if (grants) return null;
    where.push('s.manager_staff_id = ?');
    params.push(scope.staffId);
  } else if (scope.kind === 'none') {
    where.push('0');
  } else return null;
  if (f.tiers?.length) {
    where.push(`s.tier IN (${inList(f.tiers.length)})`);
    params.push(...f.tiers.map((t) => (t === 'none' ? '' : t)));
  }
  if (f.managerIds?.length) {
    where.push(`s.manager_staff_id IN (${inList(f.managerIds.length)})`);
    params.push(...f.managerIds);
  }
  if (f.branchIds?.length) {
    where.push(`s.branch_id IN (${inList(f.branchIds.length)})`);
    params.push(...f.branchIds);
  }
  return { where: where.join(' AND '), params };
}

/** Count and sums (BigInt fen), by tier and by manager. */
export function summaryStats(db: Database, q: { where: string; params: Param[] }) {
  const total = db
    .prepare(
      `SELECT COALESCE(SUM(s.customers), 0) AS n, SUM(s.aum_fen) AS aum, SUM(s.deposit_fen) AS dep, SUM(s.wealth_fen) AS wlt, SUM(s.loan_fen) AS lon
       FROM summary_customers s WHERE ${q.where}`,
    )
    .safeIntegers(true)
    .get(...q.params) as { n: bigint; aum: bigint | null; dep: bigint | null; wlt: bigint | null; lon: bigint | null };
  const byTier = db
    .prepare(
      `SELECT CASE s.tier WHEN '' THEN 'none' ELSE s.tier END AS tier, SUM(s.customers) AS n, SUM(s.aum_fen) AS aum FROM summary_customers s WHERE ${q.where} GROUP BY 1 HAVING SUM(s.customers) > 0 ORDER BY 1`,
    )
    .safeIntegers(true)
    .all(...q.params) as { tier: string; n: bigint; aum: bigint }[];
  const byManager = db
    .prepare(
      `SELECT s.manager_staff_id AS mid, m.name AS mname, SUM(s.customers) AS n, SUM(s.aum_fen) AS aum
       FROM summary_customers s LEFT JOIN staff m ON m.id = s.manager_staff_id WHERE ${q.where} GROUP BY 1 HAVING SUM(s.customers) > 0 ORDER BY aum DESC`,
    )
    .safeIntegers(true)
    .all(...q.params) as { mid: bigint; mname: string | null; n: bigint; aum: bigint }[];
  return { total, byTier, byManager };
}
