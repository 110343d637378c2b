/**
 * The import queue in the main process: jobs run one at a time, each in its own worker thread
 * (main/jobs/worker.ts), so the event loop that serves the window never parses or writes a row.
 * Progress arrives by message and is kept here for the job panel to poll; cancel flips a flag in
 * shared memory. While a job holds the write lock, the main connection's busy wait is kept short
 * (a blocked write must not freeze the UI); deferred audit entries are flushed when it ends.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { PreviewResult } from '../../shared/api/imports';
import type { Encoding, ImportKind, ImportProfile } from '../../shared/imports';
import type { JobOutcome, JobProgress } from './engine/run';
import type { WorkerInput, WorkerMessage } from './worker';
import type { ColumnData } from '../../db/customer-columns';
import { workerScript } from '../workers';
import { deferCheckpoints } from '../../db/checkpoints';
import { isRefilling } from '../../db/refills';
import { AppError } from '../../shared/errors';

export interface ImportRequest {
  file: string;
  profile: ImportProfile;
  tolerance: number;
  allowDuplicate?: boolean;
  encoding?: Encoding;
  source: 'ui' | 'cli';
  userId: number | null;
  username: string | null;
  /** Language of the rejects file's reasons (the user's; zh-CN when unattended). */
  locale?: 'zh-CN' | 'en';
}

export interface PreviewRequest {
  file: string;
  profile: ImportProfile;
  encoding?: Encoding;
  /** Rows kept per verdict. */
  rows: number;
}

/** A preview that failed: the engine's error code and safe details (IMPORT_*). */
export class PreviewError extends Error {
  constructor(
    readonly code: string,
    readonly details: Record<string, unknown>,
  ) {
    super(code);
    this.name = 'PreviewError';
  }
}

export interface QueueEntry {
  ticket: number;
  jobId: number | null;
  state: 'queued' | 'running' | 'finished';
  kind: ImportKind;
  profileName: string;
  fileName: string;
  submittedAt: string;
  startedAt: number | null;
  progress: JobProgress | null;
  /** Rows per second and seconds left, from progress so far (null until measurable). */
  rate: number | null;
  etaSeconds: number | null;
  outcome: JobOutcome | null;
}

interface Slot {
  entry: QueueEntry;
  request: ImportRequest;
  cancel: SharedArrayBuffer;
  worker: Worker | null;
  /** Gives the main connection its auto-checkpoint back (deferCheckpointsUntil). */
  restoreCheckpoints?: () => void;
  done: Promise<JobOutcome>;
  resolve: (o: JobOutcome) => void;
}

export interface QueueOptions {
  dbPath: string;
  rejectsDir: string;
  /** The main process's own connection: its busy timeout is shortened while a job writes. */
  mainDb?: Database;
  /** Called after each job (flush deferred audit entries, regenerate reminders...). */
  onFinished?: (outcome: JobOutcome) => void;
  /** The grid's columns of the book a job just committed (before its onFinished), with the book's token. */
  onColumns?: (data: ColumnData, token: string) => void;
  /**
   * When given, the job's WAL is not copied back into the store by anyone until this resolves (called
   * after onFinished): the worker commits without checkpointing, and the main connection's
   * auto-checkpoint is off meanwhile. The app passes the follow-up run, whose worker checkpoints.
   */
  deferCheckpointsUntil?: (outcome: JobOutcome) => Promise<unknown>;
  reasonHeader?: string;
  /** Test hooks: the worker stalls inside its transaction after this many rows, and says so. */
  stallAfterRows?: number;
  onStalled?: (jobId: number | null, rows: number) => void;
}

/** The outcome of a job that never got to write (cancelled while queued, or its worker died). */
function nothingWritten(
  jobId: number,
  status: 'failed' | 'cancelled',
  rowsRead: number,
  error: NonNullable<JobOutcome['error']>,
): JobOutcome {
  return {
    jobId,
    status,
    rowsRead,
    rowsInserted: 0,
    rowsUpdated: 0,
    rowsUnchanged: 0,
    rowsRejected: 0,
    error,
    rejects: null,
    encoding: null,
    seconds: 0,
  };
}

export class ImportQueue {
  private readonly slots: Slot[] = [];
  private nextTicket = 1;
  private running: Slot | null = null;
  private closed = false;
  private previewing = 0;

  constructor(private readonly opts: QueueOptions) {}

