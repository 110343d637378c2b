/**
 * Worker thread: the customer book as columns (db/customer-columns.ts) on its own read-only
 * connection, handed back without copying the typed arrays. From the cache file when it is the
 * cache of the book as it stands (db/customer-columns-cache.ts), else a full build, written to the
 * cache afterwards when the build's snapshot had an identity (`cacheable`: the main connection drew a
 * fresh token just before).
 */
import { openConnection, rememberedStoreKey } from '../../db/cipher';
import { parentPort, workerData } from 'node:worker_threads';
import { buildColumns, transferList, type ColumnData } from '../../db/customer-columns';
import {
  readColumnsCache,
  readColumnsState,
  writeColumnsCache,
  type ColumnsState,
} from '../../db/customer-columns-cache';
import { SORT_SQL } from '../../db/customer-field-sql';

const { dbPath, cachePath, cacheable, build } = workerData as {
  dbPath: string;
  cachePath: string | null;
  cacheable: boolean;
  /** false: the cache only; a miss is reported and nothing is built. */
  build: boolean;
};
const key = rememberedStoreKey(dbPath);
const db = openConnection(dbPath, { readonly: true, fileMustExist: true });
/** `token`: the clean state the columns were read from (null: the snapshot was not clean). */
const done = (data: ColumnData, source: 'cache' | 'build', token: string | null, ms: number, note?: string) =>
  parentPort!.postMessage({ type: 'done', data, source, token, ms, note }, transferList(data));
function run(): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  const t0 = performance.now();
  let refused: string | undefined;
  if (cachePath) {
    const state = readColumnsState(db);
    if (state && !state.dirty) {
      const got = readColumnsCache(cachePath, state, SORT_SQL, key);
      if ('data' in got) {
        done(got.data, 'cache', state.token, Math.round(performance.now() - t0));
        return;
      }
      refused = got.refused;
    } else refused = state ? 'changed' : 'no-state';
  }
  if (!build) {
    parentPort!.postMessage({ type: 'miss', refused: refused ?? 'off' });
    return;
  }
  let snap: ColumnsState | null = null;
  const data = buildColumns(db, SORT_SQL, (d) => {
    snap = readColumnsState(d);
  });
  const ms = Math.round(performance.now() - t0);
  let note = refused ? `cache refused: ${refused}` : undefined;
  const s = snap as ColumnsState | null;
  if (cachePath && cacheable && s && !s.dirty) {
    try {
      writeColumnsCache(cachePath, data, s, SORT_SQL, key);
    } catch (e) {
      note = `cache not written: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  done(data, 'build', s && !s.dirty ? s.token : null, ms, note);
}

try {
  run();
} catch (e) {
  parentPort!.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
} finally {
  db.close();
}
