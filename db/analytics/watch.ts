import type { Database } from 'better-sqlite3';
import type { RiskLevel, RiskSignal, WatchStatus } from '../../shared/analytics';
import { AppError } from '../../shared/errors';
import type { Scope } from '../scope';
import { all, first, query } from '../sql';

/**
 * The watch-list (风险预警名单): customers in the caller's scope rated 关注 or worse, plus those whose
 * follow-up is still open after their rating went back to normal, each with its signals and follow-up.
 */

export interface WatchSignal {
  signal: RiskSignal;
  firstSeen: string;
  facts: Record<string, number | string | null>;
}

export interface WatchRow {
  customerId: number;
  customerNo: string;
  name: string;
  managerName: string | null;
  score: number;
  level: RiskLevel;
  ratedOn: string | null;
  signals: WatchSignal[];
  followUp: {
    status: WatchStatus;
    ownerStaffId: number | null;
    ownerName: string | null;
    note: string | null;
    dueOn: string | null;
    updatedAt: string;
  } | null;
}

export interface WatchFilter {
  level?: RiskLevel;
  status?: WatchStatus | 'none';
  signal?: RiskSignal;
  offset: number;
  limit: number;
}

const LEVEL_RANK = `CASE COALESCE(r.level, 'normal') WHEN 'high' THEN 0 WHEN 'warning' THEN 1 WHEN 'watch' THEN 2 ELSE 3 END`;

/** The customers on the list: rated at least 关注, or with a follow-up not yet resolved. */
function base(scope: Scope): { sql: string; params: (string | number)[] } {
  return {
    sql: `FROM customers c
          LEFT JOIN customer_risk r ON r.customer_id = c.id
          LEFT JOIN risk_watch w ON w.customer_id = c.id
          WHERE (c.id IN (SELECT customer_id FROM customer_risk WHERE level <> 'normal')
                 OR c.id IN (SELECT customer_id FROM risk_watch WHERE status <> 'resolved'))
            AND (${scope.sql})`,
    params: [...scope.params],
  };
}

export function listWatch(
  db: Database,
  scope: Scope,
  f: WatchFilter,
): { rows: WatchRow[]; total: number; byLevel: Record<RiskLevel, number> } {
  const b = base(scope);
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (f.level) {
    where.push(`COALESCE(r.level, 'normal') = ?`);
    params.push(f.level);
  }
  if (f.status === 'none') where.push('w.id IS NULL');
  else if (f.status) {
    where.push('w.status = ?');
    params.push(f.status);
  }
  if (f.signal) {
    // the signals' primary key (customer_id, signal): one seek per listed customer
    where.push('EXISTS (SELECT 1 FROM customer_risk_signals s WHERE s.customer_id = c.id AND s.signal = ?)');
    params.push(f.signal);
  }
  const extra = where.length ? ` AND ${where.join(' AND ')}` : '';
  const total = first<{ n: number }>(db, `SELECT COUNT(*) AS n ${b.sql}${extra}`, ...b.params, ...params)?.n ?? 0;
  const byLevel: Record<RiskLevel, number> = { normal: 0, watch: 0, warning: 0, high: 0 };
  for (const r of all<{ level: RiskLevel; n: number }>(
    db,
    `SELECT COALESCE(r.level, 'normal') AS level, COUNT(*) AS n ${b.sql} GROUP BY 1`,
    ...b.params,
  ))
    byLevel[r.level] = r.n;
  const rows = all<{
    customerId: number;
    customerNo: string;
    name: string;
    managerName: string | null;
    score: number | null;
    level: RiskLevel | null;
    ratedOn: string | null;
    watchId: number | null;
    status: WatchStatus | null;
    ownerStaffId: number | null;
    ownerName: string | null;
    note: string | null;
    dueOn: string | null;
    updatedAt: string | null;
  }>(
    db,
    `SELECT c.id AS customerId, c.customer_no AS customerNo, c.name, m.name AS managerName, r.score, r.level, r.rated_on AS ratedOn,
            w.id AS watchId, w.status, w.owner_staff_id AS ownerStaffId, o.name AS ownerName, w.note, w.due_on AS dueOn, w.updated_at AS updatedAt
     ${b.sql.replace('WHERE', 'LEFT JOIN staff m ON m.id = c.manager_staff_id LEFT JOIN staff o ON o.id = w.owner_staff_id WHERE')}${extra}
     ORDER BY ${LEVEL_RANK}, r.score DESC, c.id LIMIT ? OFFSET ?`,
    ...b.params,
    ...params,
    f.limit,
    f.offset,
  );
  const sig = query<[number], { signal: RiskSignal; firstSeen: string; facts: string }>(
    'SELECT signal, first_seen AS firstSeen, facts FROM customer_risk_signals WHERE customer_id = ? ORDER BY first_seen, signal',
  );
  return {
    total,
    byLevel,
    rows: rows.map((r) => ({
      customerId: r.customerId,
      customerNo: r.customerNo,
      name: r.name,
      managerName: r.managerName,
      score: r.score ?? 0,
      level: r.level ?? 'normal',
      ratedOn: r.ratedOn,
      signals: sig.all(db, r.customerId).map((s) => ({ ...s, facts: JSON.parse(s.facts) as WatchSignal['facts'] })),
      followUp:
        r.watchId != null
          ? {
              status: r.status ?? 'open',
              ownerStaffId: r.ownerStaffId,
              ownerName: r.ownerName,
              note: r.note,
              dueOn: r.dueOn,
              updatedAt: r.updatedAt ?? '',
            }
          : null,
    })),
  };
}

