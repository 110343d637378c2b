/**
 * Import profiles in the store: the built-in ones (kept in step with the code at every start) and
 * the administrator's own. A built-in profile is never edited in place: saving it makes a copy.
 */
import type { Database } from 'better-sqlite3';
import type { ProfileRow } from '../../../shared/api/imports';
import { AppError } from '../../../shared/errors';
import { profileSchema, type ImportProfile } from '../../../shared/imports';
import { BUILTIN } from './builtin';

interface Raw {
  id: number;
  name: string;
  kind: string;
  definition: string;
  builtin: number;
  updated_at: string;
}

function toRow(r: Raw): ProfileRow {
  const profile = profileSchema.parse(JSON.parse(r.definition));
  return { id: r.id, name: r.name, kind: profile.kind, builtin: r.builtin === 1, profile, updatedAt: r.updated_at };
}

export function syncBuiltinProfiles(db: Database): void {
  const up = db.prepare(
    `INSERT INTO import_profiles (name, kind, definition, builtin) VALUES (?, ?, ?, 1)
     ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, definition = excluded.definition, builtin = 1,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
     WHERE import_profiles.builtin = 1 AND import_profiles.definition <> excluded.definition`,
  );
  db.transaction(() => {
    for (const b of BUILTIN) up.run(b.profile.name, b.profile.kind, JSON.stringify(b.profile));
  })();
}

export function profilesRepo(db: Database) {
  const byId = db.prepare('SELECT id, name, kind, definition, builtin, updated_at FROM import_profiles WHERE id = ?');
  return {
    list(): ProfileRow[] {
      return (
        db
          .prepare(
            'SELECT id, name, kind, definition, builtin, updated_at FROM import_profiles ORDER BY builtin DESC, kind, name',
          )
          .all() as Raw[]
      ).map(toRow);
    },
    get(id: number): ProfileRow {
      const r = byId.get(id) as Raw | undefined;
      if (!r) throw new AppError('NOT_FOUND', { entity: 'import_profile', id });
      return toRow(r);
    },
    byName(name: string): ProfileRow | null {
      const r = db
        .prepare('SELECT id, name, kind, definition, builtin, updated_at FROM import_profiles WHERE name = ?')
        .get(name) as Raw | undefined;
      return r ? toRow(r) : null;
    },
    save(id: number | undefined, profile: ImportProfile, userId: number | null): ProfileRow {
      const p = profileSchema.parse(profile);
      const clash = db.prepare('SELECT id FROM import_profiles WHERE name = ?').get(p.name) as
        | { id: number }
        | undefined;
      if (clash && clash.id !== id) throw new AppError('CONFLICT', { field: 'profileName' });
      if (id !== undefined) {
        const cur = this.get(id);
        if (cur.builtin) throw new AppError('CONFLICT', { field: 'builtinProfile' });
        db.prepare(
          `UPDATE import_profiles SET name = ?, kind = ?, definition = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
        ).run(p.name, p.kind, JSON.stringify(p), id);
        return this.get(id);
      }
      const info = db
        .prepare('INSERT INTO import_profiles (name, kind, definition, builtin, created_by) VALUES (?, ?, ?, 0, ?)')
        .run(p.name, p.kind, JSON.stringify(p), userId);
      return this.get(Number(info.lastInsertRowid));
    },
    remove(id: number): boolean {
      const cur = this.get(id);
      if (cur.builtin) throw new AppError('CONFLICT', { field: 'builtinProfile' });
      return db.prepare('DELETE FROM import_profiles WHERE id = ?').run(id).changes === 1;
    },
  };
}
