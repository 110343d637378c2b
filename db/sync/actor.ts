import type { Database } from 'better-sqlite3';
import type { SyncActor } from '../../shared/sync/rules';
import { query } from '../sql';

const STAFF_NO = query<[staffId: number], { no: string }>('SELECT employee_no AS no FROM staff WHERE id = ?');

/**
 * The signed-in user as the sync layer names them: username, role and employee number (the hub checks
 * role and ownership with them, db/hub/actors.ts), never this store's INTEGER ids.
 */
export function syncActor(db: Database, user: { username: string; role: string; staff_id: number | null }): SyncActor {
  const staff = user.staff_id == null ? null : (STAFF_NO.get(db, user.staff_id)?.no ?? null);
  return { userId: user.username, role: user.role, staff };
}
