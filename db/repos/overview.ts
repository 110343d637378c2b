import type { Database } from 'better-sqlite3';
import type { Scope } from '../scope';

export interface Totals {
  customers: number;
  deposit_fen: bigint;
  loan_fen: bigint;
  aum_fen: bigint;
}
export interface TierTotals {
  tier: string | null;
  customers: number;
  aum_fen: bigint;
}
export interface ManagerTotals {
  staff_id: number;
  name: string;
  customers: number;
  aum_fen: bigint;
}

/**
 * Scoped totals for the home pages. Sums are read as BigInt (safeIntegers) so a branch total can
 * never lose a fen. These scan the scope; the desktops work replaces them with maintained summaries.
 */
export function overviewRepo(db: Database) {
  return {
    totals(scope: Scope): Totals {
      const row = db
        .prepare(
          `SELECT COUNT(*) AS customers, COALESCE(SUM(c.deposit_fen),0) AS deposit_fen,
                  COALESCE(SUM(c.loan_fen),0) AS loan_fen, COALESCE(SUM(c.aum_fen),0) AS aum_fen
           FROM customers c WHERE ${scope.sql}`,
        )
        .safeIntegers(true)
        .get(...scope.params) as { customers: bigint; deposit_fen: bigint; loan_fen: bigint; aum_fen: bigint };
      return { ...row, customers: Number(row.customers) };
    },
    byTier(scope: Scope): TierTotals[] {
      const rows = db
        .prepare(
          `SELECT c.tier AS tier, COUNT(*) AS customers, COALESCE(SUM(c.aum_fen),0) AS aum_fen
           FROM customers c WHERE ${scope.sql} GROUP BY c.tier`,
        )
        .safeIntegers(true)
        .all(...scope.params) as { tier: string | null; customers: bigint; aum_fen: bigint }[];
      return rows.map((r) => ({ ...r, customers: Number(r.customers) }));
    },
    byManager(scope: Scope): ManagerTotals[] {
      const rows = db
        .prepare(
          `SELECT s.id AS staff_id, s.name AS name, COUNT(c.id) AS customers, COALESCE(SUM(c.aum_fen),0) AS aum_fen
           FROM staff s JOIN customers c ON c.manager_staff_id = s.id
           WHERE s.position = 'manager' AND ${scope.sql}
           GROUP BY s.id ORDER BY aum_fen DESC`,
        )
        .safeIntegers(true)
        .all(...scope.params) as { staff_id: bigint; name: string; customers: bigint; aum_fen: bigint }[];
      return rows.map((r) => ({ ...r, staff_id: Number(r.staff_id), customers: Number(r.customers) }));
    },
    branchName(branchId: number): string | null {
      const r = db.prepare('SELECT name FROM branches WHERE id = ?').get(branchId) as { name: string } | undefined;
      return r?.name ?? null;
    },
  };
}
export type OverviewRepo = ReturnType<typeof overviewRepo>;
