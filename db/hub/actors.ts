import type { PoolClient } from 'pg';
import type { Mutation } from '../../shared/sync/protocol';
import { ROLES } from '../../shared/permissions';
import type { SyncActor } from '../../shared/sync/rules';
import { hubUserRecord } from './users';

/**
 * Who wrote a mutation, as the hub decides it (issue 16, "the hub checks the permission and data scope
 * of every mutation"). The PC names the signed-in user, their role and employee number; the hub then:
 * - when users live on the hub (the branch's `users` records, the identity step of issue 16): takes role and staff
 *   from the hub's own row, refuses a user it does not know or has disabled, and refuses a mutation
 *   whose sent role disagrees (a PC with a stale or forged idea of who the user is);
 * - while the branch has none yet (its first PC is joining): takes the PC's word for them (the PC is enrolled by the administrator and authenticated
 *   by its own key), refusing a role that does not exist.
 * The write rules (shared/sync/rules.ts) then check permission, state moves and ownership as that actor,
 * the same rules the workstation's domain code runs. One function, so the identity step tightens it in
 * one place. null: refused (unknown_user).
 */
export async function resolveActor(
  c: PoolClient,
  branch: string,
  userId: string,
  sent: Pick<Mutation, 'role' | 'staff'> = {},
): Promise<SyncActor | null> {
  const known = await hubUser(c, branch, userId);
  if (known === 'no_users') {
    if (!sent.role || !(ROLES as readonly string[]).includes(sent.role)) return null;
    return { userId, role: sent.role, ...(sent.staff !== undefined ? { staff: sent.staff } : {}) };
  }
  if (known === null || !known.active) return null;
  if (sent.role !== undefined && sent.role !== known.role) return null;
  return { userId, role: known.role, staff: known.staff };
}

/**
 * The hub's record of a user: the branch's `users` records (db/hub/users.ts, issue 16 "Identity");
 * 'no_users' while the branch has no account on the hub yet (its first PC is bringing them).
 */
const hubUser = hubUserRecord;
