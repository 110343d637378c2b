/**
 * Moves a plaintext store (every release before encryption at rest) to the encrypted format, once,
 * at the first open with a key. Order, so that no step can lose data:
 *   1. check    the full integrity check of the plaintext file (never convert a damaged store);
 *   2. backup   an online backup into the backups folder, kept (the way back);
 *   3. encrypt  a copy of that backup beside the store, re-keyed page by page (`<store>.encrypting`);
 *   4. verify   the encrypted copy opens with the key, passes the integrity check and holds the same
 *               rows in every table as the original;
 *   5. swap     the original's WAL checkpointed away, then the copy renamed over it (atomic on the same
 *               volume, NTFS included).
 * Any failure before the swap deletes the copy and leaves the original as it was; the error names the
 * backup. A failure after it leaves the backup, which is the original file: copying it back over the
 * store is the way back (with the key file removed, the app takes it as a plaintext store again).
 */
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
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

function integrityOk(db: Database): string[] {
  const rows = (db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]).map(
    (r) => r.integrity_check,
  );
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
    const problems = integrityOk(src);
    if (problems.length) throw new AppError('STORE_DAMAGED', { file, reason: 'integrity_check', problems });
    const before = rowCounts(src);
    report('check', 1, 1);

    // 2. backup (kept), readable by the owner only: it is the last plaintext copy.
    mkdirSync(path.dirname(backupPath), { recursive: true });
    report('backup', 0, 1);
    await src.backup(backupPath, {
      progress: ({ totalPages, remainingPages }) => {
        report('backup', totalPages - remainingPages, totalPages);
        return 4096;
      },
    });
    chmodSync(backupPath, 0o600);
    fsyncFile(backupPath);
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
      const bad = integrityOk(check);
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
    src.pragma('wal_checkpoint(TRUNCATE)');
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
    report('done', 1, 1);
    return { backupPath, ms: performance.now() - started };
  } catch (err) {
    src?.close();
    if (!swapped) rmSync(temp, { force: true });
    if (err instanceof AppError) throw err;
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
