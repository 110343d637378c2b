import type { Database } from 'better-sqlite3';
import { all, Clauses, first, placeholders, query } from '../sql';
import type { AuditRow } from './audit';

/**
 * Reading the audit trail for the audit page: a filtered page of entries, and the names its ids stand
 * for (staff, users, customers' 客户号, products and the other things an entry can point at), looked up
 * in one statement per kind for a whole page. Writing stays in db/repos/audit.ts.
 */

export interface AuditLogFilter {
  offset: number;
  limit: number;
  action?: string | undefined;
  outcome?: 'ok' | 'denied' | 'failed' | undefined;
  userId?: number | undefined;
  /** ISO instants: from inclusive, until exclusive (local day boundaries, converted by the caller). */
  fromAt?: string | undefined;
  untilAt?: string | undefined;
}

/** A page of the audit log, newest first, and how many entries match. */
export function auditLogPage(db: Database, f: AuditLogFilter): { rows: AuditRow[]; total: number } {
  const where = new Clauses();
  // audit_log_user (user_id, at) serves a user filter with or without dates; audit_log_at the dates alone.
  if (f.userId !== undefined) where.add('user_id = ?', f.userId);
  if (f.fromAt) where.add('at >= ?', f.fromAt);
  if (f.untilAt) where.add('at < ?', f.untilAt);
  if (f.action) where.add('action = ?', f.action);
  if (f.outcome) where.add('outcome = ?', f.outcome);
  const w = where.length ? `WHERE ${where.and()}` : '';
  const total = first<{ n: number }>(db, `SELECT COUNT(*) AS n FROM audit_log ${w}`, ...where.params)?.n ?? 0;
  const rows = all<AuditRow>(
    db,
    `SELECT * FROM audit_log ${w} ORDER BY id DESC LIMIT ? OFFSET ?`,
    ...where.params,
    f.limit,
    f.offset,
  );
  return { rows, total };
}

export interface AuditUserRow {
  id: number;
  username: string;
  displayName: string;
  role: string;
}
const USERS = query<[], AuditUserRow>(
  'SELECT id, username, display_name AS displayName, role FROM users ORDER BY role, username',
);
export const auditUsers = (db: Database): AuditUserRow[] => USERS.all(db);

/** What an id of each kind is shown as. */
export type RefKind =
  | 'staff'
  | 'user'
  | 'customer'
  | 'product'
  | 'referral'
  | 'opportunity'
  | 'campaign'
  | 'importJob'
  | 'importProfile';

const LOOKUP: Record<RefKind, (ids: string) => string> = {
  staff: (ids) => `SELECT id, name AS label FROM staff WHERE id IN (${ids})`,
  user: (ids) => `SELECT id, username AS label FROM users WHERE id IN (${ids})`,
  customer: (ids) => `SELECT id, customer_no AS label FROM customers WHERE id IN (${ids})`,
  product: (ids) => `SELECT id, name AS label FROM products WHERE id IN (${ids})`,
  // a referral or an opportunity is named by its customer's 客户号
  referral: (ids) =>
    `SELECT r.id, c.customer_no AS label FROM referrals r JOIN customers c ON c.id = r.customer_id WHERE r.id IN (${ids})`,
  opportunity: (ids) =>
    `SELECT o.id, c.customer_no AS label FROM opportunities o JOIN customers c ON c.id = o.customer_id WHERE o.id IN (${ids})`,
  campaign: (ids) => `SELECT id, name AS label FROM campaigns WHERE id IN (${ids})`,
  importJob: (ids) => `SELECT id, file_name AS label FROM import_jobs WHERE id IN (${ids})`,
  importProfile: (ids) => `SELECT id, name AS label FROM import_profiles WHERE id IN (${ids})`,
};

/** Labels for ids of one kind; ids that no longer exist are absent from the map. */
export function refLabels(db: Database, kind: RefKind, ids: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  const unique = [...new Set(ids)];
  // SQLite's default limit on bound parameters is far above a page's ids, but stay well under it.
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    for (const r of all<{ id: number; label: string }>(db, LOOKUP[kind](placeholders(chunk)), ...chunk))
      out.set(r.id, r.label);
  }
  return out;
}
