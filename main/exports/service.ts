/**
 * Exports in the main process: one worker per export (main/exports/worker.ts), progress kept here
 * for the window to poll, cancel by a shared flag, finished files handed out through the file vault
 * (an unguessable id bound to the user who made it, valid for an hour).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ExportStatus } from '../../shared/api/exports';
import type { ColumnSpec } from './labels';
import type { ExportMessage, ExportWorkerInput } from './worker';
import { startWorker } from '../workers';

interface VaultEntry {
  path: string;
  name: string;
  userId: number;
  expires: number;
}

/**
 * Export files hold customer data: readable by their owner only (mode 0600; on Windows the folder
 * under the user's %APPDATA% already is), and deleted once their link has expired, when the services
 * close, and at start-up for anything an earlier run left behind (issue 19.7: they were never deleted).
 */
export class FileVault {
  private readonly files = new Map<string, VaultEntry>();
  private readonly timer: NodeJS.Timeout;
  constructor(
    private readonly ttlMs = 60 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), Math.min(ttlMs, 5 * 60_000));
    this.timer.unref();
  }

  register(file: string, name: string, userId: number): string {
    const id = randomBytes(24).toString('base64url');
    try {
      chmodSync(file, 0o600);
    } catch {
      // A file system without POSIX modes (FAT, some network shares): the folder's ACL is what protects it.
    }
    this.files.set(id, { path: file, name, userId, expires: this.now() + this.ttlMs });
    return id;
  }

  /** The file behind an id, for its owner only, while it is valid. */
  get(id: string, userId: number): { path: string; name: string } | null {
    const e = this.files.get(id);
    if (!e || e.userId !== userId) return null;
    if (e.expires < this.now() || !existsSync(e.path)) {
      this.drop(id, e);
      return null;
    }
    return { path: e.path, name: e.name };
  }

  /** Deletes the files whose links have expired; returns how many. */
  sweep(): number {
    let n = 0;
    for (const [id, e] of this.files) {
      if (e.expires < this.now()) {
        this.drop(id, e);
        n++;
      }
    }
    return n;
  }

  /** Deletes every file handed out (the links die with the process). */
  close(): void {
    clearInterval(this.timer);
    for (const [id, e] of this.files) this.drop(id, e);
  }

  private drop(id: string, e: VaultEntry): void {
    this.files.delete(id);
    rmSync(e.path, { force: true });
  }
}

/** Export files an earlier run left in `dir` (their links died with it): deleted at start-up. */
export function clearStaleExports(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir)) {
    rmSync(path.join(dir, f), { force: true, recursive: true });
    n++;
  }
  return n;
}

interface Job {
  status: ExportStatus;
  userId: number;
  worker: Worker | null;
  cancel: SharedArrayBuffer;
  file: string;
  name: string;
}

export interface ExportRequest {
  userId: number;
  sql: string;
  countSql: string;
  params: (string | number)[];
  columns: ColumnSpec[];
  format: 'xlsx' | 'csv';
  /** File name offered to the user, e.g. 客户清单-20261201-0930.xlsx */
  name: string;
  sheetName: string;
  onFinished?: (s: ExportStatus) => void;
}

export class ExportService {
  private readonly jobs = new Map<number, Job>();
  private next = 1;

  constructor(private readonly opts: { dbPath: string; dir: string; vault: FileVault }) {}

  start(req: ExportRequest): ExportStatus {
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    const ticket = this.next++;
    const file = path.join(this.opts.dir, `export-${ticket}-${randomBytes(6).toString('hex')}.${req.format}`);
    const job: Job = {
      status: { ticket, state: 'running', format: req.format, rows: 0, total: 0, fraction: 0, file: null, error: null },
      userId: req.userId,
      worker: null,
      cancel: new SharedArrayBuffer(4),
      file,
      name: req.name,
    };
    this.jobs.set(ticket, job);
    const input: ExportWorkerInput = {
      dbPath: this.opts.dbPath,
      sql: req.sql,
      countSql: req.countSql,
      params: req.params,
      columns: req.columns,
      format: req.format,
      file,
      sheetName: req.sheetName,
      cancel: job.cancel,
    };
    const finish = (patch: Partial<ExportStatus>) => {
      if (job.status.state !== 'running') return;
      job.status = { ...job.status, ...patch };
      job.worker = null;
      req.onFinished?.({ ...job.status });
    };
    job.worker = startWorker<ExportMessage>('exportWorker.js', 'exports/worker-tsx.cjs', input, {
      message: (m) => {
        if (m.type === 'progress')
          job.status = { ...job.status, rows: m.rows, total: m.total, fraction: m.total ? m.rows / m.total : 0 };
        else if (m.type === 'done') {
          const id = this.opts.vault.register(file, req.name, req.userId);
          finish({
            state: 'done',
            rows: m.rows,
            total: m.total,
            fraction: 1,
            file: { id, name: req.name, bytes: m.bytes },
          });
        } else if (m.type === 'cancelled') finish({ state: 'cancelled' });
        else finish({ state: 'failed', error: { code: 'INTERNAL', details: { reason: m.message.slice(0, 200) } } });
      },
      error: (e) =>
        finish({ state: 'failed', error: { code: 'INTERNAL', details: { reason: e.message.slice(0, 200) } } }),
      end: () => finish({ state: 'failed', error: { code: 'INTERNAL', details: { reason: 'worker exited' } } }),
    });
    return { ...job.status };
  }

  status(ticket: number, userId: number): ExportStatus | null {
    const j = this.jobs.get(ticket);
    return j && j.userId === userId ? { ...j.status } : null;
  }

  cancel(ticket: number, userId: number): ExportStatus | null {
    const j = this.jobs.get(ticket);
    if (!j || j.userId !== userId) return null;
    if (j.status.state === 'running') Atomics.store(new Int32Array(j.cancel), 0, 1);
    return { ...j.status };
  }

  /** Whether this user already has an export running (one at a time per user). */
  running(userId: number): boolean {
    for (const j of this.jobs.values()) if (j.userId === userId && j.status.state === 'running') return true;
    return false;
  }

  async close(): Promise<void> {
    for (const j of this.jobs.values()) {
      if (j.worker) {
        Atomics.store(new Int32Array(j.cancel), 0, 1);
        await j.worker.terminate();
      }
      if (j.status.state !== 'done') rmSync(j.file, { force: true });
    }
  }
}
