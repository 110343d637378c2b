import type { SessionUser } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { ROLE_PERMISSIONS } from '../../shared/permissions';
import { recordAudit } from '../../db/repos/audit';
import {
  recordSignInFailure,
  recordSignInSuccess,
  setUserLocale,
  setUserPassword,
  unlockUser,
  userById,
  userByUsername,
  type UserRecord,
} from '../../db/repos/users';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../db/password';
import { recentPasswordHashes, rememberPassword } from '../../db/repos/password-history';
import { PASSWORD_POLICY } from '../../shared/password-policy';
import { shareUser } from '../../db/sync/users';
import { assertPasswordPolicy } from '../auth/password-rules';
import { kickSync } from '../sync/worker';
import { handlers } from './types';

export function publicUser(u: UserRecord): SessionUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    branchId: u.branch_id,
    branchName: u.branch_name,
    staffId: u.staff_id,
    locale: u.locale,
    mustChangePassword: u.must_change_password === 1,
    permissions: [...ROLE_PERMISSIONS[u.role]],
  };
}

/**
 * Failed attempts for user names that do not exist, kept in memory per service instance, bounded:
 * they behave like real accounts (count, lock) so that the answer does not reveal which names exist.
 */
class PhantomAttempts {
  private readonly entries = new Map<string, { attempts: number; lockedUntil: number }>();
  claim(
    username: string,
    now: Date,
    policy: { maxAttempts: number; lockMs: number },
  ): { attempts: number; locked: boolean; lockedUntil: string | null } {
    const key = username.trim().toLowerCase().slice(0, 64);
    const t = now.getTime();
    let e = this.entries.get(key);
    if (e && e.lockedUntil > t)
      return { attempts: e.attempts, locked: true, lockedUntil: new Date(e.lockedUntil).toISOString() };
    if (e?.lockedUntil !== 0) e = { attempts: 0, lockedUntil: 0 };
    e.attempts++;
    if (e.attempts >= policy.maxAttempts) e.lockedUntil = t + policy.lockMs;
    this.entries.delete(key);
    this.entries.set(key, e);
    // Oldest first: a flood of invented names cannot grow this without bound.
    while (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value!);
    return {
      attempts: e.attempts,
      locked: false,
      lockedUntil: e.lockedUntil ? new Date(e.lockedUntil).toISOString() : null,
    };
  }
}
const phantoms = new WeakMap<object, PhantomAttempts>();
function phantomAttempts(services: object): PhantomAttempts {
  let p = phantoms.get(services);
  if (!p) {
    p = new PhantomAttempts();
    phantoms.set(services, p);
  }
  return p;
}

