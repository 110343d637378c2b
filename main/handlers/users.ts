import type { UserRow } from '../../shared/api';
import { AppError } from '../../shared/errors';
import type { Role } from '../../shared/permissions';
import {
  createUser,
  listUsers,
  rootBranchId,
  setUserDisabled,
  setUserPassword,
  staffRecord,
  unlinkedStaff,
  unlockUser,
  userById,
  userByUsername,
  type UserRecord,
} from '../../db/repos/users';
import { hashPassword } from '../../db/password';
import {
  decideReset,
  type PendingReset,
  pendingReset,
  pendingResets,
  requestReset,
} from '../../db/repos/password-resets';
import { branchTree } from '../../db/scope';
import { shareUser, type UserChangeName } from '../../db/sync/users';
import { kickSync } from '../sync/worker';
import { assertPasswordPolicy } from '../auth/password-rules';
import { handlers, type AuthedCtx } from './types';

function toRow(u: UserRecord, now: Date, pending: ReadonlySet<number> = new Set()): UserRow {
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
    resetPending: pending.has(u.id),
  };
}

/** Accounts whose reset must be approved by a second person: those that reach customer data. */
const DUAL_CONTROL: ReadonlySet<Role> = new Set(['president', 'manager', 'teller']);
/** A reset request left undecided this long lapses (the administrator asks again). */
const RESET_TTL_MS = 24 * 60 * 60_000;

function pendingIds(ctx: AuthedCtx): Set<number> {
  return new Set(pendingResets(ctx.services.db, ctx.services.clock.now()).map((r) => r.user_id));
}

/**
 * Who may decide a reset: never the requester, never the account's owner; an administrator for any
 * account; the president for the managers and tellers of their own branch tree.
 */
function decider(ctx: AuthedCtx): (r: PendingReset) => boolean {
  let tree: number[] | undefined; // the president's branch tree, read once per call however many rows
  return (r) => {
    if (r.requested_by === ctx.user.id || r.user_id === ctx.user.id) return false;
    if (ctx.user.role === 'admin') return true;
    if (ctx.user.role !== 'president' || ctx.user.branch_id === null || r.branch_id === null) return false;
    if (r.role !== 'manager' && r.role !== 'teller') return false;
    tree ??= branchTree(ctx.services.db, ctx.user.branch_id);
    return tree.includes(r.branch_id);
  };
}

/**
 * On a PC joined to a hub, queues the account's change in the caller's transaction (db/sync/users.ts:
 * accounts live on the hub); standalone it does nothing.
 */
function share(ctx: AuthedCtx, name: UserChangeName, id: number): void {
  shareUser(ctx.services.db, name, id, { userId: ctx.user.username, role: ctx.user.role });
}

/** A role that serves customers must match the staff member's position. */
const POSITION_FOR_ROLE: Record<Role, string | null> = {
  president: 'president',
  manager: 'manager',
  teller: 'teller',
  admin: null,
};

function mustFind(ctx: AuthedCtx, id: number): UserRecord {
  const u = userById(ctx.services.db, id);
  if (!u) throw new AppError('NOT_FOUND', { entity: 'user', id });
  return u;
}

