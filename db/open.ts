import type { Database } from 'better-sqlite3';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { AppError } from '../shared/errors';
import {
  applyKey,
  isSqliteCorruption,
  rememberStoreKey,
  Sqlite,
  type StoreKey,
  storeFormat,
  storeSalt,
} from './cipher';
import { type EncryptProgress, type EncryptResult, type EncryptRunner, encryptStore } from './encrypt';
import { quarantineOf } from './quarantine';
import { checkStorePages, type StoreCheckProgress, type StoreCheckResult } from './store-check';
import { currentVersion, loadMigrations, migrate, pendingMigrations, refillsOf } from './migrate';
import { pendingRefills, type RefillName, runRefill } from './refills';
import type { UpgradeEvent } from './upgrade-progress';

export type { Database };

export interface OpenOptions {
  /** Folder for pre-migration backups; defaults to `<store dir>/backups`. */
  backupDir?: string;
  /** Skip the full integrity check (tests of other things on known-good files). */
  skipIntegrityCheck?: boolean;
  /**
   * Stores up to this size get the full `integrity_check` at every open (well under a second).
   * Bigger ones (a million customers is ~5 GB, where even quick_check reads for a minute) get the
   * structural checks of opening and reading the schema and every table's root page here, and
   * the full check before any migration and from `crm check` (the nightly task runs it).
   */
  fullCheckMaxBytes?: number;
  readonly?: boolean;
  /**
   * The store's key (db/cipher.ts): an encrypted store is opened with it, a plaintext one is first
   * converted to the encrypted format (db/encrypt.ts: backup kept, progress reported), a new one is
   * created encrypted. Without a key the store is an ordinary SQLite file (tests, tools).
   */
  key?: StoreKey | null;
  /** The salt the key's record says its store has: tells a wrong key from a damaged first page. */
  keySalt?: string | null;
  /** Progress of a plaintext store's conversion to the encrypted format. */
  onEncryptProgress?: (p: EncryptProgress) => void;
  /**
   * Runs that conversion somewhere else than on this thread: the app runs it in a worker
   * (main/upgrade/run.ts) so its progress page keeps being served. Default: encryptStore here.
   */
  encryptRunner?: EncryptRunner;
  /** Stops a conversion under way (the original stays as it was; STORE_ENCRYPT_FAILED, reason 'cancelled'). */
  signal?: AbortSignal;
  /** What an upgrade is doing (db/upgrade-progress.ts folds these into a state for a page). */
  onUpgradeProgress?: (e: UpgradeEvent) => void;
  /** Steps of a refill run here (without deferRefills): the command line prints them. */
  onRefillProgress?: (name: RefillName, done: number, total: number) => void;
  /**
   * Runs the upgrade (check, backup, migrations) somewhere else than on this connection: the app runs it
   * in a worker (main/upgrade/) so its event loop keeps serving the progress page. Default: here.
   */
  upgradeRunner?: UpgradeRunner;
  /**
   * Leave refills the migrations asked for (db/refills.ts) to the caller, who runs them after the store
   * opens (the app: in a worker, figures marked updating meanwhile). Default: refilled before returning.
   */
  deferRefills?: boolean;
}

/** What an upgrade needs to know besides the store's connection. */
export interface UpgradeJob {
  file: string;
  backupDir: string | null;
  encrypted: boolean;
  /** The full integrity check first (a big store skipped it at open; never migrate a damaged one). */
  fullCheck: boolean;
}

export type UpgradeRunner = (
  job: UpgradeJob,
  emit: (e: UpgradeEvent) => void,
) => Promise<{ migrated: number[]; backupPath: string }>;

export interface OpenResult {
  db: Database;
  migrated: number[];
  backupPath: string | null;
  /** Set when this open converted a plaintext store to the encrypted format. */
  encryption: EncryptResult | null;
}

/** Connection settings every handle gets: WAL for concurrent readers, FKs enforced, bounded waits. */
export function configure(db: Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536'); // 64 MB page cache
}

