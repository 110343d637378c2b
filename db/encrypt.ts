/**
 * Moves a plaintext store (every release before encryption at rest) to the encrypted format, once,
 * at the first open with a key. Order, so that no step can lose data:
 *   1. check    the full integrity check of the plaintext file (never convert a damaged store);
 *   2. backup   an online backup into the backups folder (the way back while the conversion runs);
 *   3. encrypt  a copy of that backup beside the store, re-keyed page by page (`<store>.encrypting`);
 *   4. verify   the encrypted copy opens with the key, passes the integrity check and holds the same
 *               rows in every table as the original;
 *   5. swap     the original's WAL checkpointed away, then the copy renamed over it (atomic on the same
 *               volume, NTFS included).
 * The conversion needs the store to itself (STORE_IN_USE if another process has it open) and keeps
 * everyone out until the swap. Any failure before the swap deletes the copy and leaves the original as
 * it was; the error names the backup. A failure after it leaves the backup, which is the original file: copying it back over the
 * store is the way back (with the key file removed, the app takes it as a plaintext store again).
 * Once the swap is done the plaintext backup is deleted: left in the backups folder it would be the very
 * readable copy of every ID and mobile that encryption at rest is there to remove (issue 19.7). Deleting
 * does not scrub the disk's blocks; BitLocker, which banks run on branch PCs, covers that.
 *
 * Progress (issue 18.2): the check and the verification go table by table with pages counted
 * (db/store-check.ts), the copies count bytes, and the re-encryption (one statement) is followed from
 * another thread through its journal's growth (`watch`, rekeyProgress). The app runs all of it in a
 * worker (main/upgrade/run.ts). Crash-safe: the key file is written before this starts, and until the
 * rename the original is untouched, so a process killed half-way leaves a plaintext store that opens
 * and is converted again at the next start (the half-made copy is deleted first, the plaintext backup
 * the killed run left once that conversion succeeds).
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { AppError } from '../shared/errors';
import { applyKey, isSqliteCorruption, rekey, Sqlite, type StoreKey } from './cipher';
import { checkStorePages } from './store-check';

export type EncryptPhase = 'check' | 'backup' | 'encrypt' | 'verify' | 'swap' | 'done';

export interface EncryptProgress {
  phase: EncryptPhase;
  /**
   * Work done and total in the phase's own unit: pages checked (check, verify), bytes copied (backup),
   * bytes copied and re-encrypted (encrypt: the copy, then the re-encryption, each the file's size).
   */
  done: number;
  total: number;
  unit: 'pages' | 'bytes' | 'tables';
  /** While checking or verifying: the table just checked (x of y). */
  table?: number;
  tables?: number;
  /**
   * During the re-encryption (one statement, minutes on a big store): how to follow it from another
   * thread. SQLite first re-packs the pages into a hidden temporary file (about `repackMs`, estimated),
   * then writes them back, keeping the old ones in `path` (the rollback journal) until it has `bytes`.
   * The app's runner (main/upgrade/run.ts) reads that file's size; see rekeyProgress().
   */
  watch?: { path: string; bytes: number; repackMs: number };
  /** The whole conversion, 0..1, for a progress bar. */
  fraction: number;
}

export interface EncryptOptions {
  /** Folder of the kept plaintext backup; `<store dir>/backups` by default. */
  backupDir?: string;
  /** The backup's file (plaintextBackupPath's name in backupDir by default). */
  backupPath?: string;
  onProgress?: (p: EncryptProgress) => void;
}

export interface EncryptResult {
  backupPath: string;
  ms: number;
}

/**
 * Runs a conversion: encryptStore here, or elsewhere (the app: in a worker, main/upgrade/run.ts, so the
 * progress page keeps being served); `signal` stops it, leaving the original as it was.
 */
export type EncryptRunner = (
  file: string,
  key: StoreKey,
  opts: EncryptOptions & { signal?: AbortSignal },
) => Promise<EncryptResult>;

// Each phase's share of the whole, as measured on demo stores of 128 and 439 MiB (2 loaded cores): the
// check reads and cross-checks every page (~30%), the re-encryption re-packs and rewrites every page
// (~33-43%), the verification reads and authenticates every page (~20-26%); the byte copies are quick.
const SPAN: Record<EncryptPhase, [number, number]> = {
  check: [0, 0.32],
  backup: [0.32, 0.37],
  encrypt: [0.37, 0.76],
  verify: [0.76, 0.99],
  swap: [0.99, 1],
  done: [1, 1],
};

/** The whole conversion's fraction for `done` of `total` in `phase`. */
export function encryptFraction(phase: EncryptPhase, done: number, total: number): number {
  const [a, b] = SPAN[phase];
  return total > 0 ? a + ((b - a) * Math.min(done, total)) / total : a;
}