export const usersHandlers = handlers({
  'users.list': (_input, ctx) => {
    const pending = pendingIds(ctx);
    return listUsers(ctx.services.db).map((u) => toRow(u, ctx.services.clock.now(), pending));
  },

  'users.staffOptions': (_input, ctx) =>
    unlinkedStaff(ctx.services.db).map((s) => ({
      id: s.id,
      employeeNo: s.employee_no,
      name: s.name,
      position: s.position,
      branchName: s.branch_name,
    })),

  'users.create': async (input, ctx) => {
    const { db } = ctx.services;
    if (userByUsername(db, input.username)) throw new AppError('CONFLICT', { field: 'username' });
    let branchId = rootBranchId(db);
    if (input.staffId != null) {
      const staff = staffRecord(db, input.staffId);
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
    const passwordHash = await hashPassword(input.password, ctx.services.passwordCost);
    try {
      id = db.transaction(() => {
        const created = createUser(db, {
          username: input.username,
          displayName: input.displayName,
          role: input.role,
          staffId: input.staffId,
          branchId,
          passwordHash,
          mustChangePassword: true,
        });
        share(ctx, 'users.create', created);
        return created;
      })();
      kickSync(db);
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
    const { db } = ctx.services;
    db.transaction(() => {
      setUserDisabled(db, id, disabled);
      share(ctx, 'users.setDisabled', id);
    })();
    kickSync(db);
    if (disabled) ctx.services.sessions.revokeUser(id);
    ctx.audit({ action: 'users.setDisabled', outcome: 'ok', targetType: 'user', targetId: id, details: { disabled } });
    return toRow(mustFind(ctx, id), ctx.services.clock.now());
  },

  'users.unlock': ({ id }, ctx) => {
    mustFind(ctx, id);
    unlockUser(ctx.services.db, id);
    ctx.audit({ action: 'users.unlock', outcome: 'ok', targetType: 'user', targetId: id });
    return toRow(mustFind(ctx, id), ctx.services.clock.now());
  },

  'users.resetPassword': async ({ id, password }, ctx) => {
    const target = mustFind(ctx, id);
    assertPasswordPolicy(password, target.username);
    const hash = await hashPassword(password, ctx.services.passwordCost);
    const now = ctx.services.clock.now();
    if (DUAL_CONTROL.has(target.role)) {
      // Dual control: whoever sets the temporary password could sign in with it as this user; it takes
      // effect only when a second person approves (users.decideReset). The account is untouched till then.
      const db = ctx.services.db;
      const requestId = db.transaction(() => {
        const r = requestReset(db, id, ctx.user.id, now, RESET_TTL_MS, hash);
        share(ctx, 'users.resetPassword', id);
        return r;
      })();
      kickSync(db);
      ctx.audit({
        action: 'users.resetPassword',
        outcome: 'ok',
        targetType: 'user',
        targetId: id,
        details: { pendingApproval: true, requestId },
      });
    } else {
      const db = ctx.services.db;
      db.transaction(() => {
        setUserPassword(db, id, hash, true);
        share(ctx, 'users.resetPassword', id);
      })();
      kickSync(db);
      ctx.services.sessions.revokeUser(id);
      ctx.audit({ action: 'users.resetPassword', outcome: 'ok', targetType: 'user', targetId: id });
    }
    return toRow(mustFind(ctx, id), now, pendingIds(ctx));
  },

  'users.pendingResets': (_input, ctx) => {
    const mayDecide = decider(ctx);
    return pendingResets(ctx.services.db, ctx.services.clock.now())
      .map((r) => ({ r, canDecide: mayDecide(r) }))
      .filter(({ r, canDecide }) => ctx.user.role === 'admin' || canDecide || r.requested_by === ctx.user.id)
      .map(({ r, canDecide }) => ({
        id: r.id,
        userId: r.user_id,
        username: r.username,
        displayName: r.display_name,
        role: r.role as Role,
        requestedBy: r.requested_by_name,
        requestedAt: r.requested_at,
        expiresAt: r.expires_at,
        canDecide,
      }));
  },

  'users.decideReset': ({ id, approve }, ctx) => {
    const now = ctx.services.clock.now();
    const r = pendingReset(ctx.services.db, id, now);
    if (!r) throw new AppError('NOT_FOUND', { entity: 'password_reset', id });
    if (!decider(ctx)(r)) {
      ctx.audit({
        action: 'users.decideReset',
        outcome: 'denied',
        targetType: 'user',
        targetId: r.user_id,
        details: { requestId: id },
      });
      throw new AppError('FORBIDDEN', { reason: 'not_an_approver' });
    }
    const db = ctx.services.db;
    db.transaction(() => {
      decideReset(db, r, approve, ctx.user.id, now);
      share(ctx, 'users.decideReset', r.user_id);
    })();
    kickSync(db);
    if (approve) ctx.services.sessions.revokeUser(r.user_id);
    ctx.audit({
      action: approve ? 'users.approveReset' : 'users.rejectReset',
      outcome: 'ok',
      targetType: 'user',
      targetId: r.user_id,
      details: { requestId: id, requestedBy: r.requested_by },
    });
    return { approved: approve };
  },
});
