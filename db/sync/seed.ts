import type { Database } from 'better-sqlite3';
import type { SyncActor } from '../../shared/sync/rules';
import { query } from '../sql';
import { syncActor } from './actor';
import { seedCampaign } from './campaigns';
import { CONTACTS, shareContact } from './contacts';
import { FAVORITES, LISTS, QUERIES, shareFavorite, shareList, shareQuery } from './lists';
import { adoptOpportunity } from './opportunities';
import { readRecord } from './replica';
import { shareReminderStates } from './reminders';
import { seedReferral } from './referrals';
import { syncJoined } from './schema';

/**
 * Work made before this PC joined a hub (issue 16: "leaving or re-joining a hub never loses local work"):
 * at join, every referral, contact, hand-made opportunity, campaign, list, saved query, star and reminder
 * state this store has and the hub has never been told of is queued, in its author's name, so the hub
 * checks it with the rules it checks live work with (db/sync/*: the same share functions the handlers
 * call). Exactly once: a row is linked to its record (sync_links, referrals.sync_id) in the same
 * transaction that queues it, and stars and reminder states are compared with the replica, so running it
 * again (a join retried, a re-join) queues nothing twice. A row the shared rules would refuse (its
 * author's account disabled: the hub refuses a disabled user's writes, and a refused creation would be
 * undone here) stays local and is counted, never half-queued.
 */
export interface SeedReport {
  referrals: number;
  contacts: number;
  opportunities: number;
  campaigns: number;
  lists: number;
  queries: number;
  favorites: number;
  reminderStates: number;
  /** Rows the shared rules would not take as they stand (left local). */
  skipped: number;
}

const USER = query<[id: number], { username: string; role: string; staff_id: number | null }>(
  'SELECT username, role, staff_id FROM users WHERE id = ? AND disabled = 0',
);
const USER_BY_NAME = query<[username: string], { username: string; role: string; staff_id: number | null }>(
  'SELECT username, role, staff_id FROM users WHERE username = ? AND disabled = 0',
);
const REFERRALS = query<[], { id: number }>('SELECT id FROM referrals WHERE sync_id IS NULL ORDER BY id');
const UNLINKED = (table: string, localTable: string, extra = '') =>
  query<[], { id: number; user: number | null }>(
    `SELECT t.id, ${extra || 'NULL'} AS user FROM ${localTable} t
      WHERE NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = '${table}' AND l.local_id = t.id) ORDER BY t.id`,
  );
const CONTACT_ROWS = UNLINKED(CONTACTS, 'contacts', 't.user_id');
// A hand-made opportunity is its owner's (the hub refuses one made for another by anyone but the president).
const OPPORTUNITY_ROWS = query<[], { id: number; user: number | null }>(
  `SELECT t.id, COALESCE((SELECT u.id FROM users u WHERE u.staff_id = t.owner_staff_id AND u.disabled = 0), t.created_by) AS user
     FROM opportunities t
    WHERE t.source = 'manual'
      AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = 'opportunities' AND l.local_id = t.id) ORDER BY t.id`,
);
const CAMPAIGN_ROWS = UNLINKED('campaigns', 'campaigns', 't.created_by');
const LIST_ROWS = UNLINKED(LISTS, 'customer_lists', 't.owner_id');
const QUERY_ROWS = UNLINKED(QUERIES, 'saved_queries', 't.owner_id');
const FAVORITE_ROWS = query<[], { user: number; customer: number; key: string }>(
  `SELECT f.user_id AS user, f.customer_id AS customer, u.username || ':' || c.customer_no AS key
     FROM customer_favorites f JOIN users u ON u.id = f.user_id JOIN customers c ON c.id = f.customer_id
    ORDER BY f.user_id, f.customer_id`,
);
// Reminders a user acted on (done, dismissed, snoozed); shareReminderStates skips those the replica has.
const ACTED_REMINDERS = query<[], { user: number; id: number }>(
  `SELECT user_id AS user, id FROM reminders WHERE status <> 'open' OR snoozed_until IS NOT NULL ORDER BY user_id, id`,
);

export function seedLocalWork(db: Database): SeedReport {
  const report: SeedReport = {
    referrals: 0,
    contacts: 0,
    opportunities: 0,
    campaigns: 0,
    lists: 0,
    queries: 0,
    favorites: 0,
    reminderStates: 0,
    skipped: 0,
  };
  if (!syncJoined(db)) return report;
  const actors = new Map<number, SyncActor | null>();
  const actorOf = (userId: number | null): SyncActor | null => {
    if (userId === null) return null;
    if (!actors.has(userId)) {
      const u = USER.get(db, userId);
      actors.set(userId, u ? syncActor(db, u) : null);
    }
    return actors.get(userId) ?? null;
  };
  const byName = (username: string): SyncActor | null => {
    const u = USER_BY_NAME.get(db, username);
    return u ? syncActor(db, u) : null;
  };
  // Each row in a savepoint: one the rules refuse leaves nothing behind, and the others go on.
  const each = (count: keyof SeedReport, fn: () => number | boolean) => {
    try {
      const n = db.transaction(fn)();
      report[count] += typeof n === 'number' ? n : n ? 1 : 0;
    } catch {
      report.skipped += 1;
    }
  };
  return db.transaction(() => {
    // Referrals first: a contact recorded on a referral names the referral's record.
    for (const r of REFERRALS.all(db)) {
      let n: number;
      try {
        n = db.transaction(() => seedReferral(db, r.id, byName))();
      } catch {
        n = -1;
      }
      if (n < 0) report.skipped += 1;
      else if (n > 0) report.referrals += 1;
    }
    for (const r of CONTACT_ROWS.all(db)) {
      const a = actorOf(r.user);
      if (a) each('contacts', () => shareContact(db, r.id, a));
      else report.skipped += 1;
    }
    for (const r of OPPORTUNITY_ROWS.all(db)) {
      const a = actorOf(r.user);
      if (a) each('opportunities', () => adoptOpportunity(db, r.id, a));
      else report.skipped += 1;
    }
    for (const r of CAMPAIGN_ROWS.all(db)) {
      const a = actorOf(r.user);
      if (a) each('campaigns', () => seedCampaign(db, r.id, a));
      else report.skipped += 1;
    }
    for (const r of LIST_ROWS.all(db)) {
      const a = actorOf(r.user);
      if (a) each('lists', () => shareList(db, r.id, a) > 0);
      else report.skipped += 1;
    }
    for (const r of QUERY_ROWS.all(db)) {
      const a = actorOf(r.user);
      if (a) each('queries', () => shareQuery(db, r.id, a) > 0);
      else report.skipped += 1;
    }
    for (const f of FAVORITE_ROWS.all(db)) {
      if (readRecord(db, FAVORITES, f.key)?.data) continue;
      const a = actorOf(f.user);
      if (a) each('favorites', () => shareFavorite(db, f.user, f.customer, a) > 0);
    }
    const byUser = new Map<number, number[]>();
    for (const r of ACTED_REMINDERS.all(db)) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r.id]);
    for (const [user, ids] of byUser) {
      const a = actorOf(user);
      if (a) each('reminderStates', () => shareReminderStates(db, user, ids, a));
    }
    return report;
  })();
}
