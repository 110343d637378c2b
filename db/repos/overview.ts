import type { Database } from 'better-sqlite3';
import type { Scope } from '../scope';
import { placeholders, query, type SqlParam } from '../sql';

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
 * Scoped totals for the home pages, read from the maintained summary_customers table (db/summaries.ts)
 * so a branch of a million customers costs a few thousand summary rows. A manager's granted customers
 * are not in their summary rows and are added directly (grants are few). Sums are read as BigInt
 * (safeIntegers) so a branch total can never lose a fen.
 */

interface Where {
  sql: string;
  params: SqlParam[];
}

const NOTHING: Where = { sql: '0', params: [] };

function summaryWhere(scope: Scope): Where {
  if (scope.kind === 'branch' && scope.branchIds)
    return { sql: `s.branch_id IN (${placeholders(scope.branchIds)})`, params: [...scope.branchIds] };
  if (scope.kind === 'manager' && scope.staffId != null)
    return { sql: 's.manager_staff_id = ?', params: [scope.staffId] };
  return NOTHING;
}

/** Granted customers that are not already in the manager's own summary rows. */
function grantedExtra(scope: Scope): Where | null {
  if (scope.kind !== 'manager' || scope.staffId == null) return null;
  return {
    sql: `FROM customers c JOIN customer_grants g ON g.customer_id = c.id
          WHERE g.staff_id = ? AND (g.expires_on IS NULL OR g.expires_on >= ?) AND c.manager_staff_id IS NOT ?`,
    params: [scope.staffId, scope.today ?? '9999-12-31', scope.staffId],
  };
}

/** Rows with every integer as BigInt: sums of a whole branch. */
function bigRows<R>(db: Database, sql: string, params: readonly SqlParam[]): R[] {
  return db
    .prepare<SqlParam[], R>(sql)
    .safeIntegers(true)
    .all(...params);
}

type BigTotals = { customers: bigint; deposit_fen: bigint; loan_fen: bigint; aum_fen: bigint };
type BigTier = { tier: string | null; customers: bigint; aum_fen: bigint };

const BRANCH_NAME = query<[id: number], { name: string }>('SELECT name FROM branches WHERE id = ?');

export function overviewTotals(db: Database, scope: Scope): Totals {
  const w = summaryWhere(scope);
  const row = bigRows<BigTotals>(
    db,
    `SELECT COALESCE(SUM(s.customers),0) AS customers, COALESCE(SUM(s.deposit_fen),0) AS deposit_fen,
            COALESCE(SUM(s.loan_fen),0) AS loan_fen, COALESCE(SUM(s.aum_fen),0) AS aum_fen
     FROM summary_customers s WHERE ${w.sql}`,
    w.params,
  )[0] ?? { customers: 0n, deposit_fen: 0n, loan_fen: 0n, aum_fen: 0n };
  const g = grantedExtra(scope);
  if (g) {
    const extra = bigRows<BigTotals>(
      db,
      `SELECT COUNT(*) AS customers, COALESCE(SUM(c.deposit_fen),0) AS deposit_fen, COALESCE(SUM(c.loan_fen),0) AS loan_fen,
              COALESCE(SUM(c.aum_fen),0) AS aum_fen ${g.sql}`,
      g.params,
    )[0];
    if (extra) {
      row.customers += extra.customers;
      row.deposit_fen += extra.deposit_fen;
      row.loan_fen += extra.loan_fen;
      row.aum_fen += extra.aum_fen;
    }
  }
  return { ...row, customers: Number(row.customers) };
}

export function overviewByTier(db: Database, scope: Scope): TierTotals[] {
  const w = summaryWhere(scope);
  const out = new Map<string | null, { customers: bigint; aum_fen: bigint }>();
  const add = (r: BigTier) => {
    const cur = out.get(r.tier) ?? { customers: 0n, aum_fen: 0n };
    out.set(r.tier, { customers: cur.customers + r.customers, aum_fen: cur.aum_fen + r.aum_fen });
  };
  const rows = bigRows<BigTier>(
    db,
    `SELECT NULLIF(s.tier, '') AS tier, SUM(s.customers) AS customers, SUM(s.aum_fen) AS aum_fen
     FROM summary_customers s WHERE ${w.sql} GROUP BY s.tier`,
    w.params,
  );
  for (const r of rows) add(r);
  const g = grantedExtra(scope);
  if (g) {
    const extra = bigRows<BigTier>(
      db,
      `SELECT c.tier AS tier, COUNT(*) AS customers, COALESCE(SUM(c.aum_fen),0) AS aum_fen ${g.sql} GROUP BY c.tier`,
      g.params,
    );
    for (const r of extra) add(r);
  }
  return [...out].map(([tier, v]) => ({ tier, customers: Number(v.customers), aum_fen: v.aum_fen }));
}

export function overviewByManager(db: Database, scope: Scope): ManagerTotals[] {
  const w = summaryWhere(scope);
  const rows = bigRows<{ staff_id: bigint; name: string; customers: bigint; aum_fen: bigint }>(
    db,
    `SELECT st.id AS staff_id, st.name AS name, SUM(s.customers) AS customers, SUM(s.aum_fen) AS aum_fen
     FROM summary_customers s JOIN staff st ON st.id = s.manager_staff_id
     WHERE ${w.sql} AND st.position = 'manager'
     GROUP BY st.id ORDER BY aum_fen DESC, st.id`,
    w.params,
  );
  return rows.map((r) => ({ ...r, staff_id: Number(r.staff_id), customers: Number(r.customers) }));
}

export const branchName = (db: Database, branchId: number): string | null =>
  BRANCH_NAME.get(db, branchId)?.name ?? null;
