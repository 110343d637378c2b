/**
 * Writing a version's scores as one run (store migrations 0033, 0034): the rows go into lab_score_rows under a
 * new run number in batches of BATCH customers, each its own short write transaction, invisible to readers
 * (the view lab_scores shows each version's current run only); one last small transaction moves the
 * version's pointer to the new run, and the previous run's rows are then deleted in batches as well (by the
 * caller after it has reported the run done, with cleanup 'later'). The write lock is never held for more
 * than one batch, and a reader sees the old run whole or the new one whole. The scores are computed before the first batch from one snapshot of the book (the caller's),
 * so an import committing meanwhile cannot mix two books into one run.
 *
 * Two writers of the same version (an activation and an after-import re-score) each write their own run;
 * the pointer only moves forward, so a run that finishes after a newer one has been made current drops
 * its own rows instead of going back to older data.
 */
import type { Database } from 'better-sqlite3';

/**
 * Customers per write transaction. Measured on a 200k store on the shared box: 20,000 held the write lock
 * 0.3-0.9 s a batch (the window's own small writes waited as long); 5,000 with the score-keyed index of
 * 0033 up to 0.3 s; 2,500 with the group index of 0035 (its entries follow the batch's customer order)
 * about 0.1 s on a loaded box (load 4-7).
 */
export const BATCH = 2_500;
/**
 * Write transactions between two checkpoints by the writer: every 10,000 customers (a few megabytes of
 * pages), so the WAL stays under the window connection's auto-checkpoint (1,000 pages), which would
 * otherwise copy it back at the window's next small commit, on the main thread.
 */
const CHECKPOINT_EVERY = 4;

/** What a run writes: row k's customer, score, decile and factors (JSON text, made when asked). */
export interface RunRows {
  ids: Int32Array;
  scores: Float64Array;
  deciles: Uint8Array;
  factorAt: (k: number) => string;
}

export interface RunStats {
  run: number;
  customers: number;
  /** False when a newer run of the version was already current (this one's rows are dropped). */
  current: boolean;
  /** Write transactions and the longest time one held the write lock (ms), summed writing time (ms). */
  transactions: number;
  maxHoldMs: number;
  writeMs: number;
}

export interface RunOptions {
  version: number;
  /** The month end whose features were scored, and the time stored as the scoring time. */
  on: string;
  at: string;
  batch?: number;
  /** Once the run has its number (before any row is written): a caller that may stop it keeps it to clean up. */
  onRun?: (run: number) => void;
  /** In the last transaction, after the pointer moved (activation flips lab_active here). */
  finish?: (db: Database, customers: number) => void;
  /** After each committed write transaction (progress; tests read from another connection here). */
  afterCommit?: (phase: 'rows' | 'swap' | 'cleanup', done: number, total: number) => void;
  /**
   * Leave the lock free after each write transaction for half as long as it was held (at most 25 ms), so
   * another connection's write waiting for it gets in: SQLite's busy handler polls at growing intervals
   * (1, 2, 5 ... 25 ms, then 50 and 100) and would miss the instant between two back-to-back batches,
   * waiting through several of them. The after-import re-score shares the store with the window this way.
   */
  share?: boolean;
  /**
   * 'later': the rows of earlier runs are left for the caller to delete with dropEarlierRuns after the run is
   * current (an activation reports done first and deletes them after, in the same batches). Default now.
   */
  cleanup?: 'now' | 'later';
}

