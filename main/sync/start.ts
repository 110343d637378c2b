import type { Database } from 'better-sqlite3';
import { DOMAIN_MUTATORS, placeUnplaced, wireDomains } from '../../db/sync/domains';
import { queuedCount } from '../../db/sync/replica';
import { protectStoredSecret, syncJoined } from '../../db/sync/schema';
import { SyncWorker, type SyncWorkerOptions } from './worker';

/**
 * Starts the sync worker of a store joined to a hub, with the domains' mutators and projections wired;
 * null for a standalone store, which then runs exactly as before (no sync table is even created).
 */
export function startWorkstationSync(
  db: Database,
  opts: Omit<SyncWorkerOptions, 'db' | 'mutators'> = {},
): SyncWorker | null {
  if (!syncJoined(db)) return null;
  // A secret stored as is (joined in browser mode, or before the protection) is wrapped now.
  protectStoredSecret(db);
  wireDomains(db);
  const worker = new SyncWorker({
    ...opts,
    db,
    mutators: DOMAIN_MUTATORS,
    // A referral whose customer's extract arrived since its row did gets its local row now.
    onCycle: (r) => {
      // Placing can queue work too (rule opportunities this PC derived since): push it at once.
      const queued = queuedCount(db);
      placeUnplaced(db);
      if (queuedCount(db) > queued) worker.kick();
      opts.onCycle?.(r);
    },
  });
  worker.start();
  return worker;
}
