import type { SessionUser } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { ROLE_PERMISSIONS } from '../../shared/permissions';
import type { UserRecord } from '../../db/repos/users';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../db/password';
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

export const authHandlers = handlers({
  'auth.signIn': async ({ username, password }, ctx) => {
    const { repos, sessions, clock, authPolicy } = ctx.services;
    const user = repos.users.findByUsername(username);
    const fail = (outcome: 'failed' | 'denied', reason: string, u?: UserRecord) =>
      repos.audit.write(
        { userId: u?.id ?? null, username: u?.username ?? username.slice(0, 64), role: u?.role ?? null },
        { action: 'auth.signIn', outcome, details: { reason, adapter: ctx.meta.adapter } },
      );

    if (!user) {
      // Spend the same time as a real check so response time does not reveal which names exist.
      await verifyPassword(password, await dummyPasswordHash());
      fail('failed', 'unknown_user');
      throw new AppError('BAD_CREDENTIALS');
    }
    const now = clock.now();
    if (user.locked_until && new Date(user.locked_until) > now) {
      fail('denied', 'locked', user);
      throw new AppError('ACCOUNT_LOCKED', { lockedUntil: user.locked_until });
    }
    if (!(await verifyPassword(password, user.password_hash))) {
      const state = repos.users.recordFailure(user.id, now, authPolicy.maxAttempts, authPolicy.lockMs);
      fail('failed', 'bad_password', user);
      if (state.lockedUntil) {
        repos.audit.write(
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
    if (user.disabled) {
      fail('denied', 'disabled', user);
      throw new AppError('ACCOUNT_DISABLED');
    }
    repos.users.recordSuccess(user.id, now);
    const { token, expiresAt } = sessions.create(user.id);
    repos.audit.write(
      { userId: user.id, username: user.username, role: user.role },
      { action: 'auth.signIn', outcome: 'ok', details: { adapter: ctx.meta.adapter } },
    );
    return {
      session: token,
      expiresAt: new Date(expiresAt).toISOString(),
      user: publicUser(repos.users.findById(user.id)!),
    };
  },

  'auth.signOut': (_input, ctx) => {
    if (ctx.session) ctx.services.sessions.revoke(ctx.session);
    ctx.audit({ action: 'auth.signOut', outcome: 'ok' });
    return { ok: true as const };
  },

  'auth.me': (_input, ctx) => publicUser(ctx.user),

  'auth.changePassword': async ({ currentPassword, newPassword }, ctx) => {
    const { repos } = ctx.services;
    if (!(await verifyPassword(currentPassword, ctx.user.password_hash))) {
      ctx.audit({ action: 'auth.changePassword', outcome: 'failed', details: { reason: 'bad_password' } });
      throw new AppError('BAD_CREDENTIALS');
    }
    if (currentPassword === newPassword || newPassword.toLowerCase().includes(ctx.user.username.toLowerCase())) {
      throw new AppError('PASSWORD_POLICY', { rule: 'differs_from_old_and_username' });
    }
    if (!/[A-Za-z]/.test(newPassword) || !/\d/.test(newPassword)) {
      throw new AppError('PASSWORD_POLICY', { rule: 'letters_and_digits' });
    }
    repos.users.setPassword(ctx.user.id, await hashPassword(newPassword), false);
    ctx.audit({ action: 'auth.changePassword', outcome: 'ok' });
    return { ok: true as const };
  },

  'auth.setLocale': ({ locale }, ctx) => {
    ctx.services.repos.users.setLocale(ctx.user.id, locale);
    return { ok: true as const };
  },
});
