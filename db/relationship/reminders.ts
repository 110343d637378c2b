import type { Database } from 'better-sqlite3';
import { addDays } from '../../shared/dates';
import {
  DEFAULT_PREFS,
  REMINDER_KINDS,
  type ReminderAudience,
  type ReminderKind,
  type ReminderPref,
} from '../../shared/api/reminders';
import type { Role } from '../../shared/permissions';
import { scopeFor, type Scope } from '../scope';
import { subtractWorkdays, workdayOnOrBefore } from './holidays';
import { isWorkday } from './workdays';

/**
 * Reminders (消息提醒): the one way features create a reminder (addReminder) and the store side of the
 * inbox. Every reminder has a recipient user and a dedupe key unique per user, so creating the same
 * event twice does nothing (INSERT OR IGNORE), and a reminder that was done or dismissed never comes back.
 * A reminder about a customer is only created when that customer is within the recipient's data scope
 * (db/scope.ts), checked in SQL.
 */

export interface Recipient {
  id: number;
  role: Role;
  staffId: number | null;
  branchId: number | null;
}

export function recipientById(db: Database, userId: number): Recipient | null {
  const r = db
    .prepare(`SELECT id, role, staff_id AS staffId, branch_id AS branchId FROM users WHERE id = ? AND disabled = 0`)
    .get(userId) as Recipient | undefined;
  return r ?? null;
}

export function recipientByStaff(db: Database, staffId: number): Recipient | null {
  const r = db
    .prepare(`SELECT id, role, staff_id AS staffId, branch_id AS branchId FROM users WHERE staff_id = ? AND disabled = 0`)
    .get(staffId) as Recipient | undefined;
  return r ?? null;
}

/** Every user who can receive reminders (not disabled). */
export function allRecipients(db: Database): Recipient[] {
  return db.prepare(`SELECT id, role, staff_id AS staffId, branch_id AS branchId FROM users WHERE disabled = 0 ORDER BY id`).all() as Recipient[];
}

export function recipientScope(db: Database, r: Recipient, today: string): Scope {
  return scopeFor(db, { role: r.role, staffId: r.staffId, branchId: r.branchId }, today);
}

// ---------------------------------------------------------------------------------------------
// Preferences

export function getPrefs(db: Database, userId: number): ReminderPref[] {
  const rows = db
    .prepare(`SELECT kind, enabled, lead_days AS leadDays, working_days AS workingDays, threshold_fen AS thresholdFen FROM reminder_prefs WHERE user_id = ?`)
    .all(userId) as { kind: string; enabled: number; leadDays: number; workingDays: number; thresholdFen: number | null }[];
  const byKind = new Map(rows.map((r) => [r.kind, r]));
  return REMINDER_KINDS.map((kind) => {
    const r = byKind.get(kind);
    if (!r) return { kind, ...DEFAULT_PREFS[kind] };
    return {
      kind,
      enabled: r.enabled === 1,
      leadDays: r.leadDays,
      workingDays: r.workingDays === 1,
      thresholdFen: r.thresholdFen ?? DEFAULT_PREFS[kind].thresholdFen,
    };
  });
}

export function getPref(db: Database, userId: number, kind: ReminderKind): ReminderPref {
  return getPrefs(db, userId).find((p) => p.kind === kind)!;
}

export function savePrefs(db: Database, userId: number, prefs: readonly ReminderPref[]): void {
  const up = db.prepare(
    `INSERT INTO reminder_prefs (user_id, kind, enabled, lead_days, working_days, threshold_fen) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id, kind) DO UPDATE SET enabled = excluded.enabled, lead_days = excluded.lead_days,
       working_days = excluded.working_days, threshold_fen = excluded.threshold_fen`,
  );
  for (const p of prefs) up.run(userId, p.kind, p.enabled ? 1 : 0, p.leadDays, p.workingDays ? 1 : 0, p.thresholdFen);
}

/** Default audience: a manager their own book; a president their own book too until they choose the branch. */
export function getAudience(db: Database, userId: number): ReminderAudience {
  const r = db.prepare(`SELECT mine, lists, branch FROM reminder_audience WHERE user_id = ?`).get(userId) as
    | { mine: number; lists: number; branch: number }
    | undefined;
  if (!r) return { mine: true, lists: false, branch: false };
  return { mine: r.mine === 1, lists: r.lists === 1, branch: r.branch === 1 };
}