/** One customer's rating and signals (the 360), within scope; null when the customer has no signal. */
export function riskOf(
  db: Database,
  scope: Scope,
  customerId: number,
): Pick<WatchRow, 'score' | 'level' | 'ratedOn' | 'signals' | 'followUp'> {
  const r = first<{ score: number | null; level: RiskLevel | null; ratedOn: string | null }>(
    db,
    `SELECT r.score, r.level, r.rated_on AS ratedOn FROM customers c LEFT JOIN customer_risk r ON r.customer_id = c.id
     WHERE c.id = ? AND (${scope.sql})`,
    customerId,
    ...scope.params,
  );
  if (!r) throw new AppError('NOT_FOUND', { entity: 'customer', id: customerId });
  const signals = all<{ signal: RiskSignal; firstSeen: string; facts: string }>(
    db,
    'SELECT signal, first_seen AS firstSeen, facts FROM customer_risk_signals WHERE customer_id = ? ORDER BY first_seen, signal',
    customerId,
  ).map((s) => ({ ...s, facts: JSON.parse(s.facts) as WatchSignal['facts'] }));
  const w = first<{
    status: WatchStatus;
    ownerStaffId: number | null;
    ownerName: string | null;
    note: string | null;
    dueOn: string | null;
    updatedAt: string;
  }>(
    db,
    `SELECT w.status, w.owner_staff_id AS ownerStaffId, s.name AS ownerName, w.note, w.due_on AS dueOn, w.updated_at AS updatedAt
     FROM risk_watch w LEFT JOIN staff s ON s.id = w.owner_staff_id WHERE w.customer_id = ?`,
    customerId,
  );
  return { score: r.score ?? 0, level: r.level ?? 'normal', ratedOn: r.ratedOn, signals, followUp: w ?? null };
}

export interface FollowUpInput {
  customerId: number;
  status: WatchStatus;
  ownerStaffId: number | null;
  note: string | null;
  dueOn: string | null;
}

/**
 * Records a follow-up (one per customer) for a customer in scope; returns the row before and after for
 * the audit. The owner must be a manager of the caller's branches (a manager may name only themselves).
 */
export function saveFollowUp(
  db: Database,
  scope: Scope,
  who: { userId: number; role: string; staffId: number | null },
  input: FollowUpInput,
): { before: Record<string, unknown> | null; after: Record<string, unknown> } {
  const c = first<{ id: number; branchId: number }>(
    db,
    `SELECT c.id, c.branch_id AS branchId FROM customers c WHERE c.id = ? AND (${scope.sql})`,
    input.customerId,
    ...scope.params,
  );
  if (!c) throw new AppError('NOT_FOUND', { entity: 'customer', id: input.customerId });
  if (input.ownerStaffId != null) {
    if (who.role === 'manager' && input.ownerStaffId !== who.staffId)
      throw new AppError('FORBIDDEN', { reason: 'owner_not_self' });
    const branches = scope.branchIds ?? [];
    const ok = first<{ id: number }>(
      db,
      `SELECT s.id FROM staff s WHERE s.id = ? AND (? = 1 OR s.branch_id IN (SELECT value FROM json_each(?)))`,
      input.ownerStaffId,
      who.role === 'manager' ? 1 : 0,
      JSON.stringify(branches),
    );
    if (!ok) throw new AppError('VALIDATION', { issues: [{ path: ['ownerStaffId'], code: 'custom' }] });
  }
  const cols = 'status, owner_staff_id AS ownerStaffId, note, due_on AS dueOn';
  const before =
    first<Record<string, unknown>>(db, `SELECT ${cols} FROM risk_watch WHERE customer_id = ?`, c.id) ?? null;
  db.prepare(
    `INSERT INTO risk_watch (customer_id, owner_staff_id, status, note, due_on, updated_by, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
     ON CONFLICT(customer_id) DO UPDATE SET owner_staff_id = excluded.owner_staff_id, status = excluded.status,
       note = excluded.note, due_on = excluded.due_on, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  ).run(c.id, input.ownerStaffId, input.status, input.note, input.dueOn, who.userId);
  const after = first<Record<string, unknown>>(db, `SELECT ${cols} FROM risk_watch WHERE customer_id = ?`, c.id)!;
  return { before, after };
}

/** Managers the caller may name as owner: the branch's (president), themselves (manager). */
export function ownerChoices(
  db: Database,
  scope: Scope,
  who: { role: string; staffId: number | null },
): { id: number; name: string }[] {
  if (who.role === 'manager')
    return who.staffId == null ? [] : all(db, 'SELECT id, name FROM staff WHERE id = ?', who.staffId);
  return all(
    db,
    `SELECT s.id, s.name FROM staff s JOIN users u ON u.staff_id = s.id AND u.role = 'manager'
     WHERE s.branch_id IN (SELECT value FROM json_each(?)) ORDER BY s.name`,
    JSON.stringify(scope.branchIds ?? []),
  );
}
