import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { flushPendingAudit } from '../db/repos/audit';
import { currentVersion } from '../db/migrate';
import type { EncryptProgress } from '../db/encrypt';
import { DEFAULT_FULL_CHECK_MAX_BYTES, latestBackup } from '../db/open';
import { quarantineStore } from '../db/quarantine';
import { DEFAULT_SESSION_POLICY, SessionStore, type SessionPolicy } from './auth/sessions';
import { systemClock, type Clock } from './clock';
import { markInterrupted } from './jobs/engine/revert';
import { syncBuiltinProfiles } from './jobs/profiles/store';
import { ImportQueue } from './jobs/queue';
import { clearStaleExports, ExportService, FileVault } from './exports/service';
import { ColumnsBuilder } from './grid/columns';
import { FollowUps } from './jobs/follow-ups';
import { log } from './log';
import { lockStore } from './store-lock';
import { openAppStore } from './store-key';
import { verifyInBackground } from './store-verify';
import { inboxDir, rejectsDir } from './paths';
import { startWorkstationSync } from './sync/start';
import { setTierAdoptListener } from '../db/sync/tiers';
import { workerOf } from './sync/worker';
import { setUserChangeListener } from '../db/sync/users';
import { DEFAULT_COST, type ScryptCost } from '../db/password';
import { UpgradeTracker } from '../db/upgrade-progress';
import { Refills, type RefillOptions, workerUpgradeRunner } from './upgrade/run';