export const authHandlers = handlers({
  'auth.signIn': async ({ username, password }, ctx) => {
    const { db, sessions, clock, authPolicy } = ctx.services;
    const user = userByUsername(db, username);
    const fail = (outcome: 'failed' | 'denied', reason: string, u?: UserRecord) =>
      recordAudit(
        db,
        { userId: u?.id ?? null, username: u?.username ?? username.slice(0, 64), role: u?.role ?? null },
        { action: 'auth.signIn', outcome, details: { reason, adapter: ctx.meta.adapter } },
      );
    const now = clock.now();

    if (!user) {
      // An unknown name is counted and locked exactly like a real one, so neither the answer's shape
      // (remaining attempts, lock) nor its timing tells which user names exist.
      const state = phantomAttempts(ctx.services).claim(username, now, authPolicy);
      // Checked like a real account's attempt, and like a real locked account's not at all: a locked
      // real name is refused before any password check, so a locked invented one must be as quick.
      if (!state.locked) await verifyPassword(password, await dummyPasswordHash());
      fail(state.locked ? 'denied' : 'failed', 'unknown_user');
      if (state.lockedUntil) throw new AppError('ACCOUNT_LOCKED', { lockedUntil: state.lockedUntil });
      throw new AppError('BAD_CREDENTIALS', {
        remainingAttempts: Math.max(0, authPolicy.maxAttempts - state.attempts),
      });
    }
    if (user.locked_until && new Date(user.locked_until) > now) {
      fail('denied', 'locked', user);
      throw new AppError('ACCOUNT_LOCKED', { lockedUntil: user.locked_until });
    }
    // A lock that has run out starts a fresh count.
    if (user.locked_until) unlockUser(db, user.id);
    // The attempt is counted BEFORE the slow password check, in the same synchronous step as the lock
    // check above: guesses sent in parallel each take a slot, so at most maxAttempts of them are ever
    // checked per lock period (counting after the await let 30 parallel guesses all be checked).
    const state = recordSignInFailure(db, user.id, now, authPolicy.maxAttempts, authPolicy.lockMs);
    const right = await verifyPassword(password, user.password_hash);
    if (!right) {
      fail('failed', 'bad_password', user);
      if (state.lockedUntil) {
        recordAudit(
          db,
          { userId: user.id, username: user.username, role: user.role },
          {
            action: 'auth.locked',
            outcome: 'denied',
            details: { attempts: state.attempts, lockedUntil: state.lockedUntil },
          },
        );
        throw new AppError('ACCOUNT_LOCKED', { lockedUntil: state.lockedUntil });
      }
      throw new AppError('BAD_CREDENTIALS', {
        remainingAttempts: Math.max(0, authPolicy.maxAttempts - state.attempts),
      });
    }
    // Right password, but other attempts locked the account while this one was being checked: the lock
    // stands (a success must not clear a lock that guesses running beside it earned).
    const after = userById(db, user.id)!;
    if (!state.lockedUntil && after.locked_until && new Date(after.locked_until) > now) {
      fail('denied', 'locked', user);
      throw new AppError('ACCOUNT_LOCKED', { lockedUntil: after.locked_until });
    }
    if (user.disabled) {
      fail('denied', 'disabled', user);
      throw new AppError('ACCOUNT_DISABLED');
    }
    const firstHere = user.last_sign_in_at === null;
    recordSignInSuccess(db, user.id, now);
    // Branch network: someone signing in on this PC for the first time widens its pull scope to theirs
    // (shared/sync/read-rules.ts); sync now, so what they may see arrives at once. Nothing standalone.
    if (firstHere) kickSync(db);
    const { token, expiresAt } = sessions.create(user.id);
    recordAudit(
      db,
      { userId: user.id, username: user.username, role: user.role },
      { action: 'auth.signIn', outcome: 'ok', details: { adapter: ctx.meta.adapter } },
    );
    return {
      session: token,
      expiresAt: new Date(expiresAt).toISOString(),
      user: publicUser(userById(db, user.id)!),
    };
  },

  'auth.signOut': (_input, ctx) => {
    if (ctx.session) ctx.services.sessions.revoke(ctx.session);
    ctx.audit({ action: 'auth.signOut', outcome: 'ok' });
    return { ok: true as const };
  },

  'auth.me': (_input, ctx) => publicUser(ctx.user),

  'auth.changePassword': async ({ currentPassword, newPassword }, ctx) => {
    if (!(await verifyPassword(currentPassword, ctx.user.password_hash))) {
      ctx.audit({ action: 'auth.changePassword', outcome: 'failed', details: { reason: 'bad_password' } });
      throw new AppError('BAD_CREDENTIALS');
    }
    assertPasswordPolicy(newPassword, ctx.user.username);
    // Not the current password nor one of the ones before it (PASSWORD_POLICY.history in all).
    const previous = [
      ctx.user.password_hash,
      ...recentPasswordHashes(ctx.services.db, ctx.user.id, PASSWORD_POLICY.history - 1),
    ];
    for (const h of previous) {
      if (await verifyPassword(newPassword, h)) {
        throw new AppError('PASSWORD_POLICY', { rules: ['reused'], history: PASSWORD_POLICY.history });
      }
    }
    const hash = await hashPassword(newPassword, ctx.services.passwordCost);
    const { db } = ctx.services;
    // On a PC joined to a hub the new hash (and the history) goes to the branch's account in the same
    // transaction: the user then signs in with it on every PC (db/sync/users.ts).
    db.transaction(() => {
      rememberPassword(db, ctx.user.id, ctx.user.password_hash, ctx.services.clock.now(), PASSWORD_POLICY.history);
      setUserPassword(db, ctx.user.id, hash, false);
      shareUser(db, 'auth.changePassword', ctx.user.id, { userId: ctx.user.username, role: ctx.user.role });
    })();
    kickSync(db);
    // A new password ends the user's sessions elsewhere (a session someone else opened with the old one
    // must not outlive it); the one that changed it stays signed in.
    ctx.services.sessions.revokeUser(ctx.user.id, ctx.session ?? undefined);
    ctx.audit({ action: 'auth.changePassword', outcome: 'ok' });
    return { ok: true as const };
  },

  'auth.setLocale': ({ locale }, ctx) => {
    const { db } = ctx.services;
    db.transaction(() => {
      setUserLocale(db, ctx.user.id, locale);
      shareUser(db, 'auth.setLocale', ctx.user.id, { userId: ctx.user.username, role: ctx.user.role });
    })();
    kickSync(db);
    return { ok: true as const };
  },
});
