import type { Database } from 'better-sqlite3';
import type { Role } from '../../shared/permissions';

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

export function usersRepo(db: Database) {
  const byName = db.prepare(`${SELECT_USER} WHERE u.username = ?`);
  const byId = db.prepare(`${SELECT_USER} WHERE u.id = ?`);
  const now = () => new Date().toISOString();
  return {
    findByUsername: (username: string) => byName.get(username) as UserRecord | undefined,
    findById: (id: number) => byId.get(id) as UserRecord | undefined,
    list: () => db.prepare(`${SELECT_USER} ORDER BY u.role, u.username`).all() as UserRecord[],
    count: () => (db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n,

    /** One more failure; locks the account for `lockMs` once `maxAttempts` is reached. Returns the new state. */
    recordFailure(
      id: number,
      at: Date,
      maxAttempts: number,
      lockMs: number,
    ): { attempts: number; lockedUntil: string | null } {
      return db.transaction(() => {
        const row = db.prepare('SELECT failed_attempts FROM users WHERE id = ?').get(id) as { failed_attempts: number };
        const attempts = row.failed_attempts + 1;
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
    staff(id: number) {
      return db
        .prepare(
          `SELECT s.id, s.employee_no, s.name, s.position, s.branch_id, b.name AS branch_name
           FROM staff s JOIN branches b ON b.id = s.branch_id WHERE s.id = ?`,
        )
        .get(id) as StaffRecord | undefined;
    },
    /** Active staff not yet linked to a user. */
    unlinkedStaff(): StaffRecord[] {
      return db
        .prepare(
          `SELECT s.id, s.employee_no, s.name, s.position, s.branch_id, b.name AS branch_name
           FROM staff s JOIN branches b ON b.id = s.branch_id
           WHERE s.active = 1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.staff_id = s.id)
           ORDER BY s.position, s.employee_no`,
        )
        .all() as StaffRecord[];
    },
    /** The top of the branch tree, where an administrator without staff record belongs. */
    rootBranchId(): number | null {
      const r = db.prepare('SELECT id FROM branches WHERE parent_id IS NULL ORDER BY id LIMIT 1').get() as
        | { id: number }
        | undefined;
      return r?.id ?? null;
    },
  };
}
export type UsersRepo = ReturnType<typeof usersRepo>;
