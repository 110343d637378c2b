/**
 * Worker thread: reads the customer book into columns (db/customer-columns.ts) on its own
 * read-only connection and hands the typed arrays back without copying them.
 */
import { openConnection } from '../../db/cipher';
import { parentPort, workerData } from 'node:worker_threads';
import { buildColumns, transferList } from '../../db/customer-columns';
import { SORT_SQL } from '../../db/customer-field-sql';

const { dbPath } = workerData as { dbPath: string };
const db = openConnection(dbPath, { readonly: true, fileMustExist: true });
try {
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  const t0 = performance.now();
  const data = buildColumns(db, SORT_SQL);
  parentPort!.postMessage({ type: 'done', data, ms: Math.round(performance.now() - t0) }, transferList(data));
} catch (e) {
  parentPort!.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
} finally {
  db.close();
}
