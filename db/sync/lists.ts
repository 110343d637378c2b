import type { Database } from 'better-sqlite3';
import { MAX_EFFECTS_PER_MUTATION } from '../../shared/sync/protocol';
import { uuid7 } from '../../shared/sync/ids';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { query } from '../sql';
import { type LocalEffect, listRecords, type Mutators, type Projection, readRecord, recordMutation } from './replica';
import { linkRecord, localIdOf, syncIdOf, syncJoined } from './schema';
import { BRANCH_ID as BRANCH, CUSTOMER_ID as CUSTOMER, USER_ID as USER } from './local-ids';

/**
 * Customer lists with their members, saved queries and favourites on the hub (issue 16). These belong
 * to one user, who alone changes them: records carry the owner's username, the write rules refuse
 * anyone else, and what crosses the wire is the state the owner left (the list's row, each member, each
 * star), so a rebase re-applies that state on the hub's: the owner's latest act wins, which is right
 * for their own lists. Ids: lists and queries UUIDv7; a member is list id + ':' + customer number, a
 * favourite username + ':' + customer number (natural keys: the same star made on two PCs is one).
 */
export const LISTS = 'lists';
export const MEMBERS = 'list_members';
export const QUERIES = 'saved_queries';
export const FAVORITES = 'favorites';

type Desired = { table: string; id: string; data: SyncRow | null };

const same = (a: SyncRow | null, b: SyncRow | null) => JSON.stringify(a) === JSON.stringify(b);

/** The records whose shown state differs from `desired`, as effects. */
function changes(db: Database, desired: Desired[]): LocalEffect[] {
  const out: LocalEffect[] = [];
  for (const d of desired) {
    const cur = readRecord(db, d.table, d.id);
    const shown = cur && !cur.deleted ? cur.data : null;
    if (same(shown, d.data)) continue;
    if (d.data === null) {
      if (cur && !cur.deleted) out.push({ table: d.table, id: d.id, deleted: true });
    } else out.push({ table: d.table, id: d.id, data: d.data });
  }
  return out;
}

/** Queues the owner's new state of their records, in parts of at most MAX_EFFECTS_PER_MUTATION. */
function share(db: Database, name: string, desired: Desired[], actor: SyncActor): number {
  const effects = changes(db, desired);
  for (let i = 0; i < effects.length; i += MAX_EFFECTS_PER_MUTATION) {
    const part = effects.slice(i, i + MAX_EFFECTS_PER_MUTATION);
    const items = part.map((e) => ({ table: e.table, id: e.id, data: 'deleted' in e ? null : e.data }));
    recordMutation(db, { name, args: { items }, effects: part, actor });
  }
  return effects.length;
}

/** Re-run on a rebase: the owner's state laid over the hub's (only what still differs is written). */
const reapply = (db: Database, raw: unknown) => changes(db, (raw as { items: Desired[] }).items);

export const listMutators: Mutators = {
  'lists.state': reapply,
  'queries.state': reapply,
  'favorites.state': reapply,
};

const LIST_WIRE = query<[id: number], SyncRow & { shared: number }>(
  `SELECT u.username AS owner, b.code AS branch, l.name, l.shared FROM customer_lists l
   JOIN users u ON u.id = l.owner_id LEFT JOIN branches b ON b.id = l.branch_id WHERE l.id = ?`,
);
const MEMBER_NOS = query<[listId: number], { no: string }>(
  `SELECT c.customer_no AS no FROM customer_list_members m JOIN customers c ON c.id = m.customer_id WHERE m.list_id = ?`,
);
const QUERY_WIRE = query<[id: number], SyncRow & { shared: number; definition: string }>(
  `SELECT u.username AS owner, b.code AS branch, q.name, q.shared, q.definition FROM saved_queries q
   JOIN users u ON u.id = q.owner_id LEFT JOIN branches b ON b.id = q.branch_id WHERE q.id = ?`,
);
const CUSTOMER_NO = query<[id: number], { no: string }>('SELECT customer_no AS no FROM customers WHERE id = ?');
const IS_FAVORITE = query<[userId: number, customerId: number], { x: number }>(
  'SELECT 1 AS x FROM customer_favorites WHERE user_id = ? AND customer_id = ?',
);

/**
 * Called by the handler after any change to a list (made, renamed, shared, members added or removed,
 * deleted: pass `syncId` read before the delete) in the same transaction. Standalone, or a list made
 * while standalone: nothing.
 */