  submit(request: ImportRequest): QueueEntry {
    if (this.closed) throw new Error('queue closed');
    // The reporting summaries are being refilled after an upgrade (db/refills.ts): no job may change them.
    if (this.opts.mainDb && isRefilling(this.opts.mainDb, 'reporting'))
      throw new AppError('IMPORT_STORE_BUSY', { reason: 'refill' });
    let resolve!: (o: JobOutcome) => void;
    const done = new Promise<JobOutcome>((r) => (resolve = r));
    const slot: Slot = {
      entry: {
        ticket: this.nextTicket++,
        jobId: null,
        state: 'queued',
        kind: request.profile.kind,
        profileName: request.profile.name,
        fileName: path.basename(request.file),
        submittedAt: new Date().toISOString(),
        startedAt: null,
        progress: null,
        rate: null,
        etaSeconds: null,
        outcome: null,
      },
      request,
      cancel: new SharedArrayBuffer(8),
      worker: null,
      done,
      resolve,
    };
    this.slots.push(slot);
    this.pump();
    return { ...slot.entry };
  }

  /** Queued and running jobs, plus finished ones not yet collected (newest last). */
  list(): QueueEntry[] {
    return this.slots.map((s) => ({ ...s.entry }));
  }

  get(ticket: number): QueueEntry | null {
    const s = this.slots.find((x) => x.entry.ticket === ticket);
    return s ? { ...s.entry } : null;
  }

  byJobId(jobId: number): QueueEntry | null {
    const s = this.slots.find((x) => x.entry.jobId === jobId);
    return s ? { ...s.entry } : null;
  }

  busy(): boolean {
    return this.running !== null || this.previewing > 0;
  }

