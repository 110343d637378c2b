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
}

export interface StaffOption {
  id: number;
  employeeNo: string;
  name: string;
  position: string;
  branchName: string;
}

const newPassword = z.string().min(8).max(256);

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
  /** Sets a temporary password the user must change at next sign-in. */
  'users.resetPassword': method<UserRow>()(
    'user.manage',
    z.object({ id: z.number().int().positive(), password: newPassword }).strict(),
  ),
} as const;
