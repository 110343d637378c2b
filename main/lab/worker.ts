/**
 * Worker thread of the model lab: training, scoring the book, counting targets and monitoring run here
 * on the worker's own connections, so the main thread keeps answering while a million customers are
 * read. Messages: progress while it works, then exactly one of done / failed. Cancel = terminate().
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from '../../db/cipher';
import { isAppError } from '../../shared/errors';
import { countTargets, monitor, type LabWorkerInput, type LabWorkerMessage, writeScores } from './jobs';
import { trainLab } from './train';

const input = workerData as LabWorkerInput;
const post = (m: LabWorkerMessage) => parentPort!.postMessage(m);

function run(): void {
  const db = openConnection(input.dbPath, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // 16 MB of page cache: the lab's reads are passes over whole tables in key order, which a bigger cache
  // does not speed up, and every cached page counts in the app's resident memory.
  db.pragma('cache_size = -16384');
  try {
    switch (input.kind) {
      case 'train': {
        const result = trainLab(db, input.params, (step, done, total) => post({ type: 'progress', step, done, total }));
        post({ type: 'done', result: { kind: 'train', result } });
        return;
      }
      case 'score': {
        const w = openConnection(input.dbPath, { fileMustExist: true });
        w.pragma('busy_timeout = 10000');
        try {
          const { stats, cleanup } = writeScores(
            db,
            w,
            input,
            (step, done, total) => post({ type: 'progress', step, done, total }),
            (r) => post({ type: 'run', run: r }),
          );
          post({ type: 'done', result: { kind: 'score', customers: stats.customers, run: stats } });
          // The job is done (the new run is current); the previous run's rows go now, batch by batch,
          // leaving the lock free between batches. Stopped midway, the rest go with the next run.
          cleanup();
        } finally {
          w.close();
        }
        return;
      }
      case 'count':
        post({ type: 'done', result: { kind: 'count', counts: countTargets(db) } });
        return;
      case 'monitor':
        post({ type: 'done', result: { kind: 'monitor', monitoring: monitor(db, input) } });
        return;
    }
  } finally {
    db.close();
  }
}

try {
  run();
} catch (e) {
  if (isAppError(e)) post({ type: 'failed', code: e.code, details: e.details ?? {} });
  else
    post({
      type: 'failed',
      code: 'INTERNAL',
      details: {},
      message: e instanceof Error ? (e.stack ?? e.message) : String(e),
    });
}
