import type { Database } from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import {
  columnStamp,
  dropColumns,
  freshColumns,
  installColumns,
  onColumnsStale,
  peekColumns,
  type ColumnData,
  type ColumnStamp,
} from '../../db/customer-columns';
import { rememberedStoreKey } from '../../db/cipher';
import {
  columnsCachePath,
  markColumnsClean,
  readColumnsCache,
  readColumnsState,
} from '../../db/customer-columns-cache';
import { SORT_SQL } from '../../db/customer-field-sql';
import { log } from '../log';
import { startWorker } from '../workers';

/**
 * Keeps the grid's in-memory columns (db/customer-columns.ts) current for the main connection:
 * whenever a grid call finds them missing or stale it asks for a build, which runs in a worker thread
 * on its own read-only connection (a million customers take a few seconds; the event loop never
 * waits, and the SQL path answers meanwhile). At most one build runs; a request during a build is
 * remembered and served after it. Books below `minCustomers` are fast enough in SQL and skip it.
 *
 * The worker first tries the cache file beside the store (db/customer-columns-cache.ts): at start-up
 * the columns of an unchanged book are back within a second instead of after a full build. Before
 * a build this connection draws a new token for the book's state, so the build (when nothing writes
 * meanwhile) is written to the cache under it. `cache: false` turns the file off.
 */
export class ColumnsBuilder {
  private worker: Worker | null = null;
  private again = false;
  private closed = false;
  private failedStamp: string | null = null;

  constructor(
    private readonly db: Database,
    private readonly dbPath: string,
    private readonly opts: {
      minCustomers: number /** a run that should finish before a build starts, or null */;
      waitFor?: () => Promise<void> | null;
      /** Keep the columns in a cache file beside the store (default true). */
      cache?: boolean;
    } = {
      minCustomers: 50_000,
    },
  ) {
    onColumnsStale(db, () => this.request());
  }

  private waiting = false;
  /** Where the installed columns came from (tests, bench). */
  lastSource: 'cache' | 'delta' | 'build' | 'import' | null = null;

  /**
   * Starts a build unless one is running (then one more follows it). With `waitFor` (the follow-up
   * steps that run after start-up, imports and re-tiers), the build starts once those are over: they
   * commit too, and a build that overlaps them comes out stale and has to be done again. Meanwhile
   * the cache alone is tried at once: when it is the book's as it stands (the follow-ups change no
   * customer at start-up), the columns serve from the first second.
   */
  request(): void {
    if (this.closed || this.waiting) return;
    const wait = this.opts.waitFor?.();
    if (wait != null) {
      this.waiting = true;
      if (this.opts.cache !== false && this.cacheMayFit()) this.requestNow(false);
      void wait.then(
        () => this.resume(),
        () => this.resume(),
      );
      return;
    }
    this.requestNow(true);
  }

  /** Whether the store shows a clean book (after an import it does not: no worker for a cache that cannot fit). */
  private cacheMayFit(): boolean {
    try {
      const s = readColumnsState(this.db);
      return s !== null && !s.dirty;
    } catch {
      return false;
    }
  }

  private resume(): void {
    this.waiting = false;
    if (!this.closed) freshColumns(this.db); // builds only if still missing or stale
  }

  /** `build` false: only the cache, and nothing when it does not fit. */
  private requestNow(build: boolean): void {
    if (this.worker) {
      if (build) this.again = true;
      return;
    }
    const stamp = columnStamp(this.db);
    const key = `${stamp.dataVersion}:${stamp.generation}`;
    if (this.failedStamp === key) return; // the same data failed before: the SQL path serves
    const size = this.db.prepare('SELECT COALESCE(SUM(customers), 0) AS n FROM summary_customers').get() as {
      n: number;
    };
    if (size.n < this.opts.minCustomers) {
      dropColumns(this.db);
      return;
    }
    this.start(stamp, key, build);
  }

