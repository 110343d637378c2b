/**
 * The main process's side of an upgrade (issue 18.2): the upgrade runs in a worker (./worker.ts) while
 * this thread relays its events to a tracker, the progress page's source; afterwards the refills the
 * migrations asked for run in a worker too, with their progress kept here for "updating" marks.
 */
import { rmSync, statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { storeFormat } from '../../db/cipher';
import { type EncryptProgress, type EncryptRunner, encryptFraction, rekeyProgress } from '../../db/encrypt';
import type { UpgradeRunner } from '../../db/open';
import { pendingRefills, type RefillName } from '../../db/refills';
import type { UpgradeEvent } from '../../db/upgrade-progress';
import { AppError, ERROR_CODES, type ErrorCode } from '../../shared/errors';
import { log } from '../log';
import { startWorker } from '../workers';
import type { UpgradeWorkerData, UpgradeWorkerMessage } from './worker';

const BUNDLED = 'upgradeWorker.js';
const DEV = 'upgrade/worker-tsx.cjs';

function failure(m: Extract<UpgradeWorkerMessage, { type: 'failed' }>): Error {
  if (m.code && (ERROR_CODES as readonly string[]).includes(m.code))
    return new AppError(m.code as ErrorCode, m.details ?? undefined);
  return Object.assign(new Error(m.message), m.code ? { code: m.code } : {}, m.details ? { details: m.details } : {});
}

/**
 * An UpgradeRunner (db/open.ts) that runs the upgrade in a worker. `onBackupBytes` hears how big an
 * encrypted store's backup has grown (its copy is one statement in the worker: the file shows progress).
 */
export function workerUpgradeRunner(onBackupBytes?: (bytes: number, expected: number) => void): UpgradeRunner {
  return (job, emit) =>
    new Promise((resolve, reject) => {
      let watch: NodeJS.Timeout | null = null;
      const stopWatch = () => {
        if (watch) clearInterval(watch);
        watch = null;
      };
      const relay = (e: UpgradeEvent) => {
        emit(e);
        if (e.type === 'backup-start' && job.encrypted && onBackupBytes) {
          watch = setInterval(() => {
            try {
              onBackupBytes(statSync(e.writing).size, e.bytes);
            } catch {
              // not created yet
            }
          }, 250);
        }
        if (e.type === 'backup-done') stopWatch();
      };
      const data: UpgradeWorkerData = { kind: 'upgrade', job };
      startWorker<UpgradeWorkerMessage>(BUNDLED, DEV, data, {
        message: (m) => {
          if (m.type === 'event') relay(m.event);
          else if (m.type === 'done') resolve({ migrated: m.migrated, backupPath: m.backupPath ?? '' });
          else if (m.type === 'failed') reject(failure(m));
          return m.type === 'done' || m.type === 'failed';
        },
        error: (e) => reject(e),
        end: () => {
          stopWatch();
          reject(new Error('upgrade worker ended without a result'));
        },
      });
    });
}

/**
 * An EncryptRunner (db/encrypt.ts) that converts a plaintext store in a worker, so this thread keeps
 * serving the progress page: the worker's progress is relayed as it comes, and while its one long
 * statement re-encrypts the copy, this thread follows the copy's journal (rekeyProgress) four times a
 * second. `signal` ends the worker (at once between statements, else when the running one returns) and
 * removes what it made, the half-made copy and the plaintext backup: the original stays as it was.
 */
export const workerEncryptRunner: EncryptRunner = (file, key, opts) =>
  new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(
        new AppError('STORE_ENCRYPT_FAILED', { file, backup: null, originalUnchanged: true, reason: 'cancelled' }),
      );
      return;
    }
    const onProgress = opts.onProgress ?? (() => undefined);
    let backupPath: string | null = null;
    let settled = false;
    let watch: NodeJS.Timeout | null = null;
    const stopWatch = () => {
      if (watch) clearInterval(watch);
      watch = null;
    };
    const follow = (p: EncryptProgress, w: NonNullable<EncryptProgress['watch']>) => {
      const t0 = performance.now();
      let last = -1;
      const { watch: _, ...base } = p;
      watch = setInterval(() => {
        let journal: number | null = null;
        try {
          journal = statSync(w.path).size;
        } catch {
          // not there yet: SQLite is still re-packing the pages
        }
        const rekeyed = rekeyProgress(w, performance.now() - t0, journal);
        if (rekeyed <= last) return;
        last = rekeyed;
        const done = p.done + rekeyed;
        onProgress({ ...base, done, fraction: encryptFraction('encrypt', done, p.total) });
      }, 250);
    };
    const data: UpgradeWorkerData = { kind: 'encrypt', file, key, backupDir: opts.backupDir ?? null };
    const worker = startWorker<UpgradeWorkerMessage>(BUNDLED, DEV, data, {
      message: (m) => {
        if (settled) return true;
        if (m.type === 'encrypt') {
          backupPath = m.backupPath;
          stopWatch();
          onProgress(m.progress);
          if (m.progress.watch) follow(m.progress, m.progress.watch);
        } else if (m.type === 'encrypted') {
          settled = true;
          resolve(m.result);
        } else if (m.type === 'failed') {
          settled = true;
          reject(failure(m));
        }
        return m.type === 'encrypted' || m.type === 'failed';
      },
      error: (e) => {
        if (settled) return;
        settled = true;
        reject(e);
      },
      end: () => {
        stopWatch();
        if (settled) return;
        settled = true;
        reject(new Error('encryption worker ended without a result'));
      },
    });
    opts.signal?.addEventListener(
      'abort',
      () => {
        if (settled) return;
        settled = true;
        stopWatch();
        void worker.terminate().then(() => {
          if (storeFormat(file) === 'encrypted') {
            // Ended after the swap: the store is converted and verified; only the plaintext copy is left.
            if (backupPath) rmSync(backupPath, { force: true });
            resolve({ backupPath: backupPath ?? '', ms: 0 });
            return;
          }
          for (const f of [`${file}.encrypting`, `${file}.encrypting-journal`, ...(backupPath ? [backupPath] : [])])
            rmSync(f, { force: true });
          log.info('store encryption cancelled: the original is unchanged', { file });
          reject(
            new AppError('STORE_ENCRYPT_FAILED', { file, backup: null, originalUnchanged: true, reason: 'cancelled' }),
          );
        }, reject);
      },
      { once: true },
    );
  });

