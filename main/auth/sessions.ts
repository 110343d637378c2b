import { createHash, randomBytes } from 'node:crypto';

/**
 * Signed-in sessions, held in the main process's memory only: a restart signs everyone out, and
 * the store never holds a live bearer token. The client keeps an opaque random token; we keep its
 * SHA-256 so a memory dump of this map cannot be replayed.
 */
export interface SessionPolicy {
  /** Idle time after which a session ends (a teller walks away from the counter). */
  idleMs: number;
  /** Hard limit regardless of activity (one working day). */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

interface Entry {
  userId: number;
  createdAt: number;
  lastSeenAt: number;
}

export type SessionLookup =
  | { status: 'ok'; userId: number }
  | { status: 'missing' }
  | { status: 'expired'; userId: number };

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  create(userId: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const t = this.now();
    this.entries.set(hash(token), { userId, createdAt: t, lastSeenAt: t });
    return { token, expiresAt: Math.min(t + this.policy.idleMs, t + this.policy.absoluteMs) };
  }

  /** Resolves a token and slides its idle window. Expired entries are removed. */
  touch(token: string): SessionLookup {
    const key = hash(token);
    const e = this.entries.get(key);
    if (!e) return { status: 'missing' };
    const t = this.now();
    if (t - e.lastSeenAt > this.policy.idleMs || t - e.createdAt > this.policy.absoluteMs) {
      this.entries.delete(key);
      return { status: 'expired', userId: e.userId };
    }
    e.lastSeenAt = t;
    return { status: 'ok', userId: e.userId };
  }

  revoke(token: string): void {
    this.entries.delete(hash(token));
  }

  /** Ends every session of a user (disabled, password reset, password changed), except `keep` if given. */
  revokeUser(userId: number, keep?: string): void {
    const kept = keep === undefined ? undefined : hash(keep);
    for (const [k, e] of this.entries) if (e.userId === userId && k !== kept) this.entries.delete(k);
  }
}
