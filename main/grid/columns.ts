import type { Database } from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import {
  columnStamp,
  dropColumns,
  freshColumns,
  installColumns,
  onColumnsStale,
  type ColumnData,
  type ColumnStamp,
} from '../../db/customer-columns';
import { log } from '../log';
import { startWorker } from '../workers';

/**
 * Keeps the grid's in-memory columns (db/customer-columns.ts) current for the main connection:
 * whenever a grid call finds them missing or stale it asks for a build, which runs in a worker thread
 * on its own read-only connection (a million customers take a few seconds; the event loop never
 * waits, and the SQL path answers meanwhile). At most one build runs; a request during a build is
 * remembered and served after it. Books below `minCustomers` are fast enough in SQL and skip it.
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
    } = {
      minCustomers: 50_000,
    },
  ) {
    onColumnsStale(db, () => this.request());
  }

  private waiting = false;

  /**
   * Starts a build unless one is running (then one more follows it). With `waitFor` (the follow-up
   * steps that run after start-up, imports and re-tiers), the build starts once those are over: they
   * commit too, and a build that overlaps them comes out stale and has to be done again.
   */
  request(): void {
    if (this.closed || this.waiting) return;
    const wait = this.opts.waitFor?.();
    if (wait != null) {
      this.waiting = true;
      void wait.then(
        () => this.resume(),
        () => this.resume(),
      );
      return;
    }
    this.requestNow();
  }

  private resume(): void {
    this.waiting = false;
    if (!this.closed) freshColumns(this.db); // builds only if still missing or stale
  }

  private requestNow(): void {
    if (this.worker) {
      this.again = true;
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
    this.start(stamp, key);
  }

  private start(stamp: ColumnStamp, key: string): void {
    this.worker = startWorker<{ type: 'done'; data: ColumnData; ms: number } | { type: 'failed'; message: string }>(
      'columnsWorker.js',
      'grid/columns-worker-tsx.cjs',
      { dbPath: this.dbPath },
      {
        message: (m) => {
          if (m.type === 'done') {
            installColumns(this.db, m.data, stamp);
            this.failedStamp = null;
            log.info('customer columns built', { customers: m.data.n, ms: m.ms });
          } else {
            this.failedStamp = key;
            log.warn('customer columns not built; the grid uses SQL', { reason: m.message.slice(0, 200) });
          }
          return true;
        },
        error: (e) => {
          this.failedStamp = key;
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

  /** Builds now if needed (at start-up and after an import), without waiting. */
  warm(): void {
    freshColumns(this.db); // asks for a build when missing or stale
  }

  async close(): Promise<void> {
    this.closed = true;
    onColumnsStale(this.db, null);
    const w = this.worker;
    if (w) await w.terminate();
  }
}
