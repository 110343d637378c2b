/**
 * WAL checkpoints deferred off a connection. A write that leaves a big WAL (a re-tier, a
 * million-row import) should not have it copied back into the store by the window's connection at
 * its next small commit (seconds on the main thread): the follow-up run checkpoints it in its
 * worker instead (main/jobs/after-import-worker.ts), and the connection's setting comes back after.
 */
import type { Database } from 'better-sqlite3';

/** Connections whose auto-checkpoint is deferred: how many deferrals are open, and the setting to restore. */
const deferrals = new WeakMap<Database, { open: number; auto: number }>();

/** Turns the connection's auto-checkpoint off until every deferral has called the returned function once. */
export function deferCheckpoints(db: Database): () => void {
  let d = deferrals.get(db);
  if (!d) {
    d = { open: 0, auto: Number(db.pragma('wal_autocheckpoint', { simple: true })) };
    deferrals.set(db, d);
  }
  d.open++;
  db.pragma('wal_autocheckpoint = 0');
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--d.open === 0) {
      deferrals.delete(db);
      if (db.open) db.pragma(`wal_autocheckpoint = ${d.auto}`);
    }
  };
}
