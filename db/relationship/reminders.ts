import type { Database } from 'better-sqlite3';
import { addDays } from '../../shared/dates';
import {
  DEFAULT_PREFS,
  REMINDER_KINDS,
  type ReminderAudience,
  type ReminderKind,
  type Reminder,
  type ReminderPref,
  type ReminderSort,
  type ReminderView,
} from '../../shared/api/reminders';
import type { Role } from '../../shared/permissions';
import { TIER_ORDER } from '../../shared/tiers';
import { scopeFor, type Scope } from '../scope';
import { all, Clauses, exists, first, placeholders, query, run, type SqlParam } from '../sql';
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

const RECIPIENT = 'SELECT id, role, staff_id AS staffId, branch_id AS branchId FROM users';
const RECIPIENT_BY_ID = query<[userId: number], Recipient>(`${RECIPIENT} WHERE id = ? AND disabled = 0`);
const RECIPIENT_BY_STAFF = query<[staffId: number], Recipient>(`${RECIPIENT} WHERE staff_id = ? AND disabled = 0`);
const ALL_RECIPIENTS = query<[], Recipient>(`${RECIPIENT} WHERE disabled = 0 ORDER BY id`);
const PREFS = query<
  [userId: number],
  { kind: string; enabled: number; leadDays: number; workingDays: number; thresholdFen: number | null }
>(
  `SELECT kind, enabled, lead_days AS leadDays, working_days AS workingDays, threshold_fen AS thresholdFen FROM reminder_prefs WHERE user_id = ?`,
);
const SAVE_PREF = query<
  [userId: number, kind: string, enabled: number, leadDays: number, workingDays: number, thresholdFen: number | null]
>(
  `INSERT INTO reminder_prefs (user_id, kind, enabled, lead_days, working_days, threshold_fen) VALUES (?, ?, ?, ?, ?, ?)
   ON CONFLICT (user_id, kind) DO UPDATE SET enabled = excluded.enabled, lead_days = excluded.lead_days,
     working_days = excluded.working_days, threshold_fen = excluded.threshold_fen`,
);
const AUDIENCE = query<[userId: number], { mine: number; lists: number; branch: number }>(
  'SELECT mine, lists, branch FROM reminder_audience WHERE user_id = ?',
);
const SAVE_AUDIENCE = query<[userId: number, mine: number, lists: number, branch: number]>(
  `INSERT INTO reminder_audience (user_id, mine, lists, branch) VALUES (?, ?, ?, ?)
   ON CONFLICT (user_id) DO UPDATE SET mine = excluded.mine, lists = excluded.lists, branch = excluded.branch`,
);
const INSERT_REMINDER = query<
  [
    userId: number,
    kind: string,
    customerId: number | null,
    dueOn: string,
    actBy: string | null,
    notifyOn: string | null,
    params: string,
    sourceType: string,
    sourceId: string,
    dedupeKey: string,
  ]
