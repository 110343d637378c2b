import type { Database } from 'better-sqlite3';
import { type Mutators, setProjections } from './replica';
import { projectReferral, REFERRALS, referralMutators } from './referrals';

/**
 * The domains on the hub: their mutators (re-run on a rebase) and their projections of the replica into
 * the local domain tables. One place, so the sync worker and the handlers wire the same set.
 */
export const DOMAIN_MUTATORS: Mutators = { ...referralMutators };

export function wireDomains(db: Database): void {
  setProjections(db, { [REFERRALS]: projectReferral });
}
