import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { MAX_EFFECTS_PER_MUTATION } from '../../shared/sync/protocol';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { all, placeholders, query } from '../sql';
import { type Mutators, type Projection, readRecord, recordMutation } from './replica';
import { linkRecord, localIdOf, syncJoined } from './schema';

/**
 * Reminder states on the hub (issue 16, point 5). Reminders are derived: every PC makes them from the
 * same extracts and records, each with its own INTEGER ids, so a reminder's identity across PCs is its
 * natural key: the user, the kind, the customer number, the due date, and what the reminder is about —
 * the shared record's id when it comes from one (a referral, a contact), else a digest of its facts
 * (amount, product, tier…), which every PC computes alike from the same extract. Only what a user does
 * to their reminder crosses the wire (done, dismissed, snoozed, reopened), as table `reminder_states`;
 * a state that arrives before the PC has made the reminder is applied once it has.
 */
export const REMINDER_STATES = 'reminder_states';

interface Facts {
  id: number;
  username: string;
  kind: string;
  customerNo: string | null;
  dueOn: string;
  params: string;
  sourceType: string | null;
  sourceId: string | null;
  status: string;
  snoozedUntil: string | null;
  closedAt: string | null;
}

const FACTS = `SELECT r.id, u.username, r.kind, c.customer_no AS customerNo, r.due_on AS dueOn, r.params,
    r.source_type AS sourceType, r.source_id AS sourceId, r.status, r.snoozed_until AS snoozedUntil, r.closed_at AS closedAt
  FROM reminders r JOIN users u ON u.id = r.user_id LEFT JOIN customers c ON c.id = r.customer_id`;
const CANDIDATES = query<[username: string, kind: string, dueOn: string], Facts>(
  `${FACTS} WHERE u.username = ? AND r.kind = ? AND r.due_on = ?`,
);
const REFERRAL_SYNC = query<[id: string], { s: string | null }>(
  'SELECT sync_id AS s FROM referrals WHERE id = CAST(? AS INTEGER)',
);
const LINKED = query<[tbl: string, localId: string], { s: string }>(
  'SELECT id AS s FROM sync_links WHERE tbl = ? AND local_id = CAST(? AS INTEGER)',
);
const KEY_RE = /^[A-Za-z0-9_.@-]{1,64}$/;

/** The reminder's natural key, or null when it cannot have one (a username the key cannot carry). */
export function reminderKey(db: Database, f: Facts): string | null {
  if (!KEY_RE.test(f.username) || !KEY_RE.test(f.kind)) return null;
  let about: string = f.params;
  if (f.sourceType === 'referral' && f.sourceId) about = `referral:${REFERRAL_SYNC.get(db, f.sourceId)?.s ?? ''}`;
  else if (f.sourceType === 'contact' && f.sourceId)
    about = `contact:${LINKED.get(db, 'contacts', f.sourceId)?.s ?? ''}`;
  if (about.endsWith(':')) return null;
  const digest = createHash('sha256').update(about).digest('hex').slice(0, 16);
  return `${f.username}:${f.kind}:${f.customerNo ?? '-'}:${f.dueOn}:${digest}`;
}

const state = (f: Facts, user: string): SyncRow => ({
  user,
  status: f.status,
  snoozed_until: f.snoozedUntil,
  closed_at: f.closedAt,
});

/**
 * Called by the handler in the same transaction as the user's act on their reminders: on a joined PC,
 * queues the new state of each one that changed (in parts of at most MAX_EFFECTS_PER_MUTATION).
 */
export function shareReminderStates(db: Database, userId: number, ids: readonly number[], actor: SyncActor): number {
  if (!syncJoined(db) || ids.length === 0) return 0;
  const rows = all<Facts>(db, `${FACTS} WHERE r.user_id = ? AND r.id IN (${placeholders(ids)})`, userId, ...ids);
  const effects: { table: string; id: string; data: SyncRow }[] = [];
  for (const f of rows) {
    const key = reminderKey(db, f);
    if (key === null) continue;
    const data = state(f, actor.userId);
    const cur = readRecord(db, REMINDER_STATES, key);
    if (cur?.data && ['status', 'snoozed_until', 'closed_at'].every((k) => (cur.data![k] ?? null) === data[k]))
      continue;
    effects.push({ table: REMINDER_STATES, id: key, data });
  }
  for (let i = 0; i < effects.length; i += MAX_EFFECTS_PER_MUTATION) {
    const part = effects.slice(i, i + MAX_EFFECTS_PER_MUTATION);
    recordMutation(db, {
      name: 'reminders.state',
      args: { items: part.map((e) => ({ id: e.id, ...e.data })) },
      effects: part,
      actor,
    });
  }
  return effects.length;
}

/** The user's latest act wins (a state, not a state machine): re-run, it is laid over the new state. */
export const reminderMutators: Mutators = {
  'reminders.state': (_db, raw, actor) =>
    (raw as { items: (SyncRow & { id: string })[] }).items.map(({ id, ...data }) => ({
      table: REMINDER_STATES,
      id,
      data: { ...data, user: actor?.userId ?? data.user },
    })),
};

const SET_STATE = query<[status: string, snoozedUntil: string | null, closedAt: string | null, id: number]>(
  'UPDATE reminders SET status = ?, snoozed_until = ?, closed_at = ? WHERE id = ?',
);

/**
 * Finds this PC's reminder with the key (none: not made here yet, placed later) and gives it the state;
 * the match is remembered in sync_links so later states go straight to it.
 */
export const projectReminderState: Projection = (db, key, row) => {
  if (row === null) return;
  let local = localIdOf(db, REMINDER_STATES, key);
  if (local === null) {
    const [username, kind, , dueOn] = key.split(':');
    if (!username || !kind || !dueOn) return;
    const hit = CANDIDATES.all(db, username, kind, dueOn).find((f) => reminderKey(db, f) === key);
    if (!hit) return;
    linkRecord(db, REMINDER_STATES, key, hit.id);
    local = hit.id;
  }
  const snoozed = typeof row.snoozed_until === 'string' ? row.snoozed_until : null;
  const closed = typeof row.closed_at === 'string' ? row.closed_at : null;
  SET_STATE.run(db, String(row.status), snoozed, closed, local);
};

const UNPLACED = query<[], { id: string; data: string }>(
  `SELECT s.id, s.data FROM sync_records s WHERE s.tbl = 'reminder_states' AND s.deleted = 0 AND s.data IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = 'reminder_states' AND l.id = s.id)`,
);

/** States whose reminder this PC had not made when they arrived (its import ran later): applied now. */
export function reprojectReminderStates(db: Database): number {
  const missing = UNPLACED.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing) projectReminderState(db, r.id, JSON.parse(r.data) as SyncRow);
    return missing.length - UNPLACED.all(db).length;
  })();
}
