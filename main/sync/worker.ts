import type { Database } from 'better-sqlite3';
import WebSocket from 'ws';
import type { Mutators } from '../../db/sync/replica';
import { queuedCount } from '../../db/sync/replica';
import { hubCa } from '../../db/sync/membership';
import { readSyncState } from '../../db/sync/schema';
import { sendAuditAnchor } from './audit-anchor';
import { authHeader, type CycleReport, HubRefused, HubUnreachable, syncOnce } from './hub-client';

/**
 * The sync worker of one workstation: keeps a wake-up socket open to the hub, runs a sync cycle when
 * woken, after each local write (`kick`), on a timer (wake-ups carry no data and may be lost) and on
 * reconnect; backs off while the hub is unreachable; and reports a status for the header:
 * 已同步 (synced), 离线（N 条待上传）(offline, N queued) or 同步出错 (error, with the reason). A cycle in
 * progress keeps the previous status (no flicker in the header at every wake-up).
 */
export type SyncStatus =
  | { state: 'standalone' }
  | { state: 'synced'; queued: number; lastSyncAt: string | null }
  | { state: 'offline'; queued: number; reason: string }
  | { state: 'error'; queued: number; reason: string };

export interface SyncWorkerOptions {
  db: Database;
  mutators: Mutators;
  /** Pull this often even without wake-ups. */
  intervalMs?: number;
  /** First retry delay after a failure; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  onStatus?: (s: SyncStatus) => void;
  onCycle?: (r: CycleReport) => void;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

// The running worker of each store handle: a handler that queued a mutation wakes it (kickSync).
const running = new WeakMap<Database, SyncWorker>();

/** Sync soon after a local write; nothing when no worker runs (standalone). */
export function kickSync(db: Database): void {
  running.get(db)?.kick();
}

/** The worker syncing this store, if one runs (the header's status line asks it). */
export function workerOf(db: Database): SyncWorker | undefined {
  return running.get(db);
}

export class SyncWorker {
  private running = false;
  private cycle: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private socketTimer: NodeJS.Timeout | null = null;
  private ws: WebSocket | null = null;
  private failures = 0;
  private socketFailures = 0;
  private current: SyncStatus = { state: 'standalone' };

  constructor(private readonly opts: SyncWorkerOptions) {}

  /** The last cycle's outcome with the queue counted now (it grows offline between cycles). */
  status(): SyncStatus {
    const s = this.current;
    return s.state === 'standalone' ? s : { ...s, queued: queuedCount(this.opts.db) };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    running.set(this.opts.db, this);
    this.openSocket();
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (running.get(this.opts.db) === this) running.delete(this.opts.db);
    if (this.timer) clearTimeout(this.timer);
    if (this.socketTimer) clearTimeout(this.socketTimer);
    this.ws?.terminate();
    this.ws = null;
    await this.cycle;
  }

  /** Sync soon (coalesced): after a local write, on a wake-up. */
  kick(): void {
    if (!this.running) return;
    if (this.cycle !== null) {
      this.again = true;
      return;
    }
    this.cycle = this.run().finally(() => {
      this.cycle = null;
      if (this.again && this.running) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves after a full cycle that started after this call (tests, "sync now" button). */
  async syncNow(): Promise<SyncStatus> {
    while (this.cycle !== null) await this.cycle;
    this.kick();
    await this.cycle;
    return this.status();
  }

  private setStatus(s: SyncStatus): void {
    this.current = s;
    this.opts.onStatus?.(this.status());
  }

  private async run(): Promise<void> {
    const { db } = this.opts;
    if (!readSyncState(db).identity) return this.setStatus({ state: 'standalone' });
    // Joined since start (the administrator enrolled this PC while the app ran): open the wake-ups now.
    if (this.ws === null && this.socketTimer === null) this.openSocket();
    if (this.timer) clearTimeout(this.timer);
    let next = this.opts.intervalMs ?? 30_000;
    try {
      const report = await syncOnce(db, this.opts.mutators);
      this.failures = 0;
      this.opts.onCycle?.(report);
      await this.anchorAudit();
      this.setStatus({ state: 'synced', queued: queuedCount(db), lastSyncAt: readSyncState(db).lastSyncAt });
    } catch (err) {
      this.failures += 1;
      next = this.backoff(this.failures);
      const reason = err instanceof HubRefused ? refusalReason(err) : (err as Error).message;
      this.opts.log?.('sync.failed', { reason, retryMs: next });
      this.setStatus(
        err instanceof HubUnreachable
          ? { state: 'offline', queued: queuedCount(db), reason }
          : { state: 'error', queued: queuedCount(db), reason },
      );
    }
    if (this.running) {
      this.timer = setTimeout(() => this.kick(), next);
      this.timer.unref();
    }
  }

  /**
   * The audit chain's head to the hub after each cycle (main/sync/audit-anchor.ts). A refusal is logged
   * (the hub keeps it too); it does not stop the sync, and a hub without the endpoint is not an error.
   */
  private async anchorAudit(): Promise<void> {
    try {
      const r = await sendAuditAnchor(this.opts.db);
      if (r.sent && !r.accepted) this.opts.log?.('sync.auditAnchor.refused', { reason: r.reason });
    } catch (err) {
      this.opts.log?.('sync.auditAnchor.failed', { reason: (err as Error).message });
    }
  }

  private backoff(n: number): number {
    const base = Math.min((this.opts.backoffMs ?? 500) * 2 ** (n - 1), this.opts.maxBackoffMs ?? 30_000);
    // Jitter, so 40 PCs that lost the hub together do not all come back in the same millisecond.
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private openSocket(): void {
    const id = readSyncState(this.opts.db).identity;
    if (!this.running || !id || id.secretUnreadable) return;
    // wss:// for an https:// hub, trusting the CA configured when the PC joined (the bank's own).
    const ca = hubCa(this.opts.db);
    const ws = new WebSocket(`${id.hubUrl.replace(/^http/, 'ws')}/wake`, {
      headers: { authorization: authHeader(id) },
      handshakeTimeout: 10_000,
      ...(ca ? { ca } : {}),
    });
    this.ws = ws;
    ws.on('open', () => {
      this.socketFailures = 0;
      // Whatever happened while the socket was down, catch up now.
      this.kick();
    });
    ws.on('message', () => this.kick());
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws || !this.running) return;
      this.ws = null;
      this.socketFailures += 1;
      this.socketTimer = setTimeout(() => {
        this.socketTimer = null;
        this.openSocket();
      }, this.backoff(this.socketFailures));
      this.socketTimer.unref();
    });
  }

  /** True while the wake-up socket is open (tests wait for it before counting on wake-ups). */
  get listening(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }
}

function refusalReason(err: HubRefused): string {
  const body = err.body as { error?: string; detail?: string } | null;
  return body?.error ? `${body.error}${body.detail ? `: ${body.detail}` : ''}` : `http_${err.status}`;
}
