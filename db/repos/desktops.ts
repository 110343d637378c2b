import type { Database } from 'better-sqlite3';

/**
 * Stored desktop layouts (one per user) and role templates (one per role), as JSON text. What goes in
 * has been validated by the main process (main/desktop/widgets.ts); what comes out is validated again
 * on read, since a store may be edited or restored from an older version.
 */
export function desktopsRepo(db: Database) {
  return {
    userLayout(userId: number): { layout: string; updatedAt: string } | null {
      const r = db
        .prepare('SELECT layout, updated_at AS updatedAt FROM desktop_layouts WHERE user_id = ?')
        .get(userId) as { layout: string; updatedAt: string } | undefined;
      return r ?? null;
    },
    saveUserLayout(userId: number, layout: string): string {
      const r = db
        .prepare(
          `INSERT INTO desktop_layouts (user_id, layout) VALUES (?, ?)
           ON CONFLICT (user_id) DO UPDATE SET layout = excluded.layout, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
           RETURNING updated_at AS updatedAt`,
        )
        .get(userId, layout) as { updatedAt: string };
      return r.updatedAt;
    },
    clearUserLayout(userId: number): void {
      db.prepare('DELETE FROM desktop_layouts WHERE user_id = ?').run(userId);
    },
    template(role: string): { layout: string; publishedAt: string; publishedBy: string | null } | null {
      const r = db
        .prepare(
          `SELECT t.layout, t.published_at AS publishedAt, u.display_name AS publishedBy
           FROM desktop_templates t LEFT JOIN users u ON u.id = t.published_by WHERE t.role = ?`,
        )
        .get(role) as { layout: string; publishedAt: string; publishedBy: string | null } | undefined;
      return r ?? null;
    },
    publishTemplate(role: string, layout: string, userId: number): void {
      db.prepare(
        `INSERT INTO desktop_templates (role, layout, published_by) VALUES (?, ?, ?)
         ON CONFLICT (role) DO UPDATE SET layout = excluded.layout, published_by = excluded.published_by,
           published_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
      ).run(role, layout, userId);
    },
  };
}
export type DesktopsRepo = ReturnType<typeof desktopsRepo>;
