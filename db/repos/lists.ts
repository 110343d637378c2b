import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Scope } from '../scope';
import { all, first, placeholders, query, run, type SqlParam } from '../sql';

/**
 * Customer lists, saved queries and favourites (per user). A list or query is visible to its owner and,
 * when shared, to every user of the same 支行 (the root of the owner's branch tree, stored on the row);
 * only the owner changes it. A list's member count covers only the customers the reader's scope
 * reaches. The handlers (main/handlers/lists.ts) check ownership and map rows to the API shape.
 */

/** Who reads: their user id and 支行 (null for a user without a branch). */
export interface ListReader {
  userId: number;
  homeBranch: number | null;
}

export interface ListRow {
  id: number;
  name: string;
  shared: number;
  owner: number;
  ownerName: string;
  updatedAt: string;
  members: number;
}

export interface SavedQueryRow {
  id: number;
  name: string;
  shared: number;
  owner: number;
  ownerName: string;
  definition: string;
  updatedAt: string;
}

export type Owned = 'list' | 'query';
const TABLE: Record<Owned, string> = { list: 'customer_lists', query: 'saved_queries' };

/** Lists and queries a reader sees: their own, and those shared within their 支行. */
const VISIBLE = '(x.owner_id = ? OR (x.shared = 1 AND x.branch_id IS ?))';
const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

const VISIBLE_LISTS = query<[userId: number, branch: number | null, userId: number], { id: number }>(
  `SELECT x.id FROM customer_lists x WHERE ${VISIBLE} ORDER BY x.owner_id = ? DESC, x.name`,
);
const VISIBLE_QUERIES = query<[userId: number, branch: number | null, userId: number], { id: number }>(
  `SELECT x.id FROM saved_queries x WHERE ${VISIBLE} ORDER BY x.owner_id = ? DESC, x.name`,
);
const QUERY_ROW = query<[id: number, userId: number, branch: number | null], SavedQueryRow>(
  `SELECT x.id, x.name, x.shared, x.owner_id AS owner, u.display_name AS ownerName, x.definition, x.updated_at AS updatedAt
   FROM saved_queries x JOIN users u ON u.id = x.owner_id WHERE x.id = ? AND ${VISIBLE}`,
);
const INSERT_LIST = query<[name: string, ownerId: number, branch: number | null, shared: number]>(
  'INSERT INTO customer_lists (name, owner_id, branch_id, shared) VALUES (?, ?, ?, ?)',
);
const UPDATE_LIST = query<[name: string, shared: number, id: number]>(
  `UPDATE customer_lists SET name = ?, shared = ?, updated_at = ${NOW} WHERE id = ?`,
);
const TOUCH_LIST = query<[id: number]>(`UPDATE customer_lists SET updated_at = ${NOW} WHERE id = ?`);
const DELETE_LIST = query<[id: number]>('DELETE FROM customer_lists WHERE id = ?');
const INSERT_QUERY = query<[name: string, ownerId: number, branch: number | null, shared: number, definition: string]>(
  'INSERT INTO saved_queries (name, owner_id, branch_id, shared, definition) VALUES (?, ?, ?, ?, ?)',
);
const UPDATE_QUERY = query<[name: string, shared: number, definition: string, id: number]>(
  `UPDATE saved_queries SET name = ?, shared = ?, definition = ?, updated_at = ${NOW} WHERE id = ?`,
);
const DELETE_QUERY = query<[id: number]>('DELETE FROM saved_queries WHERE id = ?');
const ADD_FAVORITE = query<[userId: number, customerId: number]>(
  'INSERT OR IGNORE INTO customer_favorites (user_id, customer_id) VALUES (?, ?)',
);
const REMOVE_FAVORITE = query<[userId: number, customerId: number]>(
  'DELETE FROM customer_favorites WHERE user_id = ? AND customer_id = ?',
);

const OWN_OR_SHARED_DEFINITION = query<[id: number, userId: number], { definition: string }>(
  'SELECT definition FROM saved_queries WHERE id = ? AND (owner_id = ? OR shared = 1)',
);

const LIST_NAME = query<[id: number, userId: number, branch: number | null], { name: string }>(
  `SELECT name FROM customer_lists x WHERE x.id = ? AND ${VISIBLE}`,
);
const FIRST_LISTS = query<
  [userId: number, branch: number | null, userId: number, limit: number],
  { id: number; name: string }
>(`SELECT id, name FROM customer_lists x WHERE ${VISIBLE} ORDER BY x.owner_id = ? DESC, x.name LIMIT ?`);
const FIRST_QUERIES = query<
  [userId: number, branch: number | null, userId: number, limit: number],
  { id: number; name: string; definition: string }
>(`SELECT id, name, definition FROM saved_queries x WHERE ${VISIBLE} ORDER BY x.owner_id = ? DESC, x.name LIMIT ?`);
const QUERY_NAME = query<[id: number, userId: number, branch: number | null], { name: string; definition: string }>(
  `SELECT name, definition FROM saved_queries x WHERE x.id = ? AND ${VISIBLE}`,
);

/** A name already taken by the owner is a CONFLICT on `name`, not an internal error. */
function uniqueName<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('CONFLICT', { field: 'name' });
    throw e;
  }
}

/** The owner of a list or query, or undefined when there is none with that id. */
export function ownerOf(db: Database, entity: Owned, id: number): number | undefined {
  return first<{ o: number }>(db, `SELECT owner_id AS o FROM ${TABLE[entity]} WHERE id = ?`, id)?.o;
}