export function shareList(db: Database, listId: number, actor: SyncActor, deletedSyncId?: string | null): number {
  if (!syncJoined(db)) return 0;
  let syncId = deletedSyncId ?? syncIdOf(db, LISTS, listId);
  if (deletedSyncId === undefined && syncId === null && LIST_WIRE.get(db, listId)) {
    syncId = uuid7();
    linkRecord(db, LISTS, syncId, listId);
  }
  if (syncId === null) return 0;
  const prefix = `${syncId}:`;
  const row = deletedSyncId === undefined ? LIST_WIRE.get(db, listId) : undefined;
  const desired: Desired[] = [{ table: LISTS, id: syncId, data: row ? { ...row, shared: row.shared === 1 } : null }];
  const members = new Set(row ? MEMBER_NOS.all(db, listId).map((m) => m.no) : []);
  for (const no of members)
    desired.push({ table: MEMBERS, id: `${prefix}${no}`, data: { list: syncId, customer_no: no, owner: row!.owner } });
  for (const r of listRecords(db, MEMBERS))
    if (r.id.startsWith(prefix) && !members.has(r.id.slice(prefix.length)))
      desired.push({ table: MEMBERS, id: r.id, data: null });
  // Members first when a list goes, so no member outlives it on the hub.
  if (!row) desired.push(desired.shift()!);
  return share(db, 'lists.state', desired, actor);
}

export const listSyncId = (db: Database, listId: number): string | null =>
  syncJoined(db) ? syncIdOf(db, LISTS, listId) : null;

/** A saved query made, changed or deleted (pass `deletedSyncId` read before the delete). */
export function shareQuery(db: Database, queryId: number, actor: SyncActor, deletedSyncId?: string | null): number {
  if (!syncJoined(db)) return 0;
  let syncId = deletedSyncId ?? syncIdOf(db, QUERIES, queryId);
  const row = deletedSyncId === undefined ? QUERY_WIRE.get(db, queryId) : undefined;
  if (syncId === null && row) {
    syncId = uuid7();
    linkRecord(db, QUERIES, syncId, queryId);
  }
  if (syncId === null) return 0;
  const data = row ? { ...row, shared: row.shared === 1, definition: JSON.parse(row.definition) as unknown } : null;
  return share(db, 'queries.state', [{ table: QUERIES, id: syncId, data }], actor);
}

export const querySyncId = (db: Database, queryId: number): string | null =>
  syncJoined(db) ? syncIdOf(db, QUERIES, queryId) : null;

/** A star set or cleared by its user. */
export function shareFavorite(db: Database, userId: number, customerId: number, actor: SyncActor): number {
  if (!syncJoined(db)) return 0;
  const no = CUSTOMER_NO.get(db, customerId)?.no;
  if (no === undefined) return 0;
  const on = IS_FAVORITE.get(db, userId, customerId) !== undefined;
  const id = `${actor.userId}:${no}`;
  return share(
    db,
    'favorites.state',
    [{ table: FAVORITES, id, data: on ? { user: actor.userId, customer_no: no } : null }],
    actor,
  );
}

