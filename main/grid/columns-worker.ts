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
  readColumnsDelta,
  readColumnsState,
  removeColumnsDeltas,
  writeColumnsCache,
  type ColumnsState,
} from '../../db/customer-columns-cache';
import { applyColumnsDelta } from '../../db/customer-columns-delta';
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
const done = (data: ColumnData, source: 'cache' | 'delta' | 'build', token: string | null, ms: number, note?: string) =>
  parentPort!.postMessage({ type: 'done', data, source, token, ms, note }, transferList(data));
/** When this worker's snapshot was taken at the latest: delta files older than that are spent once the cache is written. */
const startedAt = Date.now();
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
      const updated = fromDeltas(cachePath, state);
      if (updated) {
        done(updated.data, 'delta', state.token, Math.round(performance.now() - t0), updated.note);
        return;
      }
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
      removeColumnsDeltas(cachePath, startedAt);
    } catch (e) {
      note = `cache not written: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  done(data, 'build', s && !s.dirty ? s.token : null, ms, note);
}

/** Deltas followed back from the book's token to a state whose cache is on disk (a few imports at most). */
const MAX_CHAIN = 8;

/**
 * The columns of the clean state `state` from the cache of an earlier state and the deltas of the
 * imports since (db/customer-columns-delta.ts), written to the cache in turn; null when there is no
 * such chain, the change is too big to be worth it (a build is as quick), or the store moved meanwhile.
 */
function fromDeltas(cachePath: string, state: ColumnsState): { data: ColumnData; note: string } | null {
  const ids: Int32Array[] = [];
  let token = state.token;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const delta = readColumnsDelta(cachePath, token, state.schema, key);
    if (!delta) return null;
    ids.push(delta.ids);
    const base = readColumnsCache(cachePath, { token: delta.base, dirty: false, schema: state.schema }, SORT_SQL, key);
    if (!('data' in base)) {
      token = delta.base;
      continue;
    }
    const changed = ids.reduce((n, a) => n + a.length, 0);
    if (changed * 4 > base.data.n) return null;
    const all = new Int32Array(changed);
    let at = 0;
    for (const a of ids) {
      all.set(a, at);
      at += a.length;
    }
    let snap: ColumnsState | null = null;
    let data: ColumnData;
    const timings: Record<string, number> = {};
    try {
      data = applyColumnsDelta(
        db,
        base.data,
        all,
        SORT_SQL,
        (d) => {
          snap = readColumnsState(d);
        },
        timings,
      );
    } catch {
      return null; // a value the columns cannot hold, or the store moved under the update: a full build says which
    }
    const s = snap as ColumnsState | null;
    if (!s || s.dirty || s.token !== state.token) return null;
    const slowest = Object.entries(timings)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, ms]) => `${k} ${ms} ms`)
      .join(', ');
    let note = `${changed} customers changed over ${ids.length} import(s); slowest steps: ${slowest}`;
    try {
      writeColumnsCache(cachePath, data, s, SORT_SQL, key);
      removeColumnsDeltas(cachePath, startedAt);
    } catch (e) {
      note += `; cache not written: ${e instanceof Error ? e.message : String(e)}`;
    }
    return { data, note };
  }
  return null;
}

try {
  run();
} catch (e) {
  parentPort!.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
} finally {
  db.close();
}
