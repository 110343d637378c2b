import type { Database } from 'better-sqlite3';
import type { SettingKey } from '../../shared/api/settings';
import { query } from '../sql';

/**
 * Per-user settings (migration 0017), one JSON text per user and key. Every statement is keyed by the
 * user id the caller passes, which the handlers take from the session, never from input. Values are
 * validated by the main process before they are written and again after they are read.
 */

const GET = query<[userId: number, key: string], { value: string; updatedAt: string }>(
  'SELECT value, updated_at AS updatedAt FROM user_settings WHERE user_id = ? AND key = ?',
);
const SET = query<[userId: number, key: string, value: string], { updatedAt: string }>(
  `INSERT INTO user_settings (user_id, key, value) VALUES (?, ?, ?)
   ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
   RETURNING updated_at AS updatedAt`,
);
const REMOVE = query<[userId: number, key: string]>('DELETE FROM user_settings WHERE user_id = ? AND key = ?');

export const userSetting = (
  db: Database,
  userId: number,
  key: SettingKey,
): { value: string; updatedAt: string } | null => GET.get(db, userId, key) ?? null;

/** Writes (or replaces) the value; returns its updated_at. */
export function setUserSetting(db: Database, userId: number, key: SettingKey, value: string): string {
  const r = SET.get(db, userId, key, value);
  if (!r) throw new Error('user_settings: the upsert returned no row');
  return r.updatedAt;
}

/** Removes the value (back to the default); true when there was one. */
export const removeUserSetting = (db: Database, userId: number, key: SettingKey): boolean =>
  REMOVE.run(db, userId, key).changes > 0;