/** A list the reader may see, with the number of its members in their scope. */
export function listRow(db: Database, scope: Scope, who: ListReader, id: number): ListRow | undefined {
  return first<ListRow>(
    db,
    `SELECT x.id, x.name, x.shared, x.owner_id AS owner, u.display_name AS ownerName, x.updated_at AS updatedAt,
            (SELECT COUNT(*) FROM customer_list_members lm JOIN customers c ON c.id = lm.customer_id WHERE lm.list_id = x.id AND ${scope.sql}) AS members
     FROM customer_lists x JOIN users u ON u.id = x.owner_id WHERE x.id = ? AND ${VISIBLE}`,
    ...scope.params,
    id,
    who.userId,
    who.homeBranch,
  );
}

/** Ids of the lists the reader sees, their own first, then by name. */
/** The name of a list the reader may see (without counting its members), or undefined. */
export const visibleListName = (db: Database, who: ListReader, id: number): string | undefined =>
  LIST_NAME.get(db, id, who.userId, who.homeBranch)?.name;

/** The first lists the reader sees (their own first, then by name), names only. */
export const firstVisibleLists = (db: Database, who: ListReader, limit: number): { id: number; name: string }[] =>
  FIRST_LISTS.all(db, who.userId, who.homeBranch, who.userId, limit);

export const visibleListIds = (db: Database, who: ListReader): number[] =>
  VISIBLE_LISTS.all(db, who.userId, who.homeBranch, who.userId).map((r) => r.id);

export function createList(db: Database, who: ListReader, name: string, shared: boolean): number {
  return Number(
    uniqueName(() => INSERT_LIST.run(db, name, who.userId, who.homeBranch, shared ? 1 : 0)).lastInsertRowid,
  );
}

export function updateList(db: Database, id: number, name: string, shared: boolean): void {
  uniqueName(() => UPDATE_LIST.run(db, name, shared ? 1 : 0, id));
}

export const deleteList = (db: Database, id: number): boolean => DELETE_LIST.run(db, id).changes === 1;

/**
 * Adds the customers matching `where` (a compiled grid filter over `c`, scope included), narrowed to
 * `customerIds` when given; returns how many were not members yet.
 */
export function addMembers(
  db: Database,
  listId: number,
  filter: { where: string; params: readonly SqlParam[] },
  customerIds?: readonly number[],
): number {
  const picked = customerIds ? ` AND c.id IN (${placeholders(customerIds)})` : '';
  return db.transaction(() => {
    const n = run(
      db,
      `INSERT OR IGNORE INTO customer_list_members (list_id, customer_id) SELECT ?, c.id FROM customers c WHERE ${filter.where}${picked}`,
      listId,
      ...filter.params,
      ...(customerIds ?? []),
    ).changes;
    TOUCH_LIST.run(db, listId);
    return n;
  })();
}

export function removeMembers(db: Database, listId: number, customerIds: readonly number[]): number {
  return run(
    db,
    `DELETE FROM customer_list_members WHERE list_id = ? AND customer_id IN (${placeholders(customerIds)})`,
    listId,
    ...customerIds,
  ).changes;
}

export const savedQueryRow = (db: Database, who: ListReader, id: number): SavedQueryRow | undefined =>
  QUERY_ROW.get(db, id, who.userId, who.homeBranch);

/**
 * The stored filter (JSON) of a saved query the user owns or that is shared, whatever its branch: what a
 * campaign may be pushed from (the customers it takes are still limited by the creator's scope).
 */
export const ownOrSharedQueryDefinition = (db: Database, userId: number, id: number): string | undefined =>
  OWN_OR_SHARED_DEFINITION.get(db, id, userId)?.definition;

/** Name and stored filter of a saved query the reader may see, or undefined. */
export const visibleQueryDefinition = (
  db: Database,
  who: ListReader,
  id: number,
): { name: string; definition: string } | undefined => QUERY_NAME.get(db, id, who.userId, who.homeBranch);

/** The first saved queries the reader sees (their own first, then by name), with their stored filters. */
export const firstVisibleQueries = (
  db: Database,
  who: ListReader,
  limit: number,
): { id: number; name: string; definition: string }[] =>
  FIRST_QUERIES.all(db, who.userId, who.homeBranch, who.userId, limit);

export const visibleQueryIds = (db: Database, who: ListReader): number[] =>
  VISIBLE_QUERIES.all(db, who.userId, who.homeBranch, who.userId).map((r) => r.id);

export function createQuery(db: Database, who: ListReader, name: string, shared: boolean, definition: string): number {
  return Number(
    uniqueName(() => INSERT_QUERY.run(db, name, who.userId, who.homeBranch, shared ? 1 : 0, definition))
      .lastInsertRowid,
  );
}

export function updateQuery(db: Database, id: number, name: string, shared: boolean, definition: string): void {
  uniqueName(() => UPDATE_QUERY.run(db, name, shared ? 1 : 0, definition, id));
}

export const deleteQuery = (db: Database, id: number): boolean => DELETE_QUERY.run(db, id).changes === 1;

export function setFavorite(db: Database, userId: number, customerId: number, on: boolean): void {
  (on ? ADD_FAVORITE : REMOVE_FAVORITE).run(db, userId, customerId);
}

/** Which of these customers the user has starred. */
export function favoritesAmong(db: Database, userId: number, customerIds: readonly number[]): number[] {
  if (customerIds.length === 0) return [];
  return all<{ id: number }>(
    db,
    `SELECT customer_id AS id FROM customer_favorites WHERE user_id = ? AND customer_id IN (${placeholders(customerIds)})`,
    userId,
    ...customerIds,
  ).map((r) => r.id);
}