/**
 * Opens (or creates) the store, checks it is intact, backs it up if a migration is due, and migrates.
 * A damaged file is refused with STORE_DAMAGED and left untouched for the administrator to restore.
 */
export const DEFAULT_FULL_CHECK_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The full check: every page, every index entry, table by table with progress (db/store-check.ts: the
 * same verdict as SQLite's whole-file integrity_check). STORE_DAMAGED with the first problems found.
 */
export function checkIntegrity(db: Database, file: string, onProgress?: (p: StoreCheckProgress) => void): void {
  let result: StoreCheckResult;
  try {
    result = checkStorePages(db, onProgress ? { onProgress } : {});
  } catch (err) {
    if (isSqliteCorruption(err))
      throw new AppError('STORE_DAMAGED', { file, backup: latestBackup(file), reason: 'not_a_database' });
    throw err;
  }
  if (!result.ok) {
    throw new AppError('STORE_DAMAGED', {
      file,
      backup: latestBackup(file),
      reason: 'integrity_check',
      problems: result.problems.slice(0, 5),
    });
  }
}

/** Cheap checks for big stores: the schema parses and every table's first page reads. */
function checkStructure(db: Database, file: string): void {
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .pluck()
      .all() as string[];
    for (const t of tables) db.prepare(`SELECT 1 FROM "${t.replaceAll('"', '""')}" LIMIT 1`).get();
  } catch (err) {
    if (isSqliteCorruption(err))
      throw new AppError('STORE_DAMAGED', { file, backup: latestBackup(file), reason: 'structure' });
    throw err;
  }
}

/** Whether the store's schema is behind the app's (read before the full check: damage reads as STORE_DAMAGED). */
function upgradeDue(db: Database, all: ReturnType<typeof loadMigrations>, file: string): boolean {
  try {
    return currentVersion(db) > 0 && pendingMigrations(db, all).length > 0;
  } catch (err) {
    if (isSqliteCorruption(err))
      throw new AppError('STORE_DAMAGED', { file, backup: latestBackup(file), reason: 'structure' });
    throw err;
  }
}

/**
 * A store the user may not write (a read-only file or folder, another Windows user's profile) is
 * refused before SQLite touches it: opening it for writing would fail halfway, after creating the
 * -wal and -shm files beside it, and end in a raw SQLITE_READONLY. EACCES reaches the start-up text.
 */
function assertWritable(file: string): void {
  const targets = [path.dirname(path.resolve(file))];
  if (existsSync(file)) targets.push(file);
  for (const t of targets) {
    try {
      accessSync(t, constants.W_OK);
    } catch {
      throw Object.assign(new Error(`store not writable: ${t}`), { code: 'EACCES', details: { file } });
    }
  }
}

