/**
 * The SQLite driver and the store's encryption at rest.
 *
 * The driver is better-sqlite3-multiple-ciphers: better-sqlite3's API and native code over
 * SQLite3MultipleCiphers. Typed with @types/better-sqlite3 (the package's own typings lag behind its
 * API), so every `Database` in the code base is the same type whichever package constructed it.
 *
 * An app store is encrypted with the SQLCipher 4 scheme (AES-256-CBC per page, HMAC-SHA512 per page):
 * the file holds no readable customer data, and a page changed by one bit fails its HMAC, so SQLite
 * reports SQLITE_CORRUPT instead of serving a wrong figure (issue 19, items 5 and 7). The key is 32
 * random bytes used raw (`x'…'`): no password-derivation round at each connection, which matters as
 * workers open their own connections. Where it is kept is main/store-key.ts's business.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import type { Database, Options } from 'better-sqlite3';
import MultipleCiphers from 'better-sqlite3-multiple-ciphers';

/** The driver's constructor (typed as better-sqlite3: db/better-sqlite3-multiple-ciphers.d.ts). */
export const Sqlite = MultipleCiphers;

/** A store key: 64 lowercase hex characters (256 bits). */
export type StoreKey = string;

const KEY_RE = /^[0-9a-f]{64}$/;
const PLAINTEXT_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export function isStoreKey(v: unknown): v is StoreKey {
  return typeof v === 'string' && KEY_RE.test(v);
}

/** The first `n` bytes of a file (fewer if it is shorter), or null for a missing or empty file. */
function head(file: string, n: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return got === 0 ? null : buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function header(file: string): Buffer | null {
  return head(file, 16);
}

/**
 * What a store file holds: 'missing' (absent or empty), 'plaintext' (an ordinary SQLite file, as every
 * release before encryption wrote), 'encrypted' (whole pages of what looks like ciphertext: nearly all
 * 256 byte values in the first page), or 'unrecognised' (neither: a damaged or foreign file, which no
 * key will open and for which no key should be made).
 */
export function storeFormat(file: string): 'missing' | 'plaintext' | 'encrypted' | 'unrecognised' {
  const page = head(file, 4096);
  if (!page) return 'missing';
  if (page.length >= 16 && page.subarray(0, 16).equals(PLAINTEXT_HEADER)) return 'plaintext';
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return 'missing';
  }
  // Ciphertext is uniform: 4096 random bytes show ~255 distinct values; text or zeros show far fewer.
  const distinct = new Set(page).size;
  return size % 512 === 0 && page.length === 4096 && distinct >= 200 ? 'encrypted' : 'unrecognised';
}

/**
 * An encrypted store's salt (its first 16 bytes, random per file, never changing). The key file
 * records it, so "this key does not fit this file" and "this file's first page is damaged" are told
 * apart at open.
 */
export function storeSalt(file: string): string | null {
  const h = header(file);
  return h && h.length === 16 && !h.equals(PLAINTEXT_HEADER) ? h.toString('hex') : null;
}

/** Sets the cipher and key on a fresh connection, before anything reads the file. */
export function applyKey(db: Database, key: StoreKey): void {
  if (!isStoreKey(key)) throw new Error('store key must be 64 hex characters');
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  // PRAGMA takes no bound parameters; the key is checked to be hex just above.
  db.pragma(`key = "x'${key}'"`);
}

/** Re-encrypts an open, keyed or plaintext connection's file under `key` (rollback journal mode). */
export function rekey(db: Database, key: StoreKey): void {
  if (!isStoreKey(key)) throw new Error('store key must be 64 hex characters');
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`rekey = "x'${key}'"`);
}

const ENV_PREFIX = 'crm.storeKey:';

/**
 * Makes `key` the key of `file` for this thread and every worker started from now on
 * (worker_threads environment data: copied into new workers, never into child processes or env).
 * Workers that open the store by path through openConnection() then need no key plumbing.
 */
export function rememberStoreKey(file: string, key: StoreKey | null): void {
  setEnvironmentData(ENV_PREFIX + path.resolve(file), key ?? undefined);
}

export function rememberedStoreKey(file: string): StoreKey | null {
  const v = getEnvironmentData(ENV_PREFIX + path.resolve(file));
  return isStoreKey(v) ? v : null;
}

/**
 * Opens another connection to a store by path (workers, the CLI's check), keyed when the store's key
 * is known to this thread. Use openStore() for the app's own handle (checks, backups, migrations).
 */
export function openConnection(
  file: string,
  options?: Options,
  key: StoreKey | null = rememberedStoreKey(file),
): Database {
  const db = new Sqlite(file, options);
  try {
    if (key) applyKey(db, key);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** SQLite's codes for a page that cannot be trusted (a failed HMAC reads as SQLITE_CORRUPT) or a wrong key. */
export function isSqliteCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}
