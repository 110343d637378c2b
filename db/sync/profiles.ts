import type { Database } from 'better-sqlite3';
import { uuid7 } from '../../shared/sync/ids';
import type { SyncActor, SyncRow } from '../../shared/sync/rules';
import { PROFILES_TABLE } from '../../shared/sync/settings-rules';
import { query } from '../sql';
import { USER_ID as USER } from './local-ids';
import { type LocalEffect, type Mutators, type Projection, readRecord, recordMutation } from './replica';
import { linkRecord, localIdOf, syncIdOf, syncJoined, unlinkRecord } from './schema';

/**
 * The administrator's import profiles on the hub (issue 16): each a UUIDv7 record with the profile's
 * definition, kept equal to a local import_profiles row on every PC (built-in profiles ship with the
 * code and never cross the wire). What crosses the wire is the profile as saved, so a rebase lays the
 * administrator's latest save over the hub's.
 */
export { PROFILES_TABLE };

const PROFILE = query<
  [id: number],
  { name: string; kind: string; definition: string; builtin: number; by: string | null }
>(
  `SELECT p.name, p.kind, p.definition, p.builtin, u.username AS by FROM import_profiles p
   LEFT JOIN users u ON u.id = p.created_by WHERE p.id = ?`,
);
const INSERT = query<[name: string, kind: string, definition: string, createdBy: number | null]>(
  'INSERT INTO import_profiles (name, kind, definition, builtin, created_by) VALUES (?, ?, ?, 0, ?)',
);
const UPDATE = query<[name: string, kind: string, definition: string, id: number]>(
  `UPDATE import_profiles SET name = ?, kind = ?, definition = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
   WHERE id = ? AND builtin = 0`,
);
const DELETE = query<[id: number]>('DELETE FROM import_profiles WHERE id = ? AND builtin = 0');

/** The record for the profile's sync id, as the hub's shown state differs from it (null: deleted). */
function change(db: Database, id: string, data: SyncRow | null): LocalEffect[] {
  const cur = readRecord(db, PROFILES_TABLE, id);
  const shown = cur && !cur.deleted ? cur.data : null;
  if (JSON.stringify(shown) === JSON.stringify(data)) return [];
  if (data === null) return shown ? [{ table: PROFILES_TABLE, id, deleted: true }] : [];
  return [{ table: PROFILES_TABLE, id, data }];
}

/**
 * A profile saved or deleted by the administrator (deleted: pass the sync id read before the delete),
 * in the handler's transaction. Built-in profiles, and standalone stores: nothing.
 */
export function shareProfile(db: Database, profileId: number, actor: SyncActor, deletedSyncId?: string | null): number {
  if (!syncJoined(db)) return 0;
  let syncId = deletedSyncId ?? syncIdOf(db, PROFILES_TABLE, profileId);
  const row = deletedSyncId === undefined ? PROFILE.get(db, profileId) : undefined;
  if (row?.builtin === 1) return 0;
  if (syncId === null && row) {
    syncId = uuid7();
    linkRecord(db, PROFILES_TABLE, syncId, profileId);
  }
  if (syncId === null) return 0;
  const data = row
    ? {
        name: row.name,
        kind: row.kind,
        definition: JSON.parse(row.definition) as unknown,
        created_by: row.by ?? actor.userId,
      }
    : null;
  const effects = change(db, syncId, data);
  if (effects.length === 0) return 0;
  recordMutation(db, { name: 'imports.profileState', args: { id: syncId, data }, effects, actor });
  return effects.length;
}

export const profileSyncId = (db: Database, profileId: number): string | null =>
  syncJoined(db) ? syncIdOf(db, PROFILES_TABLE, profileId) : null;

export const profileMutators: Mutators = {
  'imports.profileState': (db, raw) => {
    const a = raw as { id: string; data: SyncRow | null };
    return change(db, a.id, a.data);
  },
};

const NAME_TAKEN = query<[name: string, id: number], { id: number }>(
  'SELECT id FROM import_profiles WHERE name = ? AND id <> ?',
);

/**
 * A profile from another PC: its local row made, changed or deleted. Two of one name made apart: the
 * one arriving second is told apart by the end of its id (profile names are unique in a store).
 */
export const projectProfile: Projection = (db, syncId, row) => {
  const local = localIdOf(db, PROFILES_TABLE, syncId);
  if (row === null) {
    if (local !== null) {
      DELETE.run(db, local);
      unlinkRecord(db, PROFILES_TABLE, syncId);
    }
    return;
  }
  let name = String(row.name);
  const definition = { ...(row.definition as Record<string, unknown>) };
  if (NAME_TAKEN.get(db, name, local ?? -1)) {
    name = `${name.slice(0, 58)}（${syncId.slice(-4)}）`;
    definition.name = name;
  }
  if (local !== null) {
    UPDATE.run(db, name, String(row.kind), JSON.stringify(definition), local);
    return;
  }
  const by = row.created_by == null ? null : (USER.get(db, String(row.created_by))?.id ?? null);
  const id = Number(INSERT.run(db, name, String(row.kind), JSON.stringify(definition), by).lastInsertRowid);
  linkRecord(db, PROFILES_TABLE, syncId, id);
};
