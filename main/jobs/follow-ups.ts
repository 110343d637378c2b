import type { Database } from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { activityCells, QUIET_MS, quietMoment } from '../activity';
import { log } from '../log';
import { startWorker } from '../workers';
import { runAfterImport, type AfterImportContext, type StepResult } from './after-import';

/**
 * Schedules the after-import steps (reminders, opportunity rules) for the window's process. A small
 * book takes milliseconds and runs them inline, so what follows an action is there when the action
 * returns. A big one (a first rule run over a million customers took 26 s here) runs them in a
 * worker thread on its own connection: start-up and the window never wait, the rules collect their
 * candidates without the store's write lock, and only their short insert takes it. Runs are
 * serialised; a request during a run is merged into one more run afterwards (the steps are
 * idempotent, so the latest context is all that matters).
 */
/**
 * One queued run for two requests: a run of every step covers a run of some (the whole run is kept, with
 * its reason: a revert's full recompute is not lost to a later settings save); two partial runs run the
 * union of their steps; otherwise the later request wins as before.
 */
function merged(queued: AfterImportContext, next: AfterImportContext): AfterImportContext {
  if (next.only && !queued.only) return queued;
  if (next.only && queued.only) return { ...next, only: [...new Set([...queued.only, ...next.only])] };
  return next;
}

export class FollowUps {
  private running: Promise<void> | null = null;
  private pending: AfterImportContext | null = null;
  /** The context of the run in progress (worker runs), for outstanding(). */
  private current: AfterImportContext | null = null;
  private worker: Worker | null = null;
  private closed = false;
  last: StepResult[] = [];
  /** The worker's WAL checkpoint after its last run (frames in the log, frames copied back, ms). */
  lastCheckpoint: { busy: number; log: number; checkpointed: number; ms: number } | null = null;

  /** Ends the deferral of the run waiting to start (a request that should not wait, close()). */
  private wake: (() => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly dbPath: string,
    private readonly opts: {
      workerFromCustomers: number;
      /**
       * Worker runs after start-up and after an import start this much later (issue 18.1): the first
       * seconds belong to the window's first requests (the columns' pages and code warming up), and
       * nothing those steps make (reminders, opportunities, scores) is looked at in them. 0: at once.
       */
      deferMs?: number;
      /** Books from this size are deferred (default 50,000 customers; smaller ones finish in moments). */
      deferFromCustomers?: number;
    } = { workerFromCustomers: 50_000 },
  ) {}

  /** Customers in the book (the summaries' count). */
  bookSize(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(customers), 0) AS n FROM summary_customers').get() as { n: number }).n;
  }

  private big(): boolean {
    return this.bookSize() >= this.opts.workerFromCustomers;
  }

  /** Start-up's and an import's runs wait a few seconds on a big book; what a user asked for does not. */
  private deferral(ctx: AfterImportContext): number {
    const ms = this.opts.deferMs ?? 0;
    if (ms <= 0 || (ctx.reason !== 'startup' && ctx.reason !== 'import')) return 0;
    return this.bookSize() >= (this.opts.deferFromCustomers ?? 50_000) ? ms : 0;
  }

  /** When the last worker run ended (performance.now()), for the bench. */
  lastFinished: number | null = null;

  /** Runs the steps now (small book) or soon in the worker (big book). */
  schedule(ctx: AfterImportContext): void {
    if (this.closed) return;
    if (!this.big() && this.running === null) {
      this.last = runAfterImport(this.db, ctx);
      return;
    }
    if (this.running !== null) {
      this.pending = this.pending ? merged(this.pending, ctx) : ctx;
      // A settings save, a re-tier or a revert does not wait for a deferred start-up or import run.
      if (ctx.reason !== 'startup' && ctx.reason !== 'import') this.wake?.();
      return;
    }
    this.current = ctx;
    const defer = this.deferral(ctx);
    const waited =
      defer > 0
        ? new Promise<void>((resolve) => {
            let woken = false;
            const timer = setTimeout(() => {
              // Then a quiet moment of the window's (main/activity.ts), a little longer at most.
              void quietMoment(QUIET_MS, defer * 3).then(() => this.wake?.());
            }, defer);
            this.wake = () => {
              if (woken) return;
              woken = true;
              clearTimeout(timer);
              this.wake = null;
              resolve();
            };
          })
        : Promise.resolve();
    if (defer > 0) log.info('follow-up steps deferred', { reason: ctx.reason, ms: defer });
    this.running = waited
      .then(() => (this.closed ? undefined : this.inWorker(ctx)))
      .finally(() => {
        this.running = null;
        this.lastFinished = performance.now();
        this.current = null;
        const next = this.pending;
        this.pending = null;
        if (next && !this.closed) this.schedule(next);
      });
  }

  /**
   * Whether `step` is running or queued in the worker (a settings page shows its figures as being
   * recalculated meanwhile). Inline runs finish before schedule() returns, so they never are.
   */
  outstanding(step: string): boolean {
    const has = (c: AfterImportContext | null) => c !== null && (!c.only || c.only.includes(step));
    return this.running !== null && (has(this.current) || has(this.pending));
  }

  /** The run in progress (a worker run; inline runs finish before schedule() returns), or null. */
  busy(): Promise<void> | null {
    return this.running !== null ? this.idle() : null;
  }

  /**
   * Like busy(), but null while a run only waits out its deferral: a columns build need not wait for
   * steps that have not started (they write nothing the columns read, so they cannot make it stale).
   */
  working(): Promise<void> | null {
    return this.running !== null && this.wake === null ? this.idle() : null;
  }

  /** Resolves when no run is in progress or queued (tests, orderly shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private inWorker(ctx: AfterImportContext): Promise<void> {
    return new Promise<void>((resolve) => {
      const t0 = performance.now();
      type Reply =
        | { type: 'done'; results: StepResult[]; checkpoint?: FollowUps['lastCheckpoint'] }
        | { type: 'failed'; message: string };
      this.worker = startWorker<Reply>(
        'afterImportWorker.js',
        'jobs/after-import-worker-tsx.cjs',
        // Deferred runs also wait for a quiet moment between their steps.
        { dbPath: this.dbPath, ctx, activity: this.deferral(ctx) > 0 ? activityCells() : null },
        {
          message: (m) => {
            if (m.type === 'done') {
              this.last = m.results;
              this.lastCheckpoint = m.checkpoint ?? null;
              log.info('follow-up steps finished', {
                reason: ctx.reason,
                ms: Math.round(performance.now() - t0),
                steps: m.results.map((r) => `${r.name}:${r.ok ? r.ms : 'failed'}`),
              });
            } else log.warn('follow-up steps failed', { reason: ctx.reason, error: m.message.slice(0, 200) });
            return true;
          },
          error: (e) => log.warn('follow-up worker failed', { reason: ctx.reason, error: e.message.slice(0, 200) }),
          end: () => {
            this.worker = null;
            resolve();
          },
        },
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending = null;
    this.wake?.();
    const w = this.worker;
    if (w) await w.terminate();
    await this.idle();
  }
}