/** A refill in progress, as the "updating" marks show it. */
export interface RefillStatus {
  names: RefillName[];
  /** 0..1 over the refill's own steps (null before the worker's first report). */
  fraction: number | null;
  etaSeconds: number | null;
}

export interface RefillOptions {
  /** Starts once this resolves (a test holds the refill to look at the marks while it is due). */
  hold?: Promise<void>;
  /** Waits while this says true (the after-import steps write too: the refill goes after them). */
  waitWhile?: () => boolean;
  /** Journal ids and customers per step of the reporting refill (tests pass small ones to see steps). */
  txnChunk?: number;
  customerChunk?: number;
  onProgress?: (s: RefillStatus) => void;
}

/**
 * Runs the refills the store still asks for (db/refills.ts) in a worker after the store opened. Whether
 * a figure is "updating" is read from the store (the request rows), not from here: this only adds how
 * far the worker has got, for a bar and an estimate.
 */
export class Refills {
  private worker: Worker | null = null;
  private status: RefillStatus | null = null;
  private closed = false;
  /** Resolves when no refill is due any more (or the worker failed: the next start tries again). */
  readonly done: Promise<RefillName[]>;

  constructor(db: Database, dbPath: string, opts: RefillOptions = {}) {
    const due = pendingRefills(db);
    if (due.length === 0) {
      this.done = Promise.resolve([]);
      return;
    }
    this.status = { names: due, fraction: null, etaSeconds: null };
    this.done = this.run(dbPath, due, opts);
  }

  current(): RefillStatus | null {
    return this.status ? { ...this.status } : null;
  }

  private async run(dbPath: string, due: RefillName[], opts: RefillOptions): Promise<RefillName[]> {
    await opts.hold;
    while (opts.waitWhile?.() && !this.closed) await new Promise((r) => setTimeout(r, 200));
    if (this.closed) return [];
    const t0 = performance.now();
    log.info('refilling derived tables after the upgrade', { refills: due });
    return new Promise((resolve) => {
      const data: UpgradeWorkerData = {
        kind: 'refill',
        file: dbPath,
        ...(opts.txnChunk ? { txnChunk: opts.txnChunk } : {}),
        ...(opts.customerChunk ? { customerChunk: opts.customerChunk } : {}),
      };
      this.worker = startWorker<UpgradeWorkerMessage>(BUNDLED, DEV, data, {
        message: (m) => {
          if (m.type === 'refill' && this.status) {
            const fraction = m.total > 0 ? m.done / m.total : 0;
            const secs = (performance.now() - t0) / 1000;
            this.status = {
              names: due,
              fraction,
              etaSeconds: fraction >= 0.02 && secs >= 1 ? Math.round((secs / fraction) * (1 - fraction)) : null,
            };
            opts.onProgress?.(this.current()!);
          } else if (m.type === 'done') {
            log.info('derived tables refilled', {
              refills: m.refilled,
              seconds: Math.round((performance.now() - t0) / 1000),
            });
            this.status = null;
            resolve(m.refilled);
          } else if (m.type === 'failed') {
            log.error('refill failed: the figures stay marked updating until the next start refills them', {
              code: m.code,
              error: m.message,
            });
            resolve([]);
          }
          return m.type === 'done' || m.type === 'failed';
        },
        error: (e) => {
          log.error('refill worker failed', { error: e.message });
          resolve([]);
        },
        end: () => {
          this.worker = null;
          resolve([]);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // A refill cut short rolls back (its transaction never commits) and stays requested.
    await this.worker?.terminate();
  }
}
