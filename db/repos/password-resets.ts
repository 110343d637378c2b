/**
 * Password-reset requests awaiting a second person's approval (migration 0021: dual control).
 * The temporary password's hash waits here; approving copies it onto the user in one transaction.
 */
import type { Database } from 'better-sqlite3';
import { query } from '../sql';

export interface PendingReset {
  id: number;
  user_id: number;
  username: string;
  display_name: string;
  role: string;
  branch_id: number | null;
  requested_by: number;
  requested_by_name: string;
  requested_at: string;
  expires_at: string;
  temp_hash: string;
}

const SUPERSEDE = query<[userId: number]>(
  "UPDATE password_resets SET status = 'superseded' WHERE user_id = ? AND status = 'pending'",
);
const INSERT = query<[userId: number, by: number, at: string, expires: string, hash: string]>(
  `INSERT INTO password_resets (user_id, requested_by, requested_at, expires_at, temp_hash)
   VALUES (?, ?, ?, ?, ?)`,
);
const PENDING = `SELECT r.id, r.user_id, u.username, u.display_name, u.role, u.branch_id, r.requested_by,
    q.display_name AS requested_by_name, r.requested_at, r.expires_at, r.temp_hash
  FROM password_resets r JOIN users u ON u.id = r.user_id JOIN users q ON q.id = r.requested_by
  WHERE r.status = 'pending' AND r.expires_at > ?`;
const LIST_PENDING = query<[now: string], PendingReset>(`${PENDING} ORDER BY r.requested_at`);
const ONE_PENDING = query<[now: string, id: number], PendingReset>(`${PENDING} AND r.id = ?`);
const DECIDE = query<[status: string, by: number, at: string, id: number]>(
  "UPDATE password_resets SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
);
const SET_HASH = query<[hash: string, at: string, userId: number]>(
  `UPDATE users SET password_hash = ?, must_change_password = 1, failed_attempts = 0, locked_until = NULL,
     updated_at = ? WHERE id = ?`,
);

/** A new request for `userId`, replacing any pending one; returns its id. */
export function requestReset(db: Database, userId: number, by: number, at: Date, ttlMs: number, hash: string): number {
  return db.transaction(() => {
    SUPERSEDE.run(db, userId);
    const expires = new Date(at.getTime() + ttlMs).toISOString();
    return Number(INSERT.run(db, userId, by, at.toISOString(), expires, hash).lastInsertRowid);
  })();
}

export function pendingResets(db: Database, now: Date): PendingReset[] {
  return LIST_PENDING.all(db, now.toISOString());
}

export function pendingReset(db: Database, id: number, now: Date): PendingReset | undefined {
  return ONE_PENDING.get(db, now.toISOString(), id);
}

/** Approves (the temporary password becomes the user's, to be changed at sign-in) or rejects. */
export function decideReset(db: Database, r: PendingReset, approve: boolean, by: number, at: Date): void {
  db.transaction(() => {
    DECIDE.run(db, approve ? 'approved' : 'rejected', by, at.toISOString(), r.id);
    if (approve) SET_HASH.run(db, r.temp_hash, at.toISOString(), r.user_id);
  })();
}