/** Sleeps the thread (a worker's, or a test's) without spinning. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  if (ms >= 1) Atomics.wait(SLEEPER, 0, 0, ms);
}

/** Runs `body` in one IMMEDIATE transaction and returns how long it held the write lock (ms). */
function held(db: Database, body: () => void): number {
  db.exec('BEGIN IMMEDIATE');
  const t = performance.now();
  try {
    body();
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
  return performance.now() - t;
}

/** `rows.ids` ascending (the snapshot's order). */
export function writeRun(db: Database, rows: RunRows, opts: RunOptions): RunStats {
  const batch = opts.batch ?? BATCH;
  const n = rows.ids.length;
  const stats: RunStats = { run: 0, customers: n, current: false, transactions: 0, maxHoldMs: 0, writeMs: 0 };
  const timed = (body: () => void) => {
    const ms = held(db, body);
    stats.transactions++;
    stats.writeMs += ms;
    if (ms > stats.maxHoldMs) stats.maxHoldMs = ms;
    // Every few batches their pages are copied back into the store here (PASSIVE: without the write lock,
    // other writers go on), so the WAL stays a few batches long: otherwise the window's connection would
    // copy tens of megabytes back at its next small commit (its auto-checkpoint), on the main thread.
    if (stats.transactions % CHECKPOINT_EVERY === 0) db.pragma('wal_checkpoint(PASSIVE)');
    if (opts.share) pause(Math.min(25, ms / 2));
  };
  timed(() => {
    stats.run = Number(
      db
        .prepare('INSERT INTO lab_score_runs (version, on_date, started_at) VALUES (?, ?, ?)')
        .run(opts.version, opts.on, opts.at).lastInsertRowid,
    );
  });
  const run = stats.run;
  opts.onRun?.(run);
  const ins = db.prepare(
    'INSERT INTO lab_score_rows (version, customer_id, run, score, decile, factors) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    timed(() => {
      for (let k = from; k < to; k++)
        ins.run(opts.version, rows.ids[k]!, run, rows.scores[k]!, rows.deciles[k]!, rows.factorAt(k));
    });
    opts.afterCommit?.('rows', to, n);
  }
  timed(() => {
    const moved = db
      .prepare(
        `INSERT INTO lab_score_current (version, run) VALUES (?, ?)
         ON CONFLICT(version) DO UPDATE SET run = excluded.run WHERE run < excluded.run`,
      )
      .run(opts.version, run).changes;
    stats.current = moved === 1;
    if (!stats.current) return;
    db.prepare('UPDATE lab_models SET scored_at = ?, scored_on = ?, scored_customers = ? WHERE version = ?').run(
      opts.at,
      opts.on,
      n,
      opts.version,
    );
    db.prepare('UPDATE lab_score_runs SET finished_at = ?, customers = ? WHERE run = ?').run(
      new Date().toISOString(),
      n,
      run,
    );
    opts.finish?.(db, n);
  });
  opts.afterCommit?.('swap', n, n);
  if (opts.cleanup !== 'later' || !stats.current)
    dropEarlierRuns(
      db,
      { version: opts.version, run, current: stats.current, ids: rows.ids, batch },
      timed,
      opts.afterCommit,
    );
  else db.pragma('wal_checkpoint(PASSIVE)');
  return stats;
}

/**
 * Rows no reader sees any more: earlier runs of the version once `run` is current, else the run's own.
 * By ranges of customer ids (cut at every batch-th id of the run, `ids` ascending), so each transaction
 * deletes about a batch; a process stopped midway leaves the rest to the version's next current run.
 */
export function dropEarlierRuns(
  db: Database,
  r: { version: number; run: number; current: boolean; ids: Int32Array; batch?: number; share?: boolean },
  tx?: (body: () => void) => void,
  afterCommit?: RunOptions['afterCommit'],
): void {
  let count = 0;
  const each =
    tx ??
    ((body: () => void) => {
      const ms = held(db, body);
      if (++count % CHECKPOINT_EVERY === 0) db.pragma('wal_checkpoint(PASSIVE)');
      if (r.share) pause(Math.min(25, ms / 2));
    });
  const batch = r.batch ?? BATCH;
  const n = r.ids.length;
  const drop = db.prepare(
    r.current
      ? 'DELETE FROM lab_score_rows WHERE version = ? AND customer_id >= ? AND customer_id < ? AND run < ?'
      : 'DELETE FROM lab_score_rows WHERE version = ? AND customer_id >= ? AND customer_id < ? AND run = ?',
  );
  const cuts: number[] = [Number.MIN_SAFE_INTEGER];
  for (let k = batch; k < n; k += batch) cuts.push(r.ids[k]!);
  cuts.push(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i + 1 < cuts.length; i++) {
    each(() => void drop.run(r.version, cuts[i]!, cuts[i + 1]!, r.run));
    afterCommit?.('cleanup', i + 1, cuts.length - 1);
  }
  db.pragma('wal_checkpoint(PASSIVE)');
}

/**
 * The rows of a run that was stopped before it became current (a cancelled or failed activation), with
 * its record. Nothing happens when the run did become current. Runs left by a process that stopped
 * mid-run go with the next run of the version that becomes current (its clean-up takes every older run).
 */
export function dropRun(db: Database, version: number, run: number): void {
  db.transaction(() => {
    const cur = db.prepare('SELECT run FROM lab_score_current WHERE version = ?').get(version) as
      | { run: number | null }
      | undefined;
    if (cur?.run === run) return;
    db.prepare('DELETE FROM lab_score_rows WHERE version = ? AND run = ?').run(version, run);
    db.prepare('DELETE FROM lab_score_runs WHERE run = ?').run(run);
  })();
}