  private start(stamp: ColumnStamp, key: string, build: boolean): void {
    const useCache = this.opts.cache !== false;
    // A new token (when the book changed since the last one) before the worker's snapshot: a build that
    // sees it still clean is of exactly that state and goes to the cache. Cannot write: no cache.
    const cacheable = build && useCache && markColumnsClean(this.db);
    this.worker = startWorker<
      | {
          type: 'done';
          data: ColumnData;
          ms: number;
          source: 'cache' | 'delta' | 'build';
          token: string | null;
          note?: string;
        }
      | { type: 'failed'; message: string }
      | { type: 'miss'; refused: string }
    >(
      'columnsWorker.js',
      'grid/columns-worker-tsx.cjs',
      { dbPath: this.dbPath, cachePath: useCache ? columnsCachePath(this.dbPath) : null, cacheable, build },
      {
        message: (m) => {
          if (m.type === 'miss') {
            log.info('customer columns cache not used', { reason: m.refused });
          } else if (m.type === 'done') {
            // Columns an import handed over meanwhile are of a later book than this worker read.
            if (this.lastSource === 'import' && peekColumns(this.db)) return true;
            installColumns(this.db, m.data, { ...stamp, token: m.token });
            this.failedStamp = null;
            this.lastSource = m.source;
            const what = {
              cache: 'customer columns loaded from cache',
              delta: 'customer columns updated from the imports since their cache',
              build: 'customer columns built',
            };
            log.info(what[m.source], {
              customers: m.data.n,
              ms: m.ms,
              ...(m.note ? { note: m.note } : {}),
            });
          } else {
            if (build) this.failedStamp = key;
            log.warn('customer columns not built; the grid uses SQL', { reason: m.message.slice(0, 200) });
          }
          return true;
        },
        error: (e) => {
          if (build) this.failedStamp = key;
          log.warn('customer columns worker failed', { reason: e.message.slice(0, 200) });
        },
        end: () => {
          this.worker = null;
          if (this.again && !this.closed) {
            // Asked again during the build: build once more only if what was built is already stale.
            this.again = false;
            freshColumns(this.db);
          }
        },
      },
    );
  }

  /**
   * Installs columns an import job made of the book it committed (main/jobs/engine/run.ts onColumns),
   * if the store still shows that book (its token, clean): no build, no moment on the SQL path.
   */
  adopt(data: ColumnData, token: string): boolean {
    if (this.closed) return false;
    try {
      const s = readColumnsState(this.db);
      if (!s || s.dirty || s.token !== token) return false;
      installColumns(this.db, data, { ...columnStamp(this.db), token });
      this.lastSource = 'import';
      log.info('customer columns updated by the import', { customers: data.n });
      return true;
    } catch (e) {
      log.warn('customer columns of the import not installed', { reason: String(e).slice(0, 200) });
      return false;
    }
  }

  private triedCache = false;

  /**
   * Builds now if needed (at start-up and after an import), without waiting. The first call (start-up)
   * reads the cache right here when it is the book's as it stands: a few hundred milliseconds for a
   * million customers, before the first request, where a worker would first have to start.
   */
  warm(): void {
    if (!this.triedCache && this.opts.cache !== false) {
      this.triedCache = true;
      this.loadCacheNow();
    }
    freshColumns(this.db); // asks for a build when missing or stale
  }

  private loadCacheNow(): void {
    try {
      const t0 = performance.now();
      const state = readColumnsState(this.db);
      if (!state || state.dirty) return;
      const size = this.db.prepare('SELECT COALESCE(SUM(customers), 0) AS n FROM summary_customers').get() as {
        n: number;
      };
      if (size.n < this.opts.minCustomers) return;
      const stamp = columnStamp(this.db);
      const got = readColumnsCache(columnsCachePath(this.dbPath), state, SORT_SQL, rememberedStoreKey(this.dbPath));
      if (!('data' in got)) {
        log.info('customer columns cache not used', { reason: got.refused });
        return;
      }
      installColumns(this.db, got.data, { ...stamp, token: state.token });
      this.lastSource = 'cache';
      log.info('customer columns loaded from cache', {
        customers: got.data.n,
        ms: Math.round(performance.now() - t0),
      });
    } catch (e) {
      log.warn('customer columns cache not read', { reason: String(e).slice(0, 200) });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    onColumnsStale(this.db, null);
    const w = this.worker;
    if (w) await w.terminate();
  }
}