export interface AuthPolicy {
  /** Consecutive failures that lock an account. */
  maxAttempts: number;
  lockMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = { maxAttempts: 5, lockMs: 15 * 60_000 };

export interface ServiceOptions {
  dbPath: string;
  mode: 'electron' | 'browser';
  clock?: Clock;
  sessionPolicy?: SessionPolicy;
  authPolicy?: AuthPolicy;
  /** scrypt cost of the passwords set here (db/password.ts DEFAULT_COST; tests pass a cheap one). */
  passwordCost?: ScryptCost;
  backupDir?: string;
  /** Books at least this big get the grid's in-memory columns (default 50,000 customers). */
  columnsMinCustomers?: number;
  /** Books at least this big run the after-import steps in a worker thread (default 50,000 customers). */
  followUpsWorkerFromCustomers?: number;
  /**
   * Take the store's lock file (main/store-lock.ts): the app and the browser-mode host do, so a second
   * one on the same store is refused with STORE_IN_USE; tests and the CLI's commands do not.
   */
  exclusive?: boolean;
  /**
   * Encrypt the store at rest (main/store-key.ts; a plaintext store is converted once, backup kept).
   * The app and the browser-mode host pass true; tests that are not about encryption leave it off.
   */
  encrypt?: boolean;
  /** Progress of a plaintext store's conversion (for a start-up page); console lines are always written. */
  onEncryptProgress?: (p: EncryptProgress) => void;
  /**
   * Follows a store upgrade (check, backup, migrations: run in a worker so this thread stays free) for
   * the progress page or window; the derived tables' refill runs after the open, see `refills`.
   */
  upgrade?: UpgradeTracker;
  /** Run the upgrade on this thread instead of a worker (the CLI, which has no page to keep serving). */
  upgradeInline?: boolean;
  /**
   * Stops a conversion to the encrypted format under way (browser mode's Ctrl-C): the original stays as
   * it was (STORE_ENCRYPT_FAILED, reason 'cancelled'). Later phases run to their end.
   */
  signal?: AbortSignal;
  /** The refill after an upgrade (main/upgrade/run.ts): held, chunked, watched (tests). */
  refill?: RefillOptions;
  /**
   * Stores above this size skip the full check at open (db/open.ts, default 256 MB) and get every page
   * read once in a background worker instead (main/store-verify-worker.ts); damage found quarantines.
   */
  fullCheckMaxBytes?: number;
  /**
   * The start-up's and an import's follow-up steps on a big book, and the background page check, wait
   * this long after start-up or the import (issue 18.1: the first seconds are the window's). Default
   * 5,000 ms; the page check of a book of 50,000 customers or more waits 30 s more.
   */
  backgroundDelayMs?: number;
}

/** A store found damaged while serving: every later call is refused with this (main/registry.ts). */
export interface StoreDamage {
  file: string;
  backup: string | null;
  sqlite: string;
}

export interface Services {
  db: Database;
  sessions: SessionStore;
  clock: Clock;
  authPolicy: AuthPolicy;
  passwordCost: ScryptCost;
  info: { mode: 'electron' | 'browser'; version: string; schemaVersion: number; demo: boolean; dbPath: string };
  imports: ImportQueue;
  followUps: FollowUps;
  exports: ExportService;
  /** Derived tables refilled after an upgrade: its progress (whether a figure is updating is in the store). */
  refills: Refills;
  vault: FileVault;
  /** What only the Electron shell can do (a native save dialog); empty in browser mode. */
  platform: {
    saveAs?: (file: string, defaultName: string) => Promise<boolean>;
    openFolder?: (dir: string) => Promise<boolean>;
  };
  paths: { inbox: string; rejects: string; exports: string };
  /** Set once a read or write met a page that fails its check: the store is quarantined. */
  readonly damaged: StoreDamage | null;
  /** Quarantines the store after SQLITE_CORRUPT / SQLITE_NOTADB (idempotent); returns what to tell the user. */
  markDamaged(sqliteCode: string): StoreDamage;
  close(): Promise<void>;
}

export const APP_VERSION = '0.1.0';

/** Opens the store (integrity check, backup, migrations) and wires repositories and sessions. */
export async function createServices(opts: ServiceOptions): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const lock = opts.exclusive ? lockStore(opts.dbPath, opts.mode) : null;
  let opened: Awaited<ReturnType<typeof openAppStore>>;
  const upgrade = opts.upgrade ?? new UpgradeTracker(() => undefined);
  let phase = '';
  try {
    opened = await openAppStore(opts.dbPath, {
      encrypt: opts.encrypt ?? false,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.backupDir ? { backupDir: opts.backupDir } : {}),
      onEncryptProgress: (p) => {
        upgrade.handle({ type: 'encrypt', fraction: p.fraction });
        opts.onEncryptProgress?.(p);
      },
      onUpgradeProgress: (e) => {
        upgrade.handle(e);
        const s = upgrade.current;
        if (s.phase !== phase) {
          phase = s.phase;
          log.info('store upgrade', { phase, from: s.from, to: s.to, backup: s.backup.path });
        }
      },
      ...(opts.upgradeInline ? {} : { upgradeRunner: workerUpgradeRunner((b, x) => upgrade.backupBytes(b, x)) }),
      deferRefills: true,
      ...(opts.fullCheckMaxBytes !== undefined ? { fullCheckMaxBytes: opts.fullCheckMaxBytes } : {}),
    });
  } catch (e) {
    lock?.release();
    if (upgrade.upgrading) {
      const details = (e as { details?: Record<string, unknown> }).details ?? {};
      upgrade.handle({
        type: 'failed',
        code: (e as { code?: string }).code ?? 'INTERNAL',
        file: path.resolve(opts.dbPath),
        backup: typeof details.backup === 'string' ? details.backup : null,
        version: typeof details.version === 'number' ? details.version : null,
      });
    }
    throw e;
  }
  if (upgrade.upgrading) upgrade.handle({ type: 'ready' });
  const { db, migrated, backupPath } = opened;
  if (migrated.length) log.info('store migrated', { to: migrated.at(-1), backup: backupPath });
  const interrupted = markInterrupted(db);
  if (interrupted) log.warn('import jobs interrupted by a previous exit marked failed', { count: interrupted });
  syncBuiltinProfiles(db);
  const paths = {
    inbox: inboxDir(opts.dbPath),
    rejects: rejectsDir(opts.dbPath),
    exports: path.join(path.dirname(path.resolve(opts.dbPath)), 'exports'),
  };
  // Only the process that holds the store's lock may assume no other process is handing out these files.
  if (lock) {
    const removed = clearStaleExports(paths.exports);
    if (removed) log.info('export files of an earlier run deleted', { count: removed });
  }
  const vault = new FileVault();
  const exportService = new ExportService({ dbPath: opts.dbPath, dir: paths.exports, vault });
  // The grid's in-memory columns: built in a worker now and again after each import (the SQL path serves meanwhile).
  // Reminders and opportunity rules after imports, reverts, re-tiering and at start-up (a worker for big books).
  const background = opts.backgroundDelayMs ?? 5_000;
  const followUps = new FollowUps(db, opts.dbPath, {
    workerFromCustomers: opts.followUpsWorkerFromCustomers ?? 50_000,
    deferMs: background,
  });
  const columns = new ColumnsBuilder(db, opts.dbPath, {
    minCustomers: opts.columnsMinCustomers ?? 50_000,
    waitFor: () => followUps.working(),
  });
  const imports = new ImportQueue({
    dbPath: opts.dbPath,
    rejectsDir: paths.rejects,
    mainDb: db,
    // The columns of the committed book, made by the job in its transaction: installed at once.
    onColumns: (data, token) => columns.adopt(data, token),
    onFinished: (o) => {
      log.info('import job finished', {
        jobId: o.jobId,
        status: o.status,
        rows: o.rowsRead,
        rejected: o.rowsRejected,
        code: o.error?.code,
      });
      try {
        flushPendingAudit(db);
      } catch (e) {
        log.warn('deferred audit entries not yet written', { error: String(e) });
      }
      if (o.status === 'committed') {
        followUps.schedule({ today: clock.today(), reason: 'import', jobId: o.jobId });
        columns.warm();
      }
    },
    // A million-row load leaves hundreds of MB of WAL: the follow-up worker copies it back, not the
    // job's commit (seconds more before the user sees it done) nor this connection's next commit.
    deferCheckpointsUntil: () => followUps.idle(),
  });
  followUps.schedule({ today: clock.today(), reason: 'startup', jobId: null });
  columns.warm();
  // Refills an upgrade asked for (or an earlier start left unfinished), after the start-up steps.
  const refills = new Refills(db, opts.dbPath, { waitWhile: () => followUps.busy() !== null, ...opts.refill });
  // A model activated on another PC re-tiers this book at a sync: its follow-ups run as after tiers.apply.
  setTierAdoptListener(db, () => followUps.schedule({ today: clock.today(), reason: 'retier', jobId: null }));
  // A store joined to a branch hub syncs in the background; a standalone store starts nothing.
  const sync = startWorkstationSync(db, { log: (msg, extra) => log.warn(msg, extra) });
  const sessions = new SessionStore(opts.sessionPolicy ?? DEFAULT_SESSION_POLICY, () => clock.now().getTime());
  // Accounts live on the hub: a password changed or an account disabled on another PC ends the user's
  // sessions here at the sync that brings it (the registry also refuses a disabled user at each call).
  setUserChangeListener(db, (c) => {
    sessions.revokeUser(c.userId);
    log.info('sessions ended by a change from the hub', { userId: c.userId, disabled: c.disabled });
  });
  let damaged: StoreDamage | null = null;
  const markDamaged = (sqlite: string): StoreDamage => {
    if (damaged) return damaged;
    const file = path.resolve(opts.dbPath);
    damaged = { file, backup: latestBackup(file, opts.backupDir), sqlite };
    log.error('store damaged: quarantined, every call refused from now on', { ...damaged });
    try {
      quarantineStore(file, { since: clock.now().toISOString(), sqlite, backup: damaged.backup });
    } catch (e) {
      log.error('could not write the quarantine marker', { error: String(e) });
    }
    return damaged;
  };
  // A store too big for the full check at open has every page read once in the background.
  const verifier = verifyInBackground(
    opts.dbPath,
    opts.fullCheckMaxBytes ?? DEFAULT_FULL_CHECK_MAX_BYTES,
    markDamaged,
    background > 0 && followUps.bookSize() >= 50_000 ? background + 30_000 : 0,
  );
  return {
    db,
    sessions,
    clock,
    authPolicy: opts.authPolicy ?? DEFAULT_AUTH_POLICY,
    passwordCost: opts.passwordCost ?? DEFAULT_COST,
    info: {
      mode: opts.mode,
      version: APP_VERSION,
      schemaVersion: currentVersion(db),
      demo: process.env.CRM_DEMO === '1',
      dbPath: opts.dbPath,
    },
    imports,
    followUps,
    exports: exportService,
    refills,
    vault,
    platform: {},
    paths,
    get damaged() {
      return damaged;
    },
    markDamaged,
    async close() {
      await Promise.all([
        imports.close(),
        refills.close(),
        exportService.close(),
        columns.close(),
        followUps.close(),
        sync?.stop(),
        workerOf(db)?.stop(),
        verifier?.terminate(),
      ]);
      vault.close();
      db.close();
      lock?.release();
    },
  };
}
