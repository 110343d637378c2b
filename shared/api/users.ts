import { z } from 'zod';
import { ROLES, type Role } from '../permissions';
import { empty } from './common';
import { method } from './define';

export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  staffId: number | null;
  staffName: string | null;
  branchName: string | null;
  disabled: boolean;
  locked: boolean;
  lastSignInAt: string | null;
  /** A password reset for this account awaits a second person's approval. */
  resetPending: boolean;
}

/** A password reset awaiting approval (dual control), as an approver sees it. */
export interface PendingResetRow {
  id: number;
  userId: number;
  username: string;
  displayName: string;
  role: Role;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  /** Whether the caller may decide it (not their own request or account, and in their remit). */
  canDecide: boolean;
}

export interface StaffOption {
  id: number;
  employeeNo: string;
  name: string;
  position: string;
  branchName: string;
}

// Length and the other rules are the password policy's (main/auth/password-rules.ts), which names every
// rule broken; the schema only refuses an empty or absurdly long value.
const newPassword = z.string().min(1).max(256);

export const usersApi = {
  'users.list': method<UserRow[]>()('user.manage', empty),
  /** Staff members that may be linked to a new user. */
  'users.staffOptions': method<StaffOption[]>()('user.manage', empty),
  'users.create': method<UserRow>()(
    'user.manage',
    z
      .object({
        username: z
          .string()
          .trim()
          .min(2)
          .max(64)
          .regex(/^[A-Za-z0-9._-]+$/),
        displayName: z.string().trim().min(1).max(64),
        role: z.enum(ROLES),
        staffId: z.number().int().positive().nullable(),
        password: newPassword,
      })
      .strict(),
  ),
  'users.setDisabled': method<UserRow>()(
    'user.manage',
    z.object({ id: z.number().int().positive(), disabled: z.boolean() }).strict(),
  ),
  /** Clears a lockout after repeated failed sign-ins. */
  'users.unlock': method<UserRow>()('user.manage', z.object({ id: z.number().int().positive() }).strict()),
  /**
   * Sets a temporary password the user must change at next sign-in. For an account with customer
   * access (president, manager, teller) it is a request that takes effect only once a second person
   * approves it (users.decideReset); for another administrator it takes effect at once.
   */
  'users.resetPassword': method<UserRow>()(
    'user.manage',
    z.object({ id: z.number().int().positive(), password: newPassword }).strict(),
  ),
  /** Password resets awaiting approval that the caller may see (administrators: all; the president: their branch's). */
  'users.pendingResets': method<PendingResetRow[]>()('user.approveReset', empty),
  /** Approves or rejects a pending reset; never one's own request or one's own account. Audited. */
  'users.decideReset': method<{ approved: boolean }>()(
    'user.approveReset',
    z.object({ id: z.number().int().positive(), approve: z.boolean() }).strict(),
  ),
} as const;
