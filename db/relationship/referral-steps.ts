import type { Database } from 'better-sqlite3';
import {
  type ReferralAction,
  type ReferralEvent,
  REFERRAL_TRANSITIONS,
  type ReferralStatus,
} from '../../shared/api/referrals';
import { addDays } from '../../shared/dates';
import { AppError } from '../../shared/errors';
import { first, query } from '../sql';
import { referralVisibility, type Viewer } from './referrals';

/**
 * The writes of a referral's life (转介): raise it into the right queue, then each step of the state
 * machine with its event row. The handler (main/handlers/referrals.ts) runs a step in one transaction:
 * lockReferral (visibility), its own ownership check, mustAllow, the write here, addEvent, audit.
 */

export type { ReferralAction } from '../../shared/api/referrals';

/** From which states each step may be taken (shared with the hub's write rules). Anything else is REFERRAL_BAD_STATE. */
export const TRANSITIONS = REFERRAL_TRANSITIONS;

export function mustAllow(action: ReferralAction, status: ReferralStatus): void {
  if (!TRANSITIONS[action].includes(status)) throw new AppError('REFERRAL_BAD_STATE', { action, status });
}

interface Core {
  id: number;
  status: ReferralStatus;
  owner_staff_id: number | null;
  customer_id: number;
  branch_id: number;
  first_contact_at: string | null;
}

export interface NewReferral {
  customerId: number;
  branchId: number;
  referrerUserId: number;
  referrerStaffId: number;
  interest: string;
  urgency: string;
  note: string | null;
  ownerStaffId: number | null;
  at: string;
  today: string;
  slaDays: number;
  dueOn: string;
}

interface EventInput {
  referralId: number;
  at: string;
  userId: number;
  action: ReferralEvent['action'];
  from: ReferralStatus | null;
  to: ReferralStatus;
  fromOwner?: number | null;
  toOwner?: number | null;
  note?: string | null;
}

const INSERT_EVENT = query<
  [
    referralId: number,
    at: string,
    userId: number,
    action: string,
    from: string | null,
    to: string,
    fromOwner: number | null,
    toOwner: number | null,
    note: string | null,
  ]
