import type { Database } from 'better-sqlite3';
import { query } from '../sql';

/**
 * Stored desktop layouts (one per user) and role templates (one per role), as JSON text. What goes in
 * has been validated by the main process (main/desktop/widgets.ts); what comes out is validated again
 * on read, since a store may be edited or restored from an older version.
 */

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ','now')`;

const USER_LAYOUT = query<[userId: number], { layout: string; updatedAt: string }>(
  'SELECT layout, updated_at AS updatedAt FROM desktop_layouts WHERE user_id = ?',
);
const SAVE_USER_LAYOUT = query<[userId: number, layout: string], { updatedAt: string }>(
  `INSERT INTO desktop_layouts (user_id, layout) VALUES (?, ?)
   ON CONFLICT (user_id) DO UPDATE SET layout = excluded.layout, updated_at = ${NOW}
   RETURNING updated_at AS updatedAt`,
);
const CLEAR_USER_LAYOUT = query<[userId: number]>('DELETE FROM desktop_layouts WHERE user_id = ?');
const TEMPLATE = query<[role: string], { layout: string; publishedAt: string; publishedBy: string | null }>(
  `SELECT t.layout, t.published_at AS publishedAt, u.display_name AS publishedBy
   FROM desktop_templates t LEFT JOIN users u ON u.id = t.published_by WHERE t.role = ?`,
);
const PUBLISH_TEMPLATE = query<[role: string, layout: string, userId: number]>(
  `INSERT INTO desktop_templates (role, layout, published_by) VALUES (?, ?, ?)
   ON CONFLICT (role) DO UPDATE SET layout = excluded.layout, published_by = excluded.published_by,
     published_at = ${NOW}`,
);

export const userLayout = (db: Database, userId: number): { layout: string; updatedAt: string } | null =>
  USER_LAYOUT.get(db, userId) ?? null;

/** Writes (or replaces) the user's layout; returns its updated_at. */
export function saveUserLayout(db: Database, userId: number, layout: string): string {
  const r = SAVE_USER_LAYOUT.get(db, userId, layout);
  if (!r) throw new Error('desktop_layouts: the upsert returned no row');
  return r.updatedAt;
}

export function clearUserLayout(db: Database, userId: number): void {
  CLEAR_USER_LAYOUT.run(db, userId);
}

export const desktopTemplate = (
  db: Database,
  role: string,
): { layout: string; publishedAt: string; publishedBy: string | null } | null => TEMPLATE.get(db, role) ?? null;

export function publishTemplate(db: Database, role: string, layout: string, userId: number): void {
  PUBLISH_TEMPLATE.run(db, role, layout, userId);
}
