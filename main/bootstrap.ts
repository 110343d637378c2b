import { randomBytes } from 'node:crypto';
import { hashPassword } from '../db/password';
import { recordAudit } from '../db/repos/audit';
import { countUsers, createUser, rootBranchId } from '../db/repos/users';
import { passwordProblems } from '../shared/password-policy';
import type { Services } from './services';

/**
 * A brand-new store has no users, so nobody could sign in to create one. Create `admin` with a
 * one-time random password that must be changed at first sign-in, and hand it back for the
 * launcher to show once. Returns null when users already exist.
 */
export async function ensureFirstAdmin(services: Services): Promise<{ username: string; password: string } | null> {
  const { db } = services;
  if (countUsers(db) > 0) return null;
  // Random, and drawn again until it meets the password policy the administrator will be held to.
  let password = randomBytes(9).toString('base64url');
  while (passwordProblems(password, 'admin').length > 0) password = randomBytes(9).toString('base64url');
  const id = createUser(db, {
    username: 'admin',
    displayName: '系统管理员',
    role: 'admin',
    staffId: null,
    branchId: rootBranchId(db),
    passwordHash: await hashPassword(password, services.passwordCost),
    mustChangePassword: true,
  });
  recordAudit(
    db,
    { userId: null, username: null, role: null },
    { action: 'users.bootstrap', outcome: 'ok', targetType: 'user', targetId: id },
  );
  return { username: 'admin', password };
}