>(
  `INSERT INTO referral_events (referral_id, at, user_id, action, from_status, to_status, from_owner, to_owner, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const QUEUE_FOR = query<[customerId: number], { branchId: number; owner: number | null }>(
  `SELECT c.branch_id AS branchId,
          (SELECT s.id FROM staff s JOIN users u ON u.staff_id = s.id AND u.role = 'manager' AND u.disabled = 0
           WHERE s.id = c.manager_staff_id AND s.active = 1 AND s.position = 'manager') AS owner
   FROM customers c WHERE c.id = ?`,
);
const INSERT_REFERRAL = query<
  [
    customerId: number,
    branchId: number,
    referrerUserId: number,
    referrerStaffId: number,
    interest: string,
    urgency: string,
    note: string | null,
    ownerStaffId: number | null,
    createdAt: string,
    createdOn: string,
    slaDays: number,
    dueOn: string,
    updatedAt: string,
  ]
>(
  `INSERT INTO referrals (customer_id, branch_id, referrer_user_id, referrer_staff_id, interest, urgency, note, owner_staff_id, status,
     created_at, created_on, sla_days, due_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?)`,
);
const ACCEPT = query<[at: string, updatedAt: string, id: number]>(
  `UPDATE referrals SET status = 'accepted', accepted_at = ?, updated_at = ? WHERE id = ?`,
);
const REASSIGN = query<[toStaffId: number, to: string, to: string, at: string, id: number]>(
  `UPDATE referrals SET owner_staff_id = ?, status = ?, accepted_at = CASE WHEN ? = 'new' THEN NULL ELSE accepted_at END, updated_at = ? WHERE id = ?`,
);
const IN_BOOK = query<[customerId: number, staffId: number], unknown>(
  'SELECT 1 FROM customers WHERE id = ? AND manager_staff_id = ?',
);
const GRANT = query<[staffId: number, customerId: number, grantedBy: number, expiresOn: string]>(
  `INSERT INTO customer_grants (staff_id, customer_id, granted_by, expires_on) VALUES (?, ?, ?, ?)
   ON CONFLICT (staff_id, customer_id) DO UPDATE SET expires_on = CASE WHEN customer_grants.expires_on IS NULL THEN NULL ELSE MAX(customer_grants.expires_on, excluded.expires_on) END`,
);
const REMINDER_FACTS = query<[id: number], { dueOn: string; interest: string; name: string }>(
  `SELECT r.due_on AS dueOn, r.interest, c.name FROM referrals r JOIN customers c ON c.id = r.customer_id WHERE r.id = ?`,
);
const CONTACTED = query<[at: string, today: string, updatedAt: string, id: number]>(
  `UPDATE referrals SET status = 'contacted', first_contact_at = COALESCE(first_contact_at, ?), first_contact_on = COALESCE(first_contact_on, ?), updated_at = ? WHERE id = ?`,
);
const PRODUCT_EXISTS = query<[id: number], unknown>('SELECT 1 FROM products WHERE id = ?');
const WON = query<
  [productId: number, fen: number, note: string | null, at: string, today: string, updatedAt: string, id: number]
>(
  `UPDATE referrals SET status = 'won', won_product_id = ?, won_amount_fen = ?, close_note = ?, closed_at = ?, closed_on = ?, updated_at = ? WHERE id = ?`,
);
const LOST = query<[reason: string, note: string | null, at: string, today: string, updatedAt: string, id: number]>(
  `UPDATE referrals SET status = 'lost', lost_reason = ?, close_note = ?, closed_at = ?, closed_on = ?, updated_at = ? WHERE id = ?`,
);
const ACTIVE_PRESIDENTS = query<[], { id: number }>(`SELECT id FROM users WHERE role = 'president' AND disabled = 0`);

/** The referral's state for a change, read inside the change's transaction, if the viewer may see it. */
export function lockReferral(db: Database, v: Viewer, id: number): Core {
  const vis = referralVisibility(db, v);
  const row = first<Core>(
    db,
    `SELECT r.id, r.status, r.owner_staff_id, r.customer_id, r.branch_id, r.first_contact_at FROM referrals r WHERE r.id = ? AND ${vis.sql}`,
    id,
    ...vis.params,
  );
  if (!row) throw new AppError('NOT_FOUND', { entity: 'referral', id });
  return row;
}

export function addEvent(db: Database, e: EventInput): void {
  INSERT_EVENT.run(
    db,
    e.referralId,
    e.at,
    e.userId,
    e.action,
    e.from,
    e.to,
    e.fromOwner ?? null,
    e.toOwner ?? null,
    e.note ?? null,
  );
}

/**
 * The queue a new referral lands in: the customer's manager of record when they are an active manager
 * with an enabled account (someone who can open the queue), else the branch queue the president dispatches.
 */
export function queueFor(db: Database, customerId: number): { ownerStaffId: number | null; branchId: number } {
  const row = QUEUE_FOR.get(db, customerId);
  if (!row) throw new AppError('NOT_FOUND', { entity: 'customer', id: customerId });
  return { ownerStaffId: row.owner, branchId: row.branchId };
}

/** Writes a new referral (status new); returns its id. */
export function insertReferral(db: Database, r: NewReferral): number {
  const res = INSERT_REFERRAL.run(
    db,
    r.customerId,
    r.branchId,
    r.referrerUserId,
    r.referrerStaffId,
    r.interest,
    r.urgency,
    r.note,
    r.ownerStaffId,
    r.at,
    r.today,
    r.slaDays,
    r.dueOn,
    r.at,
  );
  return Number(res.lastInsertRowid);
}

export function markAccepted(db: Database, id: number, at: string): void {
  ACCEPT.run(db, at, at, id);
}

/** Hands the referral to another manager; back to `new` (acceptance cleared) unless already contacted. */
export function reassignReferral(db: Database, id: number, toStaffId: number, to: ReferralStatus, at: string): void {
  REASSIGN.run(db, toStaffId, to, to, at, id);
}

/**
 * Lets a manager open a customer outside their book for 90 days from `today` (renewable like any grant;
 * an open-ended grant stays open-ended). Returns whether a grant was written, or null when the customer
 * is in their book and needs none.
 */
export function grantOutsideBook(
  db: Database,
  staffId: number,
  customerId: number,
  grantedBy: number,
  today: string,
): boolean | null {
  if (IN_BOOK.get(db, customerId, staffId) !== undefined) return null;
  return GRANT.run(db, staffId, customerId, grantedBy, addDays(today, 90)).changes > 0;
}

/** What the SLA reminder says about a referral. */
export function reminderFacts(db: Database, id: number): { dueOn: string; interest: string; name: string } {
  const r = REMINDER_FACTS.get(db, id);
  if (!r) throw new AppError('NOT_FOUND', { entity: 'referral', id });
  return r;
}

/** Contacted: the first contact's time and day are kept, later contacts only touch updated_at. */
export function markContacted(db: Database, id: number, at: string, today: string): void {
  CONTACTED.run(db, at, today, at, id);
}

export function markWon(
  db: Database,
  id: number,
  won: { productId: number; fen: number; note: string | null },
  at: string,
  today: string,
): void {
  if (PRODUCT_EXISTS.get(db, won.productId) === undefined)
    throw new AppError('NOT_FOUND', { entity: 'product', id: won.productId });
  WON.run(db, won.productId, won.fen, won.note, at, today, at, id);
}

export function markLost(
  db: Database,
  id: number,
  reason: string,
  note: string | null,
  at: string,
  today: string,
): void {
  LOST.run(db, reason, note, at, today, at, id);
}

/** Presidents with an enabled account: who is reminded of a referral waiting in the branch queue. */
export const activePresidents = (db: Database): number[] => ACTIVE_PRESIDENTS.all(db).map((r) => r.id);