const INSERT_LIST = query<[name: string, owner: number, branch: number | null, shared: number]>(
  'INSERT INTO customer_lists (name, owner_id, branch_id, shared) VALUES (?, ?, ?, ?)',
);
const UPDATE_LIST = query<[name: string, shared: number, id: number]>(
  `UPDATE customer_lists SET name = ?, shared = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
);
const DELETE_LIST = query<[id: number]>('DELETE FROM customer_lists WHERE id = ?');
const ADD_MEMBER = query<[listId: number, customerId: number]>(
  'INSERT OR IGNORE INTO customer_list_members (list_id, customer_id) VALUES (?, ?)',
);
const REMOVE_MEMBER = query<[listId: number, customerId: number]>(
  'DELETE FROM customer_list_members WHERE list_id = ? AND customer_id = ?',
);
const INSERT_QUERY = query<[name: string, owner: number, branch: number | null, shared: number, definition: string]>(
  'INSERT INTO saved_queries (name, owner_id, branch_id, shared, definition) VALUES (?, ?, ?, ?, ?)',
);
const UPDATE_QUERY = query<[name: string, shared: number, definition: string, id: number]>(
  `UPDATE saved_queries SET name = ?, shared = ?, definition = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
   WHERE id = ?`,
);
const DELETE_QUERY = query<[id: number]>('DELETE FROM saved_queries WHERE id = ?');
const ADD_FAVORITE = query<[userId: number, customerId: number]>(
  'INSERT OR IGNORE INTO customer_favorites (user_id, customer_id) VALUES (?, ?)',
);
const REMOVE_FAVORITE = query<[userId: number, customerId: number]>(
  'DELETE FROM customer_favorites WHERE user_id = ? AND customer_id = ?',
);
const UNLINK = query<[tbl: string, id: string]>('DELETE FROM sync_links WHERE tbl = ? AND id = ?');

const isConstraint = (err: unknown) => String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_CONSTRAINT');

/** Lists and saved queries: one local row per record, kept equal to it (deleted with it). */
function ownedProjection(table: string, kind: 'list' | 'query'): Projection {
  return (db, syncId, row) => {
    const local = localIdOf(db, table, syncId);
    if (row === null) {
      if (local !== null) {
        (kind === 'list' ? DELETE_LIST : DELETE_QUERY).run(db, local);
        UNLINK.run(db, table, syncId);
      }
      return;
    }
    const shared = row.shared === true ? 1 : 0;
    const definition = JSON.stringify(row.definition ?? null);
    const place = (name: string) => {
      if (local !== null) {
        if (kind === 'list') UPDATE_LIST.run(db, name, shared, local);
        else UPDATE_QUERY.run(db, name, shared, definition, local);
        return;
      }
      const owner = USER.get(db, String(row.owner))?.id;
      if (owner === undefined) return;
      const branch = row.branch == null ? null : (BRANCH.get(db, String(row.branch))?.id ?? null);
      const id = Number(
        (kind === 'list'
          ? INSERT_LIST.run(db, name, owner, branch, shared)
          : INSERT_QUERY.run(db, name, owner, branch, shared, definition)
        ).lastInsertRowid,
      );
      linkRecord(db, table, syncId, id);
    };
    // The owner made two of one name on two PCs while apart: the one that arrives second is told apart
    // here by the end of its id (a savepoint each, so a clash leaves nothing behind); nothing is lost.
    try {
      db.transaction(() => place(String(row.name)))();
    } catch (err) {
      if (!isConstraint(err)) throw err;
      db.transaction(() => place(`${String(row.name)}（${syncId.slice(-4)}）`))();
    }
  };
}

export const projectList = ownedProjection(LISTS, 'list');
export const projectQuery = ownedProjection(QUERIES, 'query');

/** A member: its list's local row gets the customer (or loses it). */
export const projectMember: Projection = (db, id, row) => {
  const cut = id.indexOf(':');
  const list = localIdOf(db, LISTS, id.slice(0, cut));
  const customer = CUSTOMER.get(db, id.slice(cut + 1))?.id;
  if (list === null || customer === undefined) return;
  (row === null ? REMOVE_MEMBER : ADD_MEMBER).run(db, list, customer);
};

/** A star: the user's favourite on this PC too. */
export const projectFavorite: Projection = (db, id, row) => {
  const cut = id.lastIndexOf(':');
  const user = USER.get(db, id.slice(0, cut))?.id;
  const customer = CUSTOMER.get(db, id.slice(cut + 1))?.id;
  if (user === undefined || customer === undefined) return;
  (row === null ? REMOVE_FAVORITE : ADD_FAVORITE).run(db, user, customer);
};

const UNPLACED_LISTS = query<[], { tbl: string; id: string; data: string }>(
  `SELECT s.tbl, s.id, s.data FROM sync_records s WHERE s.tbl IN ('lists', 'saved_queries') AND s.deleted = 0
     AND s.data IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.tbl = s.tbl AND l.id = s.id)`,
);

/** Lists and queries whose owner had no account here when they arrived, with their members: placed now. */
export function reprojectLists(db: Database): number {
  const missing = UNPLACED_LISTS.all(db);
  if (missing.length === 0) return 0;
  return db.transaction(() => {
    for (const r of missing) {
      (r.tbl === LISTS ? projectList : projectQuery)(db, r.id, JSON.parse(r.data) as SyncRow);
      if (r.tbl === LISTS && localIdOf(db, LISTS, r.id) !== null)
        for (const m of listRecords(db, MEMBERS)) if (m.id.startsWith(`${r.id}:`)) projectMember(db, m.id, m.data);
    }
    return missing.length - UNPLACED_LISTS.all(db).length;
  })();
}
