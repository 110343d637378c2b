import type { Database } from 'better-sqlite3';
import { writeAudit } from '../repos/audit';
import { type ConflictEvent, type Mutators, setBeforeRecord, setConflictListener, setProjections } from './replica';
import { customerScopeMutators, FACTS_HOOK, refreshCustomerFacts } from './customer-scope';
import { COLLAB_MUTATORS, COLLAB_PROJECTIONS, collabTarget, placeCollab } from './collab';
import { projectReferral, REFERRALS, referralMutators, reprojectReferrals, localReferralId } from './referrals';
import { projectUser, reprojectUsers, USERS_TABLE, userMutators } from './users';
import { USER_ID } from './local-ids';

/**
 * The domains on the hub: their mutators (re-run on a rebase) and their projections of the replica into
 * the local domain tables. One place, so the sync worker and the handlers wire the same set.
 */
export const DOMAIN_MUTATORS: Mutators = {
  ...referralMutators,
  ...userMutators,
  ...COLLAB_MUTATORS,
  ...customerScopeMutators,
};

/**
 * A 同步冲突 entry in the audit log, in the pull's transaction: the user's act (its API method name)
 * with outcome failed, the conflict's code and when the user acted.
 */
function auditConflict(db: Database, c: ConflictEvent): void {
  // The domain's refusal, else a hub rule's own reason (a closed campaign), else the outcome.
  const code =
    typeof c.reason.refused === 'string'
      ? c.reason.refused
      : typeof c.reason.detail === 'string'
        ? c.reason.detail
        : c.outcome;
  const syncId = (c.args as { syncId?: unknown } | null)?.syncId;
  const referral = c.name.startsWith('referrals.') && typeof syncId === 'string' ? localReferralId(db, syncId) : null;
  const other = referral === null ? collabTarget(db, c.name, c.args) : null;
  writeAudit(
    db,
    {
      userId: c.actor ? (USER_ID.get(db, c.actor.userId)?.id ?? null) : null,
      username: c.actor?.userId ?? null,
      role: c.actor?.role ?? null,
    },
    {
      action: c.name,
      outcome: 'failed',
      targetType: referral !== null ? 'referral' : (other?.type ?? null),
      targetId: referral ?? other?.id ?? null,
      details: { reason: code, sync: c.outcome, madeAt: c.madeAt },
    },
  );
}

/** Shared rows the local book could not place when they arrived, placed now if it can (after each cycle). */
export function placeUnplaced(db: Database): number {
  // Accounts first: a referral names its referrer's account.
  return reprojectUsers(db) + reprojectReferrals(db) + placeCollab(db) + refreshCustomerFacts(db);
}

/** Wires a joined store's handle: projections, conflict auditing, and rows the book could not place yet. */
export function wireDomains(db: Database): void {
  setProjections(db, { [USERS_TABLE]: projectUser, [REFERRALS]: projectReferral, ...COLLAB_PROJECTIONS });
  setConflictListener(db, auditConflict);
  // The hub scopes pulls by the customers' facts: they go up ahead of the first record naming a customer.
  setBeforeRecord(db, FACTS_HOOK);
  placeUnplaced(db);
}