  /**
   * Checks a whole file the way the import would (a dry run of the engine in a worker, rolled back).
   * Runs between jobs, never beside one: a dry run takes the write lock like a job. Jobs submitted
   * meanwhile wait for it.
   */
  async preview(req: PreviewRequest): Promise<PreviewResult> {
    if (this.closed) throw new Error('queue closed');
    while (this.running) await this.running.done;
    this.previewing++;
    // As for a job: the main connection must not freeze the window waiting for the dry run's lock.
    this.setMainBusyTimeout(50);
    try {
      return await new Promise<PreviewResult>((resolve, reject) => {
        const input: WorkerInput = {
          dbPath: this.opts.dbPath,
          file: req.file,
          profile: req.profile,
          tolerance: 0,
          allowDuplicate: true,
          encoding: req.encoding,
          source: 'ui',
          userId: null,
          username: null,
          rejectsDir: this.opts.rejectsDir,
          reasonHeader: '',
          cancel: new SharedArrayBuffer(8),
          preview: { rows: req.rows },
        };
        const worker = new Worker(workerScript('importWorker.js', 'jobs/worker-tsx.cjs'), {
          workerData: input,
          resourceLimits: { maxOldGenerationSizeMb: 512 },
        });
        let settled = false;
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'preview') {
            settled = true;
            resolve(m.result);
          } else if (m.type === 'previewFailed') {
            settled = true;
            reject(new PreviewError(m.error.code, m.error.details));
          } else if (m.type === 'crash') {
            settled = true;
            reject(new Error(m.message));
          }
        });
        worker.on('error', (e) => {
          if (!settled) reject(e);
          settled = true;
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new Error(`preview worker exited with code ${code}`));
          settled = true;
        });
      });
    } finally {
      this.previewing--;
      if (this.previewing === 0 && !this.running) this.setMainBusyTimeout(5000);
      this.pump();
    }
  }

  /** Cancels a queued job at once, or asks a running one to roll back. */
  cancel(ticket: number): boolean {
    const s = this.slots.find((x) => x.entry.ticket === ticket);
    if (!s || s.entry.state === 'finished') return false;
    if (s.entry.state === 'queued') {
      this.finish(s, nothingWritten(0, 'cancelled', 0, { code: 'IMPORT_CANCELLED', details: { rowsRead: 0 } }));
      return true;
    }
    this.signal(s);
    return true;
  }

  private signal(s: Slot): void {
    const flag = new Int32Array(s.cancel);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }

  wait(ticket: number): Promise<JobOutcome> {
    const s = this.slots.find((x) => x.entry.ticket === ticket);
    if (!s) return Promise.reject(new Error(`no ticket ${ticket}`));
    return s.done;
  }

  /**
   * Cancels every job and waits for the running one to roll back, then refuses new jobs.
   * A worker is never terminate()d mid-transaction while it answers: a thread killed that way does
   * not close its SQLite connection, and the write lock would stay held until the process exits.
   * Only a worker that ignores the cancel for `graceMs` is terminated.
   */
  async close(graceMs = 30_000): Promise<void> {
    this.closed = true;
    const live = this.slots.filter((s) => s.entry.state !== 'finished');
    for (const s of live) {
      if (s.entry.state === 'queued') this.cancel(s.entry.ticket);
      else this.signal(s);
    }
    const running = live.filter((s) => s.worker);
    await Promise.all(
      running.map((s) =>
        Promise.race([s.done, new Promise((r) => setTimeout(r, graceMs).unref())]).then(async () => {
          if (s.worker) await s.worker.terminate();
        }),
      ),
    );
    this.setMainBusyTimeout(5000);
  }

  private setMainBusyTimeout(ms: number): void {
    try {
      this.opts.mainDb?.pragma(`busy_timeout = ${Math.trunc(ms)}`);
    } catch {
      /* connection closed */
    }
  }

  private pump(): void {
    if (this.running || this.closed || this.previewing > 0) return;
    const next = this.slots.find((s) => s.entry.state === 'queued');
    if (!next) return;
    this.running = next;
    next.entry.state = 'running';
    next.entry.startedAt = Date.now();
    this.setMainBusyTimeout(50);
    const deferring = this.opts.deferCheckpointsUntil;
    if (deferring && this.opts.mainDb) next.restoreCheckpoints = deferCheckpoints(this.opts.mainDb);
    const file = workerScript('importWorker.js', 'jobs/worker-tsx.cjs');
    const input: WorkerInput = {
      dbPath: this.opts.dbPath,
      file: next.request.file,
      profile: next.request.profile,
      tolerance: next.request.tolerance,
      allowDuplicate: next.request.allowDuplicate ?? false,
      encoding: next.request.encoding,
      source: next.request.source,
      userId: next.request.userId,
      username: next.request.username,
      rejectsDir: this.opts.rejectsDir,
      reasonHeader: this.opts.reasonHeader ?? '',
      locale: next.request.locale ?? 'zh-CN',
      cancel: next.cancel,
      stallAfterRows: this.opts.stallAfterRows,
      deferCheckpoint: !!deferring,
    };
    const worker = new Worker(file, { workerData: input, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    next.worker = worker;
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      this.finish(
        next,
        nothingWritten(next.entry.jobId ?? 0, 'failed', next.entry.progress?.rowsRead ?? 0, {
          code: 'IMPORT_INTERRUPTED',
          details: { reason: message.slice(0, 300) },
        }),
      );
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'job') next.entry.jobId = m.jobId;
      else if (m.type === 'progress') this.onProgress(next, m.progress);
      else if (m.type === 'columns') this.opts.onColumns?.(m.data, m.token);
      else if (m.type === 'done') {
        settled = true;
        this.finish(next, m.outcome);
      } else if (m.type === 'crash') fail(m.message);
      else if (m.type === 'stalled') this.opts.onStalled?.(next.entry.jobId, m.rows);
    });
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => {
      next.worker = null;
      if (!settled) fail(`worker exited with code ${code}`);
    });
  }

  private onProgress(slot: Slot, p: JobProgress): void {
    slot.entry.progress = p;
    const elapsed = (Date.now() - (slot.entry.startedAt ?? Date.now())) / 1000;
    if (p.phase === 'reading' && elapsed > 0.5 && p.bytesRead > 0) {
      slot.entry.rate = Math.round(p.rowsRead / elapsed);
      const bytesPerSec = p.bytesRead / elapsed;
      slot.entry.etaSeconds = Math.max(0, Math.round((p.totalBytes - p.bytesRead) / bytesPerSec));
    }
  }

  private finish(slot: Slot, outcome: JobOutcome): void {
    slot.entry.state = 'finished';
    slot.entry.outcome = outcome;
    if (outcome.jobId) slot.entry.jobId = outcome.jobId;
    slot.entry.etaSeconds = 0;
    if (this.running === slot) {
      this.running = null;
      this.setMainBusyTimeout(5000);
    }
    // Keep the last few finished entries for the panel; the ledger has the rest.
    const finished = this.slots.filter((s) => s.entry.state === 'finished');
    for (const old of finished.slice(0, Math.max(0, finished.length - 20)))
      this.slots.splice(this.slots.indexOf(old), 1);
    try {
      this.opts.onFinished?.(outcome);
    } finally {
      const restore = slot.restoreCheckpoints;
      if (restore) {
        slot.restoreCheckpoints = undefined;
        // Called from a promise so that a throw in it also gives the setting back.
        void Promise.resolve()
          .then(() => this.opts.deferCheckpointsUntil?.(outcome))
          .then(restore, restore);
      }
      slot.resolve(outcome);
      this.pump();
    }
  }
}