export async function openStore(file: string, opts: OpenOptions = {}): Promise<OpenResult> {
  const existed = existsSync(file) && statSync(file).size > 0;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (!opts.readonly) assertWritable(file);
  // A store found damaged while serving stays refused until the administrator has dealt with it.
  const quarantined = quarantineOf(file);
  if (quarantined) {
    throw new AppError('STORE_DAMAGED', {
      file,
      backup: quarantined.backup ?? latestBackup(file),
      reason: 'quarantined',
    });
  }
  const key = opts.key ?? null;
  let encryption: EncryptResult | null = null;
  if (key && existed && storeFormat(file) === 'plaintext') {
    if (opts.readonly) throw new AppError('STORE_TOO_OLD', { file, reason: 'plaintext' });
    const run: EncryptRunner = opts.encryptRunner ?? ((f, k, o) => encryptStore(f, k, o));
    encryption = await run(file, key, {
      ...(opts.backupDir ? { backupDir: opts.backupDir } : {}),
      ...(opts.onEncryptProgress ? { onProgress: opts.onEncryptProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
  let db: Database;
  try {
    db = new Sqlite(file, { readonly: opts.readonly ?? false });
  } catch (err) {
    if (isSqliteCorruption(err)) {
      throw new AppError('STORE_DAMAGED', { file, backup: latestBackup(file), reason: 'not_a_database' });
    }
    throw err;
  }
  if (key) {
    try {
      applyKey(db, key);
      // The first read decrypts page 1: a wrong key and a damaged first page both fail here.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      db.close();
      if (!isSqliteCorruption(err)) throw err;
      // The key's record names the file it was made for: same salt, so the page is damaged.
      if (!opts.keySalt || opts.keySalt !== storeSalt(file)) throw new AppError('STORE_KEY_WRONG', { file });
      throw new AppError('STORE_DAMAGED', { file, backup: latestBackup(file), reason: 'not_a_database' });
    }
    rememberStoreKey(file, key);
  }
  try {
    const size = existed ? statSync(file).size : 0;
    const full = size <= (opts.fullCheckMaxBytes ?? DEFAULT_FULL_CHECK_MAX_BYTES);
    const all = loadMigrations();
    // The full check before migrating (never back up or migrate a damaged store): a big store gets it
    // only then; a start that upgrades in a worker runs it there too, so it shows on the progress page.
    // A store converted to the encrypted format just now had it in the conversion (db/encrypt.ts).
    let checkInUpgrade = false;
    if (existed && !opts.skipIntegrityCheck && !encryption) {
      if (full && !(opts.upgradeRunner && !opts.readonly && upgradeDue(db, all, file))) checkIntegrity(db, file);
      else {
        checkStructure(db, file);
        checkInUpgrade = true;
      }
    }
    if (!opts.readonly) configure(db);
    else db.pragma('foreign_keys = ON');
    // A new encrypted store is the owner's alone, like its key file.
    if (key && !existed) chmodSync(file, 0o600);

    const pending = pendingMigrations(db, all);
    let backupPath: string | null = null;
    let migrated: number[] = [];
    if (pending.length > 0 && existed && currentVersion(db) > 0) {
      if (opts.readonly) throw new AppError('STORE_TOO_OLD', { file });
      const emit = opts.onUpgradeProgress ?? (() => undefined);
      emit({
        type: 'start',
        from: currentVersion(db),
        to: all.length,
        fullCheck: checkInUpgrade,
        refills: [...new Set(pending.flatMap(refillsOf))],
      });
      const job: UpgradeJob = {
        file,
        backupDir: opts.backupDir ?? null,
        encrypted: key !== null,
        fullCheck: checkInUpgrade,
      };
      const run = opts.upgradeRunner ?? ((j, e) => performUpgrade(db, j, e));
      ({ migrated, backupPath } = await run(job, emit));
    } else if (!opts.readonly) migrated = migrate(db, { migrations: all });
    // Refills the migrations asked for (or an earlier start left unfinished), unless the caller runs them.
    if (!opts.readonly && !opts.deferRefills) {
      for (const r of pendingRefills(db)) {
        const onStep = opts.onRefillProgress;
        runRefill(db, r, onStep ? { onProgress: (done, total) => onStep(r, done, total) } : {});
      }
    }
    return { db, migrated, backupPath, encryption };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The upgrade itself, on `db` (the app runs it on a worker's connection: main/upgrade/worker.ts): the
 * full check when the open skipped it, the backup, then every pending migration in one transaction.
 * A failure after the backup leaves the store as it was and the backup in place, and says where it is
 * (STORE_MIGRATION_FAILED with `backup`), so the start-up text can tell how to go back.
 */
export async function performUpgrade(
  db: Database,
  job: UpgradeJob,
  emit: (e: UpgradeEvent) => void,
): Promise<{ migrated: number[]; backupPath: string }> {
  const from = currentVersion(db);
  if (job.fullCheck) {
    emit({ type: 'check' });
    checkIntegrity(db, job.file, (p) =>
      emit({ type: 'check', done: p.done, total: p.total, table: p.index, tables: p.count }),
    );
  }
  let backupPath: string;
  try {
    backupPath = await backupStore(db, job.file, from, job.backupDir ?? undefined, job.encrypted, emit);
  } catch (err) {
    throw upgradeFailure(err, job.file, null, null);
  }
  emit({ type: 'backup-done', path: backupPath });
  let at: number | null = null;
  let migrated: number[];
  try {
    migrated = migrate(db, {
      onStep: (s) => {
        at = s.migration.version;
        emit({ type: 'migrate', version: at, name: s.migration.name, index: s.index, count: s.count });
      },
    });
  } catch (err) {
    throw upgradeFailure(err, job.file, backupPath, at);
  }
  emit({ type: 'migrated' });
  return { migrated, backupPath };
}

/**
 * A failed backup or migration as STORE_MIGRATION_FAILED naming the file, the backup (when one was
 * taken) and the migration that failed; a full disk keeps its own code (its message says what to do).
 */
function upgradeFailure(err: unknown, file: string, backup: string | null, version: number | null): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return Object.assign(err as object, { details: { file, backup } });
  }
  if (err instanceof AppError && err.code !== 'STORE_MIGRATION_FAILED') return err;
  const details = err instanceof AppError ? err.details : {};
  return new AppError('STORE_MIGRATION_FAILED', {
    ...details,
    file,
    backup,
    version,
    sqlite: typeof code === 'string' ? code : null,
  });
}

/**
 * Online backup (consistent even with the store open) before a schema change touches it. An encrypted
 * store's backup is encrypted under the same key: SQLite's backup API cannot copy between an encrypted
 * and a new file, `VACUUM INTO` writes the copy through the connection's cipher (one statement: its
 * progress is the copy's growth, which the app's main thread watches while a worker runs it).
 */
export async function backupStore(
  db: Database,
  file: string,
  version: number,
  dir?: string,
  encrypted = false,
  emit: (e: UpgradeEvent) => void = () => undefined,
): Promise<string> {
  const backupDir = dir ?? path.join(path.dirname(path.resolve(file)), 'backups');
  mkdirSync(backupDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = path.basename(file, path.extname(file));
  const target = path.join(backupDir, `${base}-v${version}-${stamp}.db`);
  // Written under another name and renamed when complete: a copy cut short (the app killed, the power
  // gone) is never taken for a backup by latestBackup. Copies a killed run left behind go first.
  const writing = `${target}${PARTIAL}`;
  removePartialBackups(backupDir, base);
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const pages =
    Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
  emit({ type: 'backup-start', path: target, writing, bytes: pages * pageSize });
  try {
    if (encrypted) db.prepare('VACUUM INTO ?').run(writing);
    else {
      await db.backup(writing, {
        progress: ({ totalPages, remainingPages }) => {
          emit({ type: 'backup', done: totalPages - remainingPages, total: totalPages });
          // Pages per step: 16 MB at 4 KB pages, so a big store reports a few times a second.
          return 4096;
        },
      });
    }
    chmodSync(writing, 0o600);
    renameSync(writing, target);
  } catch (err) {
    for (const f of [writing, `${writing}-journal`]) rmSync(f, { force: true });
    throw err;
  }
  return target;
}

/** The suffix of a backup still being written (or cut short). */
const PARTIAL = '.partial';

function removePartialBackups(backupDir: string, base: string): void {
  for (const n of readdirSync(backupDir))
    if (n.startsWith(`${base}-`) && (n.endsWith(`.db${PARTIAL}`) || n.endsWith(`.db${PARTIAL}-journal`)))
      rmSync(path.join(backupDir, n), { force: true });
}

/** The newest backup of `file` in its backups folder (what a damaged store's message offers), or null. */
export function latestBackup(file: string, dir?: string): string | null {
  const backupDir = dir ?? path.join(path.dirname(path.resolve(file)), 'backups');
  const base = path.basename(file, path.extname(file));
  let names: string[];
  try {
    names = readdirSync(backupDir).filter((n) => n.startsWith(`${base}-`) && n.endsWith('.db'));
  } catch {
    return null;
  }
  let best: { p: string; t: number } | null = null;
  for (const n of names) {
    const p = path.join(backupDir, n);
    const t = statSync(p).mtimeMs;
    if (!best || t > best.t) best = { p, t };
  }
  return best?.p ?? null;
}