/** Share of the re-encryption spent re-packing the pages before the journal grows (measured: ~0.25-0.3). */
const REPACK_SHARE = 0.3;

/**
 * The re-encryption's progress in bytes (0..watch.bytes), from outside: while the journal has not
 * appeared, a creep over the estimated re-packing time (never past its share); then the journal's
 * growth towards the file's size.
 */
export function rekeyProgress(
  watch: { bytes: number; repackMs: number },
  elapsedMs: number,
  journalBytes: number | null,
): number {
  if (journalBytes === null || journalBytes <= 0) {
    const creep = Math.min(0.95, elapsedMs / Math.max(1, watch.repackMs));
    return Math.floor(watch.bytes * REPACK_SHARE * creep);
  }
  const share = Math.min(1, journalBytes / Math.max(1, watch.bytes));
  return Math.floor(watch.bytes * (REPACK_SHARE + (1 - REPACK_SHARE) * share * 0.99));
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A plain byte copy in 16 MiB chunks (flushed), reporting bytes copied. */
function copyWithProgress(from: string, to: string, progress: (done: number, total: number) => void): void {
  const total = statSync(from).size;
  const src = openSync(from, 'r');
  const dst = openSync(to, 'wx', 0o600);
  try {
    const buf = Buffer.allocUnsafe(16 * 1024 * 1024);
    let done = 0;
    while (done < total) {
      const n = readSync(src, buf, 0, buf.length, done);
      if (n === 0) break;
      writeSync(dst, buf, 0, n, done);
      done += n;
      progress(done, total);
    }
    if (done !== total) throw new Error(`backup copied ${done} of ${total} bytes`);
    fsyncSync(dst);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}

function rowCounts(db: Database): Map<string, number> {
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[];
  const out = new Map<string, number>();
  for (const t of tables) {
    out.set(
      t,
      db
        .prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`)
        .pluck()
        .get() as number,
    );
  }
  return out;
}

export function plaintextBackupPath(file: string, dir?: string): string {
  const backupDir = dir ?? path.join(path.dirname(path.resolve(file)), 'backups');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(backupDir, `${path.basename(file, path.extname(file))}-plaintext-${stamp}.db`);
}

/** The plaintext backups of `file` in `dir` (this conversion's, and any an interrupted one left). */
function plaintextBackups(file: string, dir?: string): string[] {
  const backupDir = dir ?? path.join(path.dirname(path.resolve(file)), 'backups');
  const prefix = `${path.basename(file, path.extname(file))}-plaintext-`;
  try {
    return readdirSync(backupDir)
      .filter((n) => n.startsWith(prefix) && n.endsWith('.db'))
      .map((n) => path.join(backupDir, n));
  } catch {
    return [];
  }
}

/** Converts the plaintext store `file` to the encrypted format under `key` (see the header). */
export async function encryptStore(file: string, key: StoreKey, opts: EncryptOptions = {}): Promise<EncryptResult> {
  const started = performance.now();
  const report = (
    phase: EncryptPhase,
    done: number,
    total: number,
    unit: EncryptProgress['unit'],
    more: Partial<EncryptProgress> = {},
  ): void => {
    opts.onProgress?.({ phase, done, total, unit, ...more, fraction: encryptFraction(phase, done, total) });
  };
  const backupPath = opts.backupPath ?? plaintextBackupPath(file, opts.backupDir);
  const temp = `${file}.encrypting`;
  let src: Database | null = null;
  let swapped = false;
  try {
    // 1. check
    report('check', 0, 1, 'pages');
    const checkStarted = performance.now();
    src = new Sqlite(file, { fileMustExist: true });
    // Nobody else may have the file open: a process still holding the old file would go on writing to
    // it after the swap. Leaving WAL mode needs sole access (SQLITE_BUSY otherwise), and the exclusive
    // lock then keeps everyone out until the swap. (Every open puts WAL back: db/open.ts configure.)
    let mode = '';
    try {
      mode = String(src.pragma('journal_mode = DELETE', { simple: true }));
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    }
    if (mode !== 'delete') throw new AppError('STORE_IN_USE', { file, reason: 'encrypting' });
    src.pragma('locking_mode = EXCLUSIVE');
    src.exec('BEGIN EXCLUSIVE');
    // Table by table, so the check has a percentage (db/store-check.ts; the whole-file check's verdict).
    const checked = checkStorePages(src, {
      onProgress: (p) => report('check', p.done, p.total, 'pages', { table: p.index, tables: p.count }),
    });
    if (!checked.ok)
      throw new AppError('STORE_DAMAGED', { file, reason: 'integrity_check', problems: checked.problems.slice(0, 5) });
    const before = rowCounts(src);
    const checkMs = performance.now() - checkStarted;

    // 2. backup (kept), readable by the owner only: it is the last plaintext copy.
    mkdirSync(path.dirname(backupPath), { recursive: true });
    report('backup', 0, 1, 'bytes');
    // With the exclusive lock held and no WAL, the file itself is the consistent store: copy its bytes.
    copyWithProgress(file, backupPath, (done, total) => report('backup', done, total, 'bytes'));

    // 3. encrypt a copy of the backup (a rekey cannot run in WAL mode, and must not touch the original):
    //    the copy (bytes), then the re-encryption, one statement followed through its journal's growth.
    const size = statSync(backupPath).size;
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    copyWithProgress(backupPath, temp, (done) => report('encrypt', done, 2 * size, 'bytes'));
    chmodSync(temp, 0o600);
    const enc = new Sqlite(temp, { fileMustExist: true });
    try {
      enc.pragma('journal_mode = DELETE');
      // The re-packing reads and writes every page, as the check read them: about a quarter of its time.
      report('encrypt', size, 2 * size, 'bytes', {
        watch: { path: `${temp}-journal`, bytes: size, repackMs: Math.max(500, checkMs * 0.25) },
      });
      rekey(enc, key);
    } finally {
      enc.close();
    }
    fsyncFile(temp);
    report('encrypt', 2 * size, 2 * size, 'bytes');

    // 4. verify: the key opens it, every page authenticates, every table has the rows it had.
    const check = new Sqlite(temp, { fileMustExist: true });
    try {
      applyKey(check, key);
      // Reading every page authenticates it (table by table, with the page reconciliation); the
      // original's indexes were fully checked in step 1.
      const bad = checkStorePages(check, {
        quick: true,
        onProgress: (p) => report('verify', p.done, p.total, 'pages', { table: p.index, tables: p.count }),
      });
      if (!bad.ok) throw new Error(`encrypted copy failed its integrity check: ${bad.problems.join('; ')}`);
      const after = rowCounts(check);
      for (const [t, n] of before) {
        if (after.get(t) !== n) throw new Error(`encrypted copy has ${after.get(t)} rows in ${t}, expected ${n}`);
      }
      // WAL again, as the app runs it (the mode is kept in the encrypted header).
      check.pragma('journal_mode = WAL');
    } finally {
      check.close();
    }

    // 5. swap: no plaintext WAL may stay beside the encrypted file (SQLite would replay it into it).
    report('swap', 0, 1, 'bytes');
    src.exec('COMMIT');
    src.close();
    src = null;
    for (const side of [`${file}-wal`, `${file}-shm`]) {
      if (existsSync(side) && side.endsWith('-wal') && statSync(side).size > 0) {
        throw new Error(`the store's WAL could not be emptied (${side}); is another program using it?`);
      }
      rmSync(side, { force: true });
    }
    renameSync(temp, file);
    swapped = true;
    fsyncDir(path.dirname(path.resolve(file)));
    report('swap', 1, 1, 'bytes');
    // The encrypted store is verified and in place: the plaintext copy goes (see the file comment), and
    // so does any a conversion interrupted earlier (a crash, the app closed) left behind.
    for (const p of plaintextBackups(file, opts.backupDir)) rmSync(p, { force: true });
    report('done', 1, 1, 'bytes');
    return { backupPath, ms: performance.now() - started };
  } catch (err) {
    if (src?.inTransaction) src.exec('ROLLBACK');
    try {
      // Back as it was found (the app's open would do it anyway).
      src?.pragma('locking_mode = NORMAL');
      src?.pragma('journal_mode = WAL');
    } catch {
      // still in use elsewhere: it was never changed then
    }
    src?.close();
    try {
      if (!swapped) for (const f of [temp, `${temp}-journal`]) rmSync(f, { force: true, recursive: true });
    } catch {
      // the copy's name is in the error's log line; the original is what matters here
    }
    if (err instanceof AppError) throw err;
    if ((err as { code?: string }).code === 'SQLITE_BUSY')
      throw new AppError('STORE_IN_USE', { file, reason: 'encrypting' });
    if (isSqliteCorruption(err)) throw new AppError('STORE_DAMAGED', { file, reason: 'not_a_database' });
    throw Object.assign(
      new AppError('STORE_ENCRYPT_FAILED', {
        file,
        backup: existsSync(backupPath) ? backupPath : null,
        originalUnchanged: !swapped,
        reason: (err as { code?: string }).code ?? 'error',
      }),
      { cause: err },
    );
  }
}
