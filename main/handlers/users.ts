import type { UserRow } from '../../shared/api';
import { AppError } from '../../shared/errors';
import type { Role } from '../../shared/permissions';
import type { UserRecord } from '../../db/repos/users';
import { hashPassword } from '../../db/password';
import { assertPasswordPolicy } from '../auth/password-rules';
import { handlers, type AuthedCtx } from './types';

function toRow(u: UserRecord, now: Date): UserRow {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    staffId: u.staff_id,
    staffName: u.staff_name,
    branchName: u.branch_name,
    disabled: u.disabled === 1,
    locked: !!u.locked_until && new Date(u.locked_until) > now,
    lastSignInAt: u.last_sign_in_at,
  };
}

/** A role that serves customers must match the staff member's position. */
const POSITION_FOR_ROLE: Record<Role, string | null> = {
  president: 'president',
  manager: 'manager',
  teller: 'teller',
  admin: null,
};

function mustFind(ctx: AuthedCtx, id: number): UserRecord {
  const u = ctx.services.repos.users.findById(id);
  if (!u) throw new AppError('NOT_FOUND', { entity: 'user', id });
  return u;
}

export const usersHandlers = handlers({
  'users.list': (_input, ctx) => ctx.services.repos.users.list().map((u) => toRow(u, ctx.services.clock.now())),

  'users.staffOptions': (_input, ctx) =>
    ctx.services.repos.users.unlinkedStaff().map((s) => ({
      id: s.id,
      employeeNo: s.employee_no,
      name: s.name,
      position: s.position,
      branchName: s.branch_name,
    })),

  'users.create': async (input, ctx) => {
    const { repos } = ctx.services;
    if (repos.users.findByUsername(input.username)) throw new AppError('CONFLICT', { field: 'username' });
    let branchId = repos.users.rootBranchId();
    if (input.staffId != null) {
      const staff = repos.users.staff(input.staffId);
      if (!staff) throw new AppError('NOT_FOUND', { entity: 'staff', id: input.staffId });
      const expected = POSITION_FOR_ROLE[input.role];
      if (expected && staff.position !== expected) {
        throw new AppError('VALIDATION', { issues: [{ path: ['role'], code: 'position_mismatch' }] });
      }
      branchId = staff.branch_id;
    } else if (input.role !== 'admin') {
      throw new AppError('VALIDATION', { issues: [{ path: ['staffId'], code: 'required_for_role' }] });
    }
    assertPasswordPolicy(input.password, input.username);
    let id: number;
    try {
      id = repos.users.create({
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        staffId: input.staffId,
        branchId,
        passwordHash: await hashPassword(input.password),
        mustChangePassword: true,
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new AppError('CONFLICT', { field: 'staffId' });
      throw err;
    }
    ctx.audit({
      action: 'users.create',
      outcome: 'ok',
      targetType: 'user',
      targetId: id,
      details: { role: input.role },
    });
    return toRow(mustFind(ctx, id), ctx.services.clock.now());
  },

  'users.setDisabled': ({ id, disabled }, ctx) => {
    if (id === ctx.user.id) throw new AppError('CONFLICT', { reason: 'cannot_disable_self' });
    mustFind(ctx, id);
    ctx.services.repos.users.setDisabled(id, disabled);
    if (disabled) ctx.services.sessions.revokeUser(id);
    ctx.audit({ action: 'users.setDisabled', outcome: 'ok', targetType: 'user', targetId: id, details: { disabled } });
    return toRow(mustFind(ctx, id), ctx.services.clock.now());
  },

  'users.unlock': ({ id }, ctx) => {
    mustFind(ctx, id);
    ctx.services.repos.users.unlock(id);
    ctx.audit({ action: 'users.unlock', outcome: 'ok', targetType: 'user', targetId: id });
    return toRow(mustFind(ctx, id), ctx.services.clock.now());
  },

  'users.resetPassword': async ({ id, password }, ctx) => {
    assertPasswordPolicy(password, mustFind(ctx, id).username);
    ctx.services.repos.users.setPassword(id, await hashPassword(password), true);
    ctx.services.sessions.revokeUser(id);
    ctx.audit({ action: 'users.resetPassword', outcome: 'ok', targetType: 'user', targetId: id });
    return toRow(mustFind(ctx, id), ctx.services.clock.now());
  },
});