>(
  `INSERT OR IGNORE INTO reminders (user_id, kind, customer_id, due_on, act_by, notify_on, params, source_type, source_id, dedupe_key)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const BY_DEDUPE_KEY = query<[userId: number, dedupeKey: string], { id: number }>(
  'SELECT id FROM reminders WHERE user_id = ? AND dedupe_key = ?',
);
const RESOLVE = query<[sourceType: string, sourceId: string, kind: string | null, kind: string | null]>(
  `UPDATE reminders SET status = 'done', closed_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
   WHERE source_type = ? AND source_id = ? AND status = 'open' AND (? IS NULL OR kind = ?)`,
);

export const recipientById = (db: Database, userId: number): Recipient | null =>
  RECIPIENT_BY_ID.get(db, userId) ?? null;

export const recipientByStaff = (db: Database, staffId: number): Recipient | null =>
  RECIPIENT_BY_STAFF.get(db, staffId) ?? null;

/** Every user who can receive reminders (not disabled). */
export const allRecipients = (db: Database): Recipient[] => ALL_RECIPIENTS.all(db);

export function recipientScope(db: Database, r: Recipient, today: string): Scope {
  return scopeFor(db, { role: r.role, staffId: r.staffId, branchId: r.branchId }, today);
}

// ---------------------------------------------------------------------------------------------
// Preferences

export function getPrefs(db: Database, userId: number): ReminderPref[] {
  const rows = PREFS.all(db, userId);
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
  for (const p of prefs)
    SAVE_PREF.run(db, userId, p.kind, p.enabled ? 1 : 0, p.leadDays, p.workingDays ? 1 : 0, p.thresholdFen);
}

/** Default audience: a manager their own book; a president their own book too until they choose the branch. */
export function getAudience(db: Database, userId: number): ReminderAudience {
  const r = AUDIENCE.get(db, userId);
  if (!r) return { mine: true, lists: false, branch: false };
  return { mine: r.mine === 1, lists: r.lists === 1, branch: r.branch === 1 };
}

export function saveAudience(db: Database, userId: number, a: ReminderAudience): void {
  SAVE_AUDIENCE.run(db, userId, a.mine ? 1 : 0, a.lists ? 1 : 0, a.branch ? 1 : 0);
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
  const who =
    r.userId != null ? recipientById(db, r.userId) : r.staffId != null ? recipientByStaff(db, r.staffId) : null;
  if (!who) return null;
  const pref = getPref(db, who.id, r.kind);
  if (!pref.enabled) return null;
  if (r.customerId != null) {
    const scope = recipientScope(db, who, today ?? r.dueOn);
    if (!exists(db, `SELECT 1 FROM customers c WHERE c.id = ? AND ${scope.sql}`, r.customerId, ...scope.params))
      return null;
  }
  const notifyOn = r.notifyOn === undefined ? notifyDate(r.dueOn, pref) : r.notifyOn;
  const actBy = workdayOnOrBefore(r.dueOn);
  const res = INSERT_REMINDER.run(
    db,
    who.id,
    r.kind,
    r.customerId ?? null,
    r.dueOn,
    actBy === r.dueOn ? null : actBy,
    notifyOn,
    JSON.stringify(r.params ?? {}),
    r.sourceType,
    String(r.sourceId),
    r.dedupeKey,
  );
  if (res.changes > 0) return { id: Number(res.lastInsertRowid), created: true };
  const row = BY_DEDUPE_KEY.get(db, who.id, r.dedupeKey);
  if (!row) throw new Error(`reminders: INSERT OR IGNORE ignored ${r.dedupeKey} but no row has that key`);
  return { id: row.id, created: false };
}

/**
 * Close the open reminders raised by one source (a referral contacted, a next step recorded as done):
 * they leave every recipient's inbox as done. Returns how many were closed.
 */
export function resolveReminders(
  db: Database,
  sourceType: string,
  sourceId: string | number,
  kind?: ReminderKind,
): number {
  return RESOLVE.run(db, sourceType, String(sourceId), kind ?? null, kind ?? null).changes;
}

// ---------------------------------------------------------------------------------------------
// The inbox

export interface InboxQuery {
  view: ReminderView;
  kinds?: readonly ReminderKind[];
  customerId?: number;
  dueFrom?: string;
  dueTo?: string;
  sort?: ReminderSort;
  limit: number;
  offset: number;
}

export interface InboxClock {
  /** Business date, YYYY-MM-DD. */
  today: string;
  /** ISO UTC timestamp. */
  now: string;
}

/**
 * The condition every inbox read shares: the recipient's own rows, and a reminder about a customer only
 * while that customer is still in the recipient's scope (a book handed to another manager takes its
 * reminders with it).
 */
function inboxWhere(scope: Scope, userId: number): { sql: string; params: SqlParam[] } {
  return {
    sql: `r.user_id = ? AND (r.customer_id IS NULL OR EXISTS (SELECT 1 FROM customers c WHERE c.id = r.customer_id AND ${scope.sql}))`,
    params: [userId, ...scope.params],
  };
}

function viewSql(view: ReminderView, clock: InboxClock): { sql: string; params: string[] } {
  switch (view) {
    case 'open':
      return {
        sql: `r.status = 'open' AND (r.notify_on IS NULL OR r.notify_on <= ?) AND (r.snoozed_until IS NULL OR r.snoozed_until <= ?)`,
        params: [clock.today, clock.now],
      };
    case 'snoozed':
      return { sql: `r.status = 'open' AND r.snoozed_until > ?`, params: [clock.now] };
    case 'done':
      return { sql: `r.status = 'done'`, params: [] };
    case 'dismissed':
      return { sql: `r.status = 'dismissed'`, params: [] };
    default: // 'all'
      return { sql: '1', params: [] };
  }
}

/** The amount a reminder is about, from its stored parameters (fen; NULL when it has none). */
const AMOUNT = `CAST(json_extract(r.params, '$.amountFen') AS INTEGER)`;
/** Best tier first; no customer or no tier last. */
const TIER_RANK = `CASE c.tier ${TIER_ORDER.map((t, i) => `WHEN '${t}' THEN ${i}`).join(' ')} ELSE ${TIER_ORDER.length} END`;

/** ORDER BY per sort (constant SQL text per choice); handled views keep "latest handled first" for the date order. */
const INBOX_ORDER: Record<ReminderSort, (view: ReminderView) => string> = {
  due: (view) => (view === 'done' || view === 'dismissed' ? 'r.closed_at DESC, r.id DESC' : 'r.due_on, r.id'),
  amount: () => `${AMOUNT} IS NULL, ${AMOUNT} DESC, r.due_on, r.id`,
  tier: () => `${TIER_RANK}, ${AMOUNT} IS NULL, ${AMOUNT} DESC, r.due_on, r.id`,
};

interface ReminderRow {
  id: number;
  kind: ReminderKind;
  due_on: string;
  act_by: string | null;
  params: string;
  status: Reminder['status'];
  snoozed_until: string | null;
  customer_id: number | null;
  customer_no: string | null;
  name: string | null;
  tier: string | null;
  amount_fen: number | null;
  source_type: string | null;
  source_id: string | null;
  created_at: string;
}

export function listInbox(
  db: Database,
  userId: number,
  scope: Scope,
  q: InboxQuery,
  clock: InboxClock,
): { rows: Reminder[]; total: number } {
  const base = inboxWhere(scope, userId);
  const v = viewSql(q.view, clock);
  const w = new Clauses(base, v);
  if (q.kinds && q.kinds.length > 0) w.add(`r.kind IN (${placeholders(q.kinds)})`, ...q.kinds);
  if (q.customerId != null) w.add('r.customer_id = ?', q.customerId);
  if (q.dueFrom) w.add('r.due_on >= ?', q.dueFrom);
  if (q.dueTo) w.add('r.due_on <= ?', q.dueTo);
  const where = w.and();
  const params = w.params;
  const order = INBOX_ORDER[q.sort ?? 'due'](q.view);
  const total = first<{ n: number }>(db, `SELECT COUNT(*) AS n FROM reminders r WHERE ${where}`, ...params)?.n ?? 0;
  const rows = all<ReminderRow>(
    db,
    `SELECT r.id, r.kind, r.due_on, r.act_by, r.params, r.status, r.snoozed_until, r.customer_id, c.customer_no, c.name,
            c.tier, ${AMOUNT} AS amount_fen, r.source_type, r.source_id, r.created_at
     FROM reminders r LEFT JOIN customers c ON c.id = r.customer_id
     WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
    ...params,
    q.limit,
    q.offset,
  );
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      dueOn: r.due_on,
      // stored when generated; a day already gone (a Sunday birthday seen on that Sunday) is dropped
      actBy: r.act_by != null && r.act_by >= clock.today ? r.act_by : null,
      params: JSON.parse(r.params) as Reminder['params'],
      status: r.status,
      snoozedUntil: r.snoozed_until,
      snoozed: r.status === 'open' && r.snoozed_until != null && r.snoozed_until > clock.now,
      customer:
        r.customer_id != null
          ? { id: r.customer_id, customerNo: r.customer_no ?? '', name: r.name ?? '', tier: r.tier }
          : null,
      amountFen: r.amount_fen,
      sourceType: r.source_type,
      sourceId: r.source_id,
      createdAt: r.created_at,
    })),
  };
}

