import type { Database } from 'better-sqlite3';
import { type Scope, scopeFor } from '../../../db/scope';

/**
 * A model version written straight into the lab tables (migration 0027) as a finished training leaves
 * it, scored on the month end 2026-10-31; its scores and activation are the test's to write.
 */
export function addLabVersion(db: Database, targetKey: string, createdAt: string): number {
  const r = db
    .prepare(
      `INSERT INTO lab_models (target_key, target, learner, requested, outcome_months, cutoff, window_end, rows, positives,
                               figures, model, seconds, created_at, scored_on)
       VALUES (?, '{}', 'logistic', 'logistic', 3, '2026-07-31', '2026-10-31', 100, 10, '{}', '{}', 1, ?, '2026-10-31')`,
    )
    .run(targetKey, createdAt);
  return Number(r.lastInsertRowid);
}

/** A demo user's data scope as the app builds it from the stored user record. */
export function scopeOfUser(db: Database, username: string, today: string): Scope {
  const u = db
    .prepare('SELECT role, staff_id AS staffId, branch_id AS branchId FROM users WHERE username = ?')
    .get(username) as { role: 'president' | 'manager'; staffId: number | null; branchId: number | null };
  return scopeFor(db, u, today);
}

/**
 * Scores of every customer, in id order, as activation writes them (lab_scores): `each` puts customer i's
 * (of n) score and group under each version it is scored by; a version it puts nothing under leaves the
 * customer unscored there.
 */
export function scoreCustomers(
  db: Database,
  each: (put: (version: number, score: number, decile: number) => void, i: number, n: number) => void,
): void {
  const ids = (db.prepare('SELECT id FROM customers ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  const ins = db.prepare(
    "INSERT INTO lab_scores (version, customer_id, score, decile, factors) VALUES (?, ?, ?, ?, '[]')",
  );
  db.transaction(() => {
    ids.forEach((id, i) => {
      each((version, score, decile) => ins.run(version, id, score, decile), i, ids.length);
    });
  })();
}

/** The versions in use, one per target (lab_active). */
export function activateVersions(db: Database, active: Record<string, number>): void {
  const ins = db.prepare('INSERT INTO lab_active (target_key, version) VALUES (?, ?)');
  for (const [target, version] of Object.entries(active)) ins.run(target, version);
}