export function saveAudience(db: Database, userId: number, a: ReminderAudience): void {
  db.prepare(
    `INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET mine = excluded.mine, lists = excluded.lists, branch = excluded.branch`,
  ).run(userId, a.mine ? 1 : 0, a.lists ? 1 : 0, a.branch ? 1 : 0);
}

/** The last day of a lead window starting today (calendar or working days). */
export function windowEnd(today: string, pref: Pick<ReminderPref, 'leadDays' | 'workingDays'>): string {
  if (!pref.workingDays) return addDays(today, pref.leadDays);
  // n working days ahead; with 0, today only
  let d = today;
  let left = pref.leadDays;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkday(d)) left--;
  }
  return d;
}

/** The first day a reminder for an event due on `dueOn` is shown, given the lead. */
export function notifyDate(dueOn: string, pref: Pick<ReminderPref, 'leadDays' | 'workingDays'>): string {
  return pref.workingDays ? subtractWorkdays(dueOn, pref.leadDays) : addDays(dueOn, -pref.leadDays);
}

// ---------------------------------------------------------------------------------------------
// Creating reminders

export interface NewReminder {
  kind: ReminderKind;
  /** The recipient: a user id, or the staff member (their user account receives it). */
  userId?: number;
  staffId?: number;
  customerId?: number | null;
  /** The event's date: the next step's date, the SLA deadline. */
  dueOn: string;
  /** First business date to show it; default: dueOn less the user's lead for the kind. */
  notifyOn?: string | null;
  /** What the title shows (e.g. { text: '回访理财需求' }, { interest: 'wealth' }). */
  params?: Record<string, string | number | null>;
  sourceType: string;
  sourceId: string | number;
  /** Unique per recipient: the same key never creates a second reminder. */
  dedupeKey: string;
}

export interface AddedReminder {
  id: number;
  created: boolean;
}

/**
 * Create a reminder unless the same recipient already has one with this dedupe key (then its id is
 * returned with created=false). Returns null when nobody receives it: no such (enabled) user or staff
 * account, the recipient switched the kind off, or the customer is outside the recipient's data scope.
 * Runs inside the caller's transaction when there is one.
 */
export function addReminder(db: Database, r: NewReminder, today?: string): AddedReminder | null {
  const who = r.userId != null ? recipientById(db, r.userId) : r.staffId != null ? recipientByStaff(db, r.staffId) : null;
  if (!who) return null;
  const pref = getPref(db, who.id, r.kind);
  if (!pref.enabled) return null;
  if (r.customerId != null) {
    const scope = recipientScope(db, who, today ?? r.dueOn);
    const ok = db.prepare(`SELECT 1 FROM customers c WHERE c.id = ? AND ${scope.sql}`).get(r.customerId, ...scope.params);
    if (!ok) return null;
  }
  const notifyOn = r.notifyOn === undefined ? notifyDate(r.dueOn, pref) : r.notifyOn;
  const actBy = workdayOnOrBefore(r.dueOn);
  const res = db
    .prepare(
      `INSERT OR IGNORE INTO reminders (user_id, kind, customer_id, due_on, act_by, notify_on, params, source_type, source_id, dedupe_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(who.id, r.kind, r.customerId ?? null, r.dueOn, actBy === r.dueOn ? null : actBy, notifyOn, JSON.stringify(r.params ?? {}), r.sourceType, String(r.sourceId), r.dedupeKey);
  if (res.changes > 0) return { id: Number(res.lastInsertRowid), created: true };
  const row = db.prepare(`SELECT id FROM reminders WHERE user_id = ? AND dedupe_key = ?`).get(who.id, r.dedupeKey) as { id: number };
  return { id: row.id, created: false };
}

/**
 * Close the open reminders raised by one source (a referral contacted, a next step recorded as done):
 * they leave every recipient's inbox as done. Returns how many were closed.
 */
export function resolveReminders(db: Database, sourceType: string, sourceId: string | number, kind?: ReminderKind): number {
  return db
    .prepare(
      `UPDATE reminders SET status = 'done', closed_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
       WHERE source_type = ? AND source_id = ? AND status = 'open' AND (? IS NULL OR kind = ?)`,
    )
    .run(sourceType, String(sourceId), kind ?? null, kind ?? null).changes;
}
