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
/**
 * Scoped totals for the home pages, read from the maintained summary_customers table (db/summaries.ts)
 * so a branch of a million customers costs a few thousand summary rows. A manager's granted customers
 * are not in their summary rows and are added directly (grants are few). Sums are read as BigInt.
 */
export function overviewRepo(db: Database) {
  function summaryWhere(scope: Scope): { sql: string; params: (string | number)[] } | null {
    if (scope.kind === 'branch' && scope.branchIds) {
      return { sql: `s.branch_id IN (${scope.branchIds.map(() => '?').join(',')})`, params: [...scope.branchIds] };
    }
    if (scope.kind === 'manager' && scope.staffId != null)
      return { sql: 's.manager_staff_id = ?', params: [scope.staffId] };
    return null;
  }
  /** Granted customers that are not already in the manager's own summary rows. */
  function grantedExtra(scope: Scope): { sql: string; params: (string | number)[] } | null {
    if (scope.kind !== 'manager' || scope.staffId == null) return null;
    return {
      sql: `FROM customers c JOIN customer_grants g ON g.customer_id = c.id
            WHERE g.staff_id = ? AND (g.expires_on IS NULL OR g.expires_on >= ?) AND c.manager_staff_id IS NOT ?`,
      params: [scope.staffId, scope.today ?? '9999-12-31', scope.staffId],
    };
  }
  const none = (w: { sql: string; params: (string | number)[] } | null) => w ?? { sql: '0', params: [] };

  return {
    totals(scope: Scope): Totals {
      const w = none(summaryWhere(scope));
      const row = db
        .prepare(
          `SELECT COALESCE(SUM(s.customers),0) AS customers, COALESCE(SUM(s.deposit_fen),0) AS deposit_fen,
                  COALESCE(SUM(s.loan_fen),0) AS loan_fen, COALESCE(SUM(s.aum_fen),0) AS aum_fen
           FROM summary_customers s WHERE ${w.sql}`,
        )
        .safeIntegers(true)
        .get(...w.params) as { customers: bigint; deposit_fen: bigint; loan_fen: bigint; aum_fen: bigint };
      const g = grantedExtra(scope);
      if (g) {
        const extra = db
          .prepare(`SELECT COUNT(*) AS customers, COALESCE(SUM(c.deposit_fen),0) AS deposit_fen, COALESCE(SUM(c.loan_fen),0) AS loan_fen,
                    COALESCE(SUM(c.aum_fen),0) AS aum_fen ${g.sql}`)
          .safeIntegers(true)
          .get(...g.params) as typeof row;
        row.customers += extra.customers;
        row.deposit_fen += extra.deposit_fen;
        row.loan_fen += extra.loan_fen;
        row.aum_fen += extra.aum_fen;
      }
      return { ...row, customers: Number(row.customers) };
    },
    byTier(scope: Scope): TierTotals[] {
      const w = none(summaryWhere(scope));
      const out = new Map<string | null, { customers: bigint; aum_fen: bigint }>();
      const add = (tier: string | null, customers: bigint, aum: bigint) => {
        const cur = out.get(tier) ?? { customers: 0n, aum_fen: 0n };
        out.set(tier, { customers: cur.customers + customers, aum_fen: cur.aum_fen + aum });
      };
      const rows = db
        .prepare(
          `SELECT NULLIF(s.tier, '') AS tier, SUM(s.customers) AS customers, SUM(s.aum_fen) AS aum_fen
           FROM summary_customers s WHERE ${w.sql} GROUP BY s.tier`,
        )
        .safeIntegers(true)
        .all(...w.params) as { tier: string | null; customers: bigint; aum_fen: bigint }[];
      for (const r of rows) add(r.tier, r.customers, r.aum_fen);
      const g = grantedExtra(scope);
      if (g) {
        const extra = db
          .prepare(
            `SELECT c.tier AS tier, COUNT(*) AS customers, COALESCE(SUM(c.aum_fen),0) AS aum_fen ${g.sql} GROUP BY c.tier`,
          )
          .safeIntegers(true)
          .all(...g.params) as { tier: string | null; customers: bigint; aum_fen: bigint }[];
        for (const r of extra) add(r.tier, r.customers, r.aum_fen);
      }
      return [...out].map(([tier, v]) => ({ tier, customers: Number(v.customers), aum_fen: v.aum_fen }));
    },
    byManager(scope: Scope): ManagerTotals[] {
      const w = none(summaryWhere(scope));
      const rows = db
        .prepare(
          `SELECT st.id AS staff_id, st.name AS name, SUM(s.customers) AS customers, SUM(s.aum_fen) AS aum_fen
           FROM summary_customers s JOIN staff st ON st.id = s.manager_staff_id
           WHERE ${w.sql} AND st.position = 'manager'
           GROUP BY st.id ORDER BY aum_fen DESC, st.id`,
        )
        .safeIntegers(true)
        .all(...w.params) as { staff_id: bigint; name: string; customers: bigint; aum_fen: bigint }[];
      return rows.map((r) => ({ ...r, staff_id: Number(r.staff_id), customers: Number(r.customers) }));
    },
    branchName(branchId: number): string | null {
      const r = db.prepare('SELECT name FROM branches WHERE id = ?').get(branchId) as { name: string } | undefined;
      return r?.name ?? null;
    },
  };
}
export type OverviewRepo = ReturnType<typeof overviewRepo>;
