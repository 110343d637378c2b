import type { Database } from 'better-sqlite3';
import type { Role } from '../../shared/permissions';
import { query } from '../sql';

export interface UserRecord {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  staff_id: number | null;
  branch_id: number | null;
  branch_name: string | null;
  staff_name: string | null;
  password_hash: string;
  failed_attempts: number;
  locked_until: string | null;
  disabled: 0 | 1;
  must_change_password: 0 | 1;
  locale: 'zh-CN' | 'en';
  last_sign_in_at: string | null;
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  staffId: number | null;
  branchId: number | null;
  passwordHash: string;
  mustChangePassword: boolean;
}

export interface StaffRecord {
  id: number;
  employee_no: string;
  name: string;
  position: string;
  branch_id: number;
  branch_name: string;
}

const SELECT_USER = `SELECT u.*, b.name AS branch_name, s.name AS staff_name
  FROM users u LEFT JOIN branches b ON b.id = u.branch_id LEFT JOIN staff s ON s.id = u.staff_id`;

const SELECT_STAFF = `SELECT s.id, s.employee_no, s.name, s.position, s.branch_id, b.name AS branch_name
  FROM staff s JOIN branches b ON b.id = s.branch_id`;
const BY_NAME = query<[username: string], UserRecord>(`${SELECT_USER} WHERE u.username = ?`);
const BY_ID = query<[id: number], UserRecord>(`${SELECT_USER} WHERE u.id = ?`);
const LIST = query<[], UserRecord>(`${SELECT_USER} ORDER BY u.role, u.username`);
const COUNT = query<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
const FAILED_ATTEMPTS = query<[id: number], { failed_attempts: number }>(
  'SELECT failed_attempts FROM users WHERE id = ?',
);
const STAFF = query<[id: number], StaffRecord>(`${SELECT_STAFF} WHERE s.id = ?`);
const UNLINKED_STAFF = query<[], StaffRecord>(
  `${SELECT_STAFF} WHERE s.active = 1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.staff_id = s.id)
   ORDER BY s.position, s.employee_no`,
);
const ROOT_BRANCH = query<[], { id: number }>('SELECT id FROM branches WHERE parent_id IS NULL ORDER BY id LIMIT 1');
const SET_FAILURES = query<[attempts: number, lockedUntil: string | null, at: string, id: number]>(
  'UPDATE users SET failed_attempts = ?, locked_until = COALESCE(?, locked_until), updated_at = ? WHERE id = ?',
);
const SET_SIGNED_IN = query<[lastSignIn: string, at: string, id: number]>(
  'UPDATE users SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = ?, updated_at = ? WHERE id = ?',
);
const INSERT = query<
  [
    username: string,
    displayName: string,
    role: Role,
    staffId: number | null,
    branchId: number | null,
    hash: string,
    mustChange: 0 | 1,
  ]
>(
  `INSERT INTO users (username, display_name, role, staff_id, branch_id, password_hash, must_change_password)
   VALUES (?, ?, ?, ?, ?, ?, ?)`,
);
const SET_DISABLED = query<[disabled: 0 | 1, at: string, id: number]>(
  'UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?',
);
const UNLOCK = query<[at: string, id: number]>(
  'UPDATE users SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?',
);
const SET_PASSWORD = query<[hash: string, mustChange: 0 | 1, at: string, id: number]>(
  `UPDATE users SET password_hash = ?, must_change_password = ?, failed_attempts = 0, locked_until = NULL,
     updated_at = ? WHERE id = ?`,
);
const SET_LOCALE = query<[locale: 'zh-CN' | 'en', at: string, id: number]>(
  'UPDATE users SET locale = ?, updated_at = ? WHERE id = ?',
);

const now = () => new Date().toISOString();

/** The user accounts: sign-in, administration and the staff records they link to. */
export function userByUsername(db: Database, username: string): UserRecord | undefined {
  return BY_NAME.get(db, username);
}

export function userById(db: Database, id: number): UserRecord | undefined {
  return BY_ID.get(db, id);
}

export function listUsers(db: Database): UserRecord[] {
  return LIST.all(db);
}

export function countUsers(db: Database): number {
  return COUNT.get(db)?.n ?? 0;
}

/** One more failure; locks the account for `lockMs` once `maxAttempts` is reached. Returns the new state. */
export function recordSignInFailure(
  db: Database,
  id: number,
  at: Date,
  maxAttempts: number,
  lockMs: number,
): { attempts: number; lockedUntil: string | null } {
  // Read and write in one transaction so two failures at once both count. IMMEDIATE: a deferred one
  // that reads first is refused at once (SQLITE_BUSY, no wait) whenever another connection holds the
  // write lock, e.g. a step of the refill after an upgrade (db/refills.ts); this one waits its turn.
  return db
    .transaction(() => {
      const attempts = (FAILED_ATTEMPTS.get(db, id)?.failed_attempts ?? 0) + 1;
      const lockedUntil = attempts >= maxAttempts ? new Date(at.getTime() + lockMs).toISOString() : null;
      SET_FAILURES.run(db, attempts, lockedUntil, at.toISOString(), id);
      return { attempts, lockedUntil };
    })
    .immediate();
}

export function recordSignInSuccess(db: Database, id: number, at: Date): void {
  SET_SIGNED_IN.run(db, at.toISOString(), at.toISOString(), id);
}

export function createUser(db: Database, u: NewUser): number {
  const r = INSERT.run(
    db,
    u.username,
    u.displayName,
    u.role,
    u.staffId,
    u.branchId,
    u.passwordHash,
    u.mustChangePassword ? 1 : 0,
  );
  return Number(r.lastInsertRowid);
}

export function setUserDisabled(db: Database, id: number, disabled: boolean): void {
  SET_DISABLED.run(db, disabled ? 1 : 0, now(), id);
}

export function unlockUser(db: Database, id: number): void {
  UNLOCK.run(db, now(), id);
}

export function setUserPassword(db: Database, id: number, hash: string, mustChange: boolean): void {
  SET_PASSWORD.run(db, hash, mustChange ? 1 : 0, now(), id);
}

export function setUserLocale(db: Database, id: number, locale: 'zh-CN' | 'en'): void {
  SET_LOCALE.run(db, locale, now(), id);
}

export function staffRecord(db: Database, id: number): StaffRecord | undefined {
  return STAFF.get(db, id);
}

/** Active staff not yet linked to a user. */
export function unlinkedStaff(db: Database): StaffRecord[] {
  return UNLINKED_STAFF.all(db);
}

/** The top of the branch tree, where an administrator without staff record belongs. */
export function rootBranchId(db: Database): number | null {
  return ROOT_BRANCH.get(db)?.id ?? null;
}
