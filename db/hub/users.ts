import type { Pool, PoolClient } from 'pg';
import { USERS_TABLE, userRecordId } from '../../shared/sync/user-rules';

/**
 * The branch's accounts as the hub holds them (issue 16, "Identity": users live on the hub). They are
 * records of the shared table `users` (shared/sync/user-rules.ts), one per user name in lower case,
 * written by the PCs' account changes like any other shared record; db/hub/actors.ts reads them to decide
 * who wrote a mutation: the role and employee number of the hub's record, never what the PC sends.
 */
export interface HubUser {
  role: string;
  staff: string | null;
  active: boolean;
}

/**
 * The hub's record of a user; 'no_users' while the branch has no account on the hub at all (a branch
 * being set up: its first PC brings its accounts, and until they are there the PC's word is taken).
 */
export async function hubUserRecord(
  c: PoolClient,
  branch: string,
  userId: string,
): Promise<HubUser | null | 'no_users'> {
  const r = await c.query(
    `SELECT data, EXISTS (SELECT 1 FROM records WHERE branch = $1 AND tbl = $2) AS any
       FROM (SELECT 1) one LEFT JOIN records ON branch = $1 AND tbl = $2 AND id = $3 AND NOT deleted`,
    [branch, USERS_TABLE, userRecordId(userId)],
  );
  const row = r.rows[0] as { data: { role?: unknown; staff?: unknown; disabled?: unknown } | null; any: boolean };
  if (!row.any) return 'no_users';
  const d = row.data;
  if (!d || typeof d.role !== 'string') return null;
  return { role: d.role, staff: typeof d.staff === 'string' ? d.staff : null, active: d.disabled !== true };
}

/** The branch's accounts on the hub (user name, role, disabled), for the hub's command line. */
export async function hubUsers(
  pool: Pool,
  branch: string,
): Promise<{ username: string; role: string; disabled: boolean }[]> {
  const r = await pool.query(
    `SELECT data->>'username' AS username, data->>'role' AS role,
            coalesce((data->>'disabled')::boolean, false) AS disabled
       FROM records WHERE branch = $1 AND tbl = $2 AND NOT deleted ORDER BY id`,
    [branch, USERS_TABLE],
  );
  return r.rows as { username: string; role: string; disabled: boolean }[];
}
