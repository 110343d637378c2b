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

/**
 * The user accounts. Still a factory object (Services.repos.users) because the sign-in and user
 * handlers reach it there; its statements are declared once above like the rest of the store layer.
 */
export function usersRepo(db: Database) {
  const now = () => new Date().toISOString();
  return {
    findByUsername: (username: string) => BY_NAME.get(db, username),
    findById: (id: number) => BY_ID.get(db, id),
    list: () => LIST.all(db),
    count: () => COUNT.get(db)?.n ?? 0,

    /** One more failure; locks the account for `lockMs` once `maxAttempts` is reached. Returns the new state. */
    recordFailure(
      id: number,
      at: Date,
      maxAttempts: number,
      lockMs: number,
    ): { attempts: number; lockedUntil: string | null } {
      return db.transaction(() => {
        const attempts = (FAILED_ATTEMPTS.get(db, id)?.failed_attempts ?? 0) + 1;
        const lockedUntil = attempts >= maxAttempts ? new Date(at.getTime() + lockMs).toISOString() : null;
        db.prepare(
          'UPDATE users SET failed_attempts = ?, locked_until = COALESCE(?, locked_until), updated_at = ? WHERE id = ?',
        ).run(attempts, lockedUntil, at.toISOString(), id);
        return { attempts, lockedUntil };
      })();
    },
    recordSuccess(id: number, at: Date): void {
      db.prepare(
        'UPDATE users SET failed_attempts = 0, locked_until = NULL, last_sign_in_at = ?, updated_at = ? WHERE id = ?',
      ).run(at.toISOString(), at.toISOString(), id);
    },
    create(u: NewUser): number {
      const r = db
        .prepare(
          `INSERT INTO users (username, display_name, role, staff_id, branch_id, password_hash, must_change_password)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(u.username, u.displayName, u.role, u.staffId, u.branchId, u.passwordHash, u.mustChangePassword ? 1 : 0);
      return Number(r.lastInsertRowid);
    },
    setDisabled(id: number, disabled: boolean): void {
      db.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?').run(disabled ? 1 : 0, now(), id);
    },
    unlock(id: number): void {
      db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(
        now(),
        id,
      );
    },
    setPassword(id: number, hash: string, mustChange: boolean): void {
      db.prepare(
        'UPDATE users SET password_hash = ?, must_change_password = ?, failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?',
      ).run(hash, mustChange ? 1 : 0, now(), id);
    },
    setLocale(id: number, locale: 'zh-CN' | 'en'): void {
      db.prepare('UPDATE users SET locale = ?, updated_at = ? WHERE id = ?').run(locale, now(), id);
    },
    staff: (id: number): StaffRecord | undefined => STAFF.get(db, id),
    /** Active staff not yet linked to a user. */
    unlinkedStaff: (): StaffRecord[] => UNLINKED_STAFF.all(db),
    /** The top of the branch tree, where an administrator without staff record belongs. */
    rootBranchId: (): number | null => ROOT_BRANCH.get(db)?.id ?? null,
  };
}
export type UsersRepo = ReturnType<typeof usersRepo>;
