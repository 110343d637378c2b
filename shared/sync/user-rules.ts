/**
 * The users of a branch on the hub (issue 16, "Identity"): accounts, roles and password hashes live on
 * the hub, so anyone can sign in on any PC of their branch, offline with the last hash synced there.
 * One record per account, keyed by the user name in lower case (user names are unique without regard
 * to case on every PC). What stays per PC: failed attempts, locks and the last sign-in (a lock is the
 * PC's answer to guessing at its keyboard).
 *
 * Who may write what, checked by the PC and (with the writer resolved from these same records) by the
 * hub: the administrator creates and manages accounts; a user changes their own password and language;
 * a password reset of an account with customer access waits for a second person (dual control, as
 * main/handlers/users.ts): only another administrator, or the president for a manager or teller, may
 * make it the password, never the requester nor the account's owner. Writes without a known writer
 * (a PC joining seeds the accounts it has; the hub's record wins where both have one) are checked for
 * shape only, as for every table.
 */
import type { SyncRow, TableRule, TransitionContext } from './rules';

export const USERS_TABLE = 'users';

const ROLE_VALUES = ['president', 'manager', 'teller', 'admin'] as const;
/** Accounts that reach customer data: their passwords are reset under dual control. */
const DUAL_CONTROL_ROLES: readonly string[] = ['president', 'manager', 'teller'];
/** What a user may change of their own account. */
const SELF_FIELDS: readonly string[] = ['password_hash', 'must_change', 'history', 'locale'];
/** What a decision on a pending reset writes. */
const DECISION_FIELDS: readonly string[] = ['reset', 'password_hash', 'must_change'];

export interface WireReset {
  /** The temporary password's hash, which becomes the password when approved. */
  hash: string;
  /** User name of the requester. */
  by: string;
  at: string;
  expires: string;
}

/** The record's id for a user name. */
export const userRecordId = (username: string): string => username.toLowerCase();

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function changedFields(before: SyncRow, after: SyncRow): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k]));
}

function asReset(v: unknown): WireReset | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Partial<WireReset>;
  return typeof r.hash === 'string' && typeof r.by === 'string' ? (r as WireReset) : null;
}

export function userTransition({ id, before, after, actor }: TransitionContext): string | null {
  if (after === null) return 'not_deletable';
  if (String(after.username).toLowerCase() !== id) return 'id_is_username';
  if (after.role !== 'admin' && (after.staff === null || after.staff === undefined)) return 'staff_required';
  if (after.reset != null && asReset(after.reset) === null) return 'bad_reset';
  if (before === null) {
    if (actor && actor.role !== 'admin') return 'role_cannot_create';
    return null;
  }
  const changed = changedFields(before, after);
  if (changed.includes('username')) return 'fixed_field:username';
  if (!actor) return null;
  const self = actor.userId.toLowerCase() === id;
  if (self && changed.every((f) => SELF_FIELDS.includes(f))) {
    if (changed.includes('password_hash') && after.must_change !== false) return 'own_change_clears_must_change';
    return null;
  }
  const pending = asReset(before.reset);
  if (pending && after.reset == null && changed.every((f) => DECISION_FIELDS.includes(f))) {
    if (self || actor.userId.toLowerCase() === pending.by.toLowerCase()) return 'not_an_approver';
    const remit =
      actor.role === 'admin' || (actor.role === 'president' && (before.role === 'manager' || before.role === 'teller'));
    if (!remit) return 'not_an_approver';
    if (changed.includes('password_hash') && (after.password_hash !== pending.hash || after.must_change !== true))
      return 'approval_sets_requested_password';
    return null;
  }
  if (actor.role !== 'admin') return 'role_cannot_manage_users';
  // An administrator sets another's password directly only for accounts without customer access.
  if (changed.includes('password_hash') && !self && DUAL_CONTROL_ROLES.includes(String(before.role)))
    return 'dual_control';
  return null;
}

export const USER_RULE: TableRule = {
  key: 'natural',
  fields: {
    username: { type: 'text', required: true, maxLength: 64 },
    display_name: { type: 'text', required: true, maxLength: 64 },
    role: { type: 'text', required: true, values: ROLE_VALUES },
    /** Employee number of the linked staff member (required for every role but admin). */
    staff: { type: 'text', maxLength: 64 },
    /** Branch code the account belongs to (an administrator without staff: the branch's root). */
    branch: { type: 'text', maxLength: 32 },
    password_hash: { type: 'text', required: true, maxLength: 512 },
    must_change: { type: 'bool', required: true },
    disabled: { type: 'bool', required: true },
    locale: { type: 'text', required: true, values: ['zh-CN', 'en'] },
    /** Hashes of the previous passwords, newest first (reuse is refused on every PC). */
    history: { type: 'json' },
    /** A reset awaiting a second person's approval (WireReset), or null. */
    reset: { type: 'json' },
  },
  deletable: false,
  transition: userTransition,
};
