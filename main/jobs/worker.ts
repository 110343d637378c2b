/**
 * Import worker thread: one job, on its own SQLite connection, off the main process's event loop.
 * Messages to the parent: {type:'job', jobId} once the ledger row exists, {type:'progress', ...}
 * at most every 200 ms, then {type:'done', outcome} or {type:'crash', message}. Cancellation is a
 * flag in shared memory the engine checks between batches (no message round trip needed).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection, rememberedStoreKey } from '../../db/cipher';
import { columnsCachePath } from '../../db/customer-columns-cache';
import { transferList } from '../../db/customer-columns';
import { configure } from '../../db/open';
import path from 'node:path';
import type { PreviewResult } from '../../shared/api/imports';
import type { Encoding, ImportProfile } from '../../shared/imports';
import { toJobError } from './engine/job';
import { previewImport } from './engine/preview';
import { describer, type ReasonLocale, reasonHeader } from './engine/reasons';
import { runImport } from './engine/run';

export interface WorkerInput {
  dbPath: string;
  file: string;
  profile: ImportProfile;
  tolerance: number;
  allowDuplicate: boolean;
  encoding?: Encoding;
  source: 'ui' | 'cli';
  userId: number | null;
  username: string | null;
  rejectsDir: string;
  /** Title of the rejects file's reason column; '' for the locale's own. */
  reasonHeader: string;
  /** Language of the rejects file's reasons. */
  locale?: ReasonLocale;
  /** Int32Array over a SharedArrayBuffer: [0] = 1 when cancelled. */
  cancel: SharedArrayBuffer;
  /** Test hook: stall after this many rows (inside the transaction) so a test can kill the process. */
  stallAfterRows?: number;
  /** Preview instead of import: a dry run of the engine over the whole file, keeping `rows` rows per verdict. */
  preview?: { rows: number };
  /** Commit without copying the WAL back (the follow-up worker checkpoints: QueueOptions.deferCheckpointsUntil). */
  deferCheckpoint?: boolean;
}

export type WorkerMessage =
  | { type: 'job'; jobId: number }
  | { type: 'progress'; progress: import('./engine/run').JobProgress }
  | { type: 'done'; outcome: import('./engine/run').JobOutcome }
  /** The grid's columns of the book the job committed, and its token (before 'done'; arrays transferred). */
  | { type: 'columns'; data: import('../../db/customer-columns').ColumnData; token: string }
  | { type: 'crash'; message: string }
  | { type: 'stalled'; rows: number }
  | { type: 'preview'; result: PreviewResult }
  | { type: 'previewFailed'; error: { code: string; details: Record<string, unknown> } };

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const flag = new Int32Array(input.cancel);
  const db = openConnection(input.dbPath, { fileMustExist: true });
  try {
    configure(db);
    // A long job: wait for the main process's short writes, spill temp tables to disk not RAM.
    db.pragma('busy_timeout = 30000');
    db.pragma('temp_store = FILE');
    if (input.deferCheckpoint) db.pragma('wal_autocheckpoint = 0');
    if (input.preview) {
      try {
        const result = await previewImport(db, input.file, input.profile, input.preview.rows, {
          encoding: input.encoding,
          cancelled: () => Atomics.load(flag, 0) === 1,
        });
        parentPort!.postMessage({ type: 'preview', result } satisfies WorkerMessage);
      } catch (e) {
        const error = toJobError(e, path.basename(input.file));
        parentPort!.postMessage({ type: 'previewFailed', error } satisfies WorkerMessage);
      }
      return;
    }
    const outcome = await runImport(db, {
      file: input.file,
      profile: input.profile,
      tolerance: input.tolerance,
      allowDuplicate: input.allowDuplicate,
      encoding: input.encoding,
      source: input.source,
      userId: input.userId,
      username: input.username,
      rejectsDir: input.rejectsDir,
      reasonHeader: input.reasonHeader || reasonHeader(input.locale ?? 'zh-CN'),
      describeReject: describer(input.locale ?? 'zh-CN', input.profile),
      cancelled: () => Atomics.load(flag, 0) === 1,
      columnsCache: { path: columnsCachePath(input.dbPath), key: rememberedStoreKey(input.dbPath) },
      onColumns: (data, token) =>
        parentPort!.postMessage({ type: 'columns', data, token } satisfies WorkerMessage, transferList(data)),
      onJobId: (jobId) => parentPort!.postMessage({ type: 'job', jobId } satisfies WorkerMessage),
      onProgress: (progress) => parentPort!.postMessage({ type: 'progress', progress } satisfies WorkerMessage),
      afterBatch: input.stallAfterRows
        ? (rows) => {
            if (rows >= input.stallAfterRows!) {
              parentPort!.postMessage({ type: 'stalled', rows } satisfies WorkerMessage);
              Atomics.wait(flag, 0, 0); // sleeps until cancelled (or the process is killed)
            }
          }
        : undefined,
    });
    parentPort!.postMessage({ type: 'done', outcome } satisfies WorkerMessage);
  } finally {
    db.close();
  }
}

main().catch((e: unknown) => {
  parentPort?.postMessage({
    type: 'crash',
    message: e instanceof Error ? e.message : String(e),
  } satisfies WorkerMessage);
});
