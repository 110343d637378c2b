import type { Database } from 'better-sqlite3';
import type { SettingKey } from '../../shared/api/settings';

/**
 * Per-user settings (migration 0017), one JSON text per user and key. Every statement is keyed by the
 * user id the caller passes, which the handlers take from the session, never from input. Values are
 * validated by the main process before they are written and again after they are read.
 */
export function userSettingsRepo(db: Database) {
  return {
    get(userId: number, key: SettingKey): { value: string; updatedAt: string } | null {
      const r = db
        .prepare('SELECT value, updated_at AS updatedAt FROM user_settings WHERE user_id = ? AND key = ?')
        .get(userId, key) as { value: string; updatedAt: string } | undefined;
      return r ?? null;
    },
    /** Writes (or replaces) the value; returns its updated_at. */
    set(userId: number, key: SettingKey, value: string): string {
      const r = db
        .prepare(
          `INSERT INTO user_settings (user_id, key, value) VALUES (?, ?, ?)
           ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
           RETURNING updated_at AS updatedAt`,
        )
        .get(userId, key, value) as { updatedAt: string };
      return r.updatedAt;
    },
    /** Removes the value (back to the default); true when there was one. */
    remove(userId: number, key: SettingKey): boolean {
      return db.prepare('DELETE FROM user_settings WHERE user_id = ? AND key = ?').run(userId, key).changes > 0;
    },
  };
}
export type UserSettingsRepo = ReturnType<typeof userSettingsRepo>;
