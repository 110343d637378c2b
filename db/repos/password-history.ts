/**
 * Previous password hashes per user (migration 0022), newest first, so a change can refuse a reuse of
 * the last few passwords. The check verifies the candidate against each kept hash (salted scrypt):
 * there is no faster honest way, and it runs only when a password is changed.
 */
import type { Database } from 'better-sqlite3';
import { query } from '../sql';

const RECENT = query<[userId: number, n: number], { password_hash: string }>(
  'SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?',
);
const INSERT = query<[userId: number, hash: string, at: string]>(
  'INSERT INTO password_history (user_id, password_hash, replaced_at) VALUES (?, ?, ?)',
);
const TRIM = query<[userId: number, userId2: number, keep: number]>(
  `DELETE FROM password_history WHERE user_id = ? AND id NOT IN
     (SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)`,
);

/** The hashes of the user's `n` most recent previous passwords. */
export function recentPasswordHashes(db: Database, userId: number, n: number): string[] {
  return RECENT.all(db, userId, n).map((r) => r.password_hash);
}

/** Keeps the hash being replaced, and no more than `keep` of them. */
export function rememberPassword(db: Database, userId: number, replacedHash: string, at: Date, keep: number): void {
  db.transaction(() => {
    INSERT.run(db, userId, replacedHash, at.toISOString());
    TRIM.run(db, userId, userId, keep);
  })();
}
