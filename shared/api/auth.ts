import { z } from 'zod';
import type { Permission, Role } from '../permissions';
import { empty, locale, type Locale } from './common';
import { method } from './define';

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  branchId: number | null;
  branchName: string | null;
  staffId: number | null;
  locale: Locale;
  mustChangePassword: boolean;
  permissions: Permission[];
}

export interface SignInResult {
  /** Opaque bearer for later calls; the store keeps only its hash. */
  session: string;
  expiresAt: string;
  user: SessionUser;
}

const username = z.string().trim().min(1).max(64);
const password = z.string().min(1).max(256);

export const authApi = {
  /** Sign in with a local account. Failures count toward lockout and are audited. */
  'auth.signIn': method<SignInResult>()('public', z.object({ username, password }).strict()),
  /** End the current session. */
  'auth.signOut': method<{ ok: true }>()('session', empty),
  /** The signed-in user, or UNAUTHENTICATED / SESSION_EXPIRED. */
  'auth.me': method<SessionUser>()('session', empty),
  /** Change one's own password (required after an administrator reset). */
  'auth.changePassword': method<{ ok: true }>()(
    'session',
    z.object({ currentPassword: password, newPassword: z.string().min(1).max(256) }).strict(),
  ),
  /** Remember the user's UI language. */
  'auth.setLocale': method<{ ok: true }>()('session', z.object({ locale }).strict()),
} as const;
