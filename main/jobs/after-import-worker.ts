/**
 * Worker thread: runs the after-import steps (main/jobs/after-import.ts) on its own connection, so
 * a million-customer branch's rule search never holds up the window or the start-up.
 */
import { openConnection } from '../../db/cipher';
import { parentPort, workerData } from 'node:worker_threads';
import { runAfterImport, type AfterImportContext } from './after-import';
import { type ActivityCells, QUIET_MS, waitForQuietSync } from '../activity';
import { lowerThreadPriority } from '../background-priority';

const { dbPath, ctx, activity } = workerData as {
  dbPath: string;
  ctx: AfterImportContext;
  /** The window's activity (main/activity.ts): a deferred run waits for a quiet moment before each step. */
  activity: ActivityCells | null;
};
// Below the window's thread: the grid's requests come first on a busy PC (main/background-priority.ts).
lowerThreadPriority();
const db = openConnection(dbPath, { fileMustExist: true });
try {
  db.pragma('busy_timeout = 15000');
  db.pragma('foreign_keys = ON');
  const results = runAfterImport(
    db,
    ctx,
    undefined,
    activity ? () => waitForQuietSync(activity, QUIET_MS, 3_000) : undefined,
  );
  // Checkpoints happen here, off the main thread: a re-tier leaves up to a gigabyte of WAL, which the
  // window's own connection does not copy back (tiers.apply defers its auto-checkpoint to this run).
  const t = performance.now();
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  parentPort!.postMessage({ type: 'done', results, checkpoint: { ...row!, ms: Math.round(performance.now() - t) } });
} catch (e) {
  parentPort!.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
} finally {
  db.close();
}
