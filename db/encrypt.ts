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
 */
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
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

export type EncryptPhase = 'check' | 'backup' | 'encrypt' | 'verify' | 'swap' | 'done';

export interface EncryptProgress {
  phase: EncryptPhase;
  /** Work done and total in the phase's own unit (pages for backup, tables for verify), when known. */
  done: number;
  total: number;
  /** The whole conversion, 0..1, for a progress bar. */
  fraction: number;
}

export interface EncryptOptions {
  /** Folder of the kept plaintext backup; `<store dir>/backups` by default. */
  backupDir?: string;
  onProgress?: (p: EncryptProgress) => void;
}

export interface EncryptResult {
  backupPath: string;
  ms: number;
}

// Rough share of the time each phase takes on a real store (a rekey rewrites every page).
const SPAN: Record<EncryptPhase, [number, number]> = {
  check: [0, 0.15],
  backup: [0.15, 0.35],
  encrypt: [0.35, 0.8],
  verify: [0.8, 0.97],
  swap: [0.97, 1],
  done: [1, 1],
};

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

/** `integrity_check`, or `quick_check` (every page read, no index cross-check) for the encrypted copy. */
function integrityOk(db: Database, pragma: 'integrity_check' | 'quick_check' = 'integrity_check'): string[] {
  const rows = (db.pragma(pragma, { simple: false }) as Record<string, string>[]).map((r) => r[pragma] ?? '');
  return rows.length === 1 && rows[0] === 'ok' ? [] : rows.slice(0, 5);
}

export function plaintextBackupPath(file: string, dir?: string): string {
  const backupDir = dir ?? path.join(path.dirname(path.resolve(file)), 'backups');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(backupDir, `${path.basename(file, path.extname(file))}-plaintext-${stamp}.db`);
}

/** Converts the plaintext store `file` to the encrypted format under `key` (see the header). */
export async function encryptStore(file: string, key: StoreKey, opts: EncryptOptions = {}): Promise<EncryptResult> {
  const started = performance.now();
  const report = (phase: EncryptPhase, done: number, total: number): void => {
    const [a, b] = SPAN[phase];
    opts.onProgress?.({ phase, done, total, fraction: total > 0 ? a + ((b - a) * done) / total : a });
  };
  const backupPath = plaintextBackupPath(file, opts.backupDir);
  const temp = `${file}.encrypting`;
  let src: Database | null = null;
  let swapped = false;
  try {
    // 1. check
    report('check', 0, 1);
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
    const problems = integrityOk(src);
    if (problems.length) throw new AppError('STORE_DAMAGED', { file, reason: 'integrity_check', problems });
    const before = rowCounts(src);
    report('check', 1, 1);

    // 2. backup (kept), readable by the owner only: it is the last plaintext copy.
    mkdirSync(path.dirname(backupPath), { recursive: true });
    report('backup', 0, 1);
    // With the exclusive lock held and no WAL, the file itself is the consistent store: copy its bytes.
    copyWithProgress(file, backupPath, (done, total) => report('backup', done, total));
    report('backup', 1, 1);

    // 3. encrypt a copy of the backup (a rekey cannot run in WAL mode, and must not touch the original).
    report('encrypt', 0, 1);
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    copyFileSync(backupPath, temp);
    chmodSync(temp, 0o600);
    const enc = new Sqlite(temp, { fileMustExist: true });
    try {
      enc.pragma('journal_mode = DELETE');
      rekey(enc, key);
    } finally {
      enc.close();
    }
    fsyncFile(temp);
    report('encrypt', 1, 1);

    // 4. verify: the key opens it, every page authenticates, every table has the rows it had.
    const check = new Sqlite(temp, { fileMustExist: true });
    try {
      applyKey(check, key);
      // Reading every page authenticates it; the original's indexes were fully checked in step 1.
      const bad = integrityOk(check, 'quick_check');
      if (bad.length) throw new Error(`encrypted copy failed its integrity check: ${bad.join('; ')}`);
      const after = rowCounts(check);
      let i = 0;
      for (const [t, n] of before) {
        if (after.get(t) !== n) throw new Error(`encrypted copy has ${after.get(t)} rows in ${t}, expected ${n}`);
        report('verify', ++i, before.size);
      }
      // WAL again, as the app runs it (the mode is kept in the encrypted header).
      check.pragma('journal_mode = WAL');
    } finally {
      check.close();
    }

    // 5. swap: no plaintext WAL may stay beside the encrypted file (SQLite would replay it into it).
    report('swap', 0, 1);
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
    report('swap', 1, 1);
    // The encrypted store is verified and in place: the plaintext copy goes (see the file comment).
    rmSync(backupPath, { force: true });
    report('done', 1, 1);
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
      if (!swapped) rmSync(temp, { force: true, recursive: true });
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