/** The badge shows "99+" beyond this; counting stops here so a branch-wide inbox stays cheap to poll. */
export const OPEN_COUNT_CAP = 1000;

/** Open reminders shown now (at most OPEN_COUNT_CAP): the header badge. */
export function countOpen(db: Database, userId: number, scope: Scope, clock: InboxClock, cap = OPEN_COUNT_CAP): number {
  const base = inboxWhere(scope, userId);
  const v = viewSql('open', clock);
  return (
    first<{ n: number }>(
      db,
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM reminders r WHERE ${base.sql} AND ${v.sql} LIMIT ?)`,
      ...base.params,
      ...v.params,
      cap,
    )?.n ?? 0
  );
}

export type InboxAction = 'done' | 'dismiss' | 'snooze' | 'reopen';

/** Change the caller's own reminders (others' ids are silently not touched). Returns how many changed. */
export function actOnReminders(
  db: Database,
  userId: number,
  ids: readonly number[],
  action: InboxAction,
  opts: { now: string; until?: string },
): number {
  const where = `user_id = ? AND id IN (${placeholders(ids)})`;
  const tx = db.transaction(() => {
    switch (action) {
      case 'done':
        return run(
          db,
          `UPDATE reminders SET status = 'done', closed_at = ?, snoozed_until = NULL WHERE ${where} AND status <> 'done'`,
          opts.now,
          userId,
          ...ids,
        ).changes;
      case 'dismiss':
        return run(
          db,
          `UPDATE reminders SET status = 'dismissed', closed_at = ?, snoozed_until = NULL WHERE ${where} AND status <> 'dismissed'`,
          opts.now,
          userId,
          ...ids,
        ).changes;
      case 'snooze':
        if (opts.until === undefined) throw new Error('actOnReminders: snooze needs opts.until');
        return run(
          db,
          `UPDATE reminders SET status = 'open', closed_at = NULL, snoozed_until = ? WHERE ${where}`,
          opts.until,
          userId,
          ...ids,
        ).changes;
      case 'reopen':
        return run(
          db,
          `UPDATE reminders SET status = 'open', closed_at = NULL, snoozed_until = NULL WHERE ${where}`,
          userId,
          ...ids,
        ).changes;
    }
  });
  return tx();
}

export interface ReminderWidgetData {
  open: number;
  /** The next few open reminders, soonest first. */
  top: Reminder[];
}

/** What a desktop widget shows: the open count and the first `limit` open reminders. */
export function reminderWidgetData(
  db: Database,
  userId: number,
  scope: Scope,
  clock: InboxClock,
  limit = 5,
): ReminderWidgetData {
  const { rows, total } = listInbox(db, userId, scope, { view: 'open', limit, offset: 0 }, clock);
  return { open: total, top: rows };
}
