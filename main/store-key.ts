/**
 * Where the store's encryption key lives: a key file beside the store, `<store>.key`, readable only by
 * the user who runs the app (mode 0600; on Windows the user's profile folder already is).
 *
 * - Under Electron the key inside is wrapped by the OS (`safeStorage`: DPAPI on Windows, the keychain
 *   on macOS, the secret service on Linux), so a copy of the folder, or another Windows user, gets
 *   nothing usable: only this user on this PC unwraps it.
 * - In browser mode and the CLI (plain Node, no safeStorage) the key is stored as is, relying on the
 *   file's permissions; likewise under Electron where the OS offers no protection (logged).
 *
 * The record also keeps the encrypted store's salt (its first 16 bytes), so a key that does not fit
 * is told apart from a damaged first page. A new key is written (and flushed) before the store is
 * created or converted with it, so no crash can leave an encrypted store without its key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { setHubSecretProtector } from '../db/sync/schema';
import { isStoreKey, openConnection, rememberStoreKey, type StoreKey, storeFormat, storeSalt } from '../db/cipher';
import type { EncryptProgress } from '../db/encrypt';
import { latestBackup, type OpenOptions, type OpenResult, openStore } from '../db/open';
import { AppError } from '../shared/errors';
import { log } from './log';
import { storeText, type TextLang } from './store-messages';
import { encryptStepText } from './upgrade/page';
import { type EncryptStep, UpgradeTracker } from '../db/upgrade-progress';
import { workerEncryptRunner } from './upgrade/run';
import { printUpgradeProgress } from './upgrade/console';

/** The OS's protection of small secrets (Electron's safeStorage), when the process has one. */
export interface KeyProtector {
  /** Name written into the key file ('safeStorage'). */
  readonly kind: string;
  available(): boolean;
  wrap(plain: string): Buffer;
  unwrap(wrapped: Buffer): string;
}

interface KeyRecord {
  format: 1;
  protection: 'file' | string;
  /** The key (protection 'file') or its wrapped bytes in base64. */
  key: string;
  /** The encrypted store's salt, once known. */
  store: string | null;
  /** Ties key and salt together (sha256 of both): set once this key has opened that store. */
  check?: string | null;
  created: string;
}

let protector: KeyProtector | null = null;

/** Called once by the Electron entry after the app is ready; browser mode and the CLI never call it. */
export function setKeyProtector(p: KeyProtector | null): void {
  protector = p;
  // The PC's hub secret (branch network) is wrapped by the same protection as the store key.
  setHubSecretProtector(p);
}

export function keyFilePath(dbPath: string): string {
  return `${path.resolve(dbPath)}.key`;
}

function writeRecord(file: string, rec: KeyRecord): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(rec, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function readRecord(file: string): KeyRecord | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<KeyRecord>;
    if (v.format === 1 && typeof v.key === 'string' && typeof v.protection === 'string') {
      return {
        format: 1,
        protection: v.protection,
        key: v.key,
        store: typeof v.store === 'string' ? v.store : null,
        check: typeof v.check === 'string' ? v.check : null,
        created: typeof v.created === 'string' ? v.created : '',
      };
    }
  } catch {
    // falls through: a key file that is not ours cannot open the store
  }
  return { format: 1, protection: 'unreadable', key: '', store: null, created: '' };
}

function unwrap(rec: KeyRecord, dbPath: string): StoreKey {
  let key: string | null = null;
  if (rec.protection === 'file') key = rec.key;
  else if (protector && rec.protection === protector.kind && protector.available()) {
    try {
      key = protector.unwrap(Buffer.from(rec.key, 'base64'));
    } catch {
      key = null; // another Windows user, another PC: DPAPI refuses
    }
  }
  if (!isStoreKey(key))
    throw new AppError('STORE_KEY_WRONG', { file: path.resolve(dbPath), keyFile: keyFilePath(dbPath) });
  return key;
}

export interface ResolvedKey {
  key: StoreKey;
  /** The salt of the store this key was used for, when recorded. */
  salt: string | null;
  created: boolean;
}

/**
 * The store's key: read from its key file, or made (and saved) for a new or plaintext store.
 * An encrypted store without a key file is refused (STORE_KEY_MISSING): a new key would not open it,
 * and nothing is written.
 */
export function resolveStoreKey(dbPath: string): ResolvedKey {
  const file = keyFilePath(dbPath);
  const rec = readRecord(file);
  if (rec) {
    const key = unwrap(rec, dbPath);
    // The salt counts only if this very key opened that store: a replaced key is then "wrong", not "damaged".
    const salt = rec.store && rec.check === keyCheck(key, rec.store) ? rec.store : null;
    return { key, salt, created: false };
  }
  const format = storeFormat(dbPath);
  if (format === 'encrypted') throw new AppError('STORE_KEY_MISSING', { file: path.resolve(dbPath), keyFile: file });
  // Neither SQLite nor ciphertext: a damaged file. Say so, and make no key for it.
  if (format === 'unrecognised') {
    throw new AppError('STORE_DAMAGED', {
      file: path.resolve(dbPath),
      backup: latestBackup(dbPath),
      reason: 'not_a_database',
    });
  }
  const key = randomBytes(32).toString('hex');
  mkdirSync(path.dirname(file), { recursive: true });
  const wrapped = protector?.available() ? protector : null;
  if (protector && !wrapped) log.warn('OS key protection unavailable: store key kept in a user-only file', { file });
  writeRecord(file, {
    format: 1,
    protection: wrapped ? wrapped.kind : 'file',
    key: wrapped ? wrapped.wrap(key).toString('base64') : key,
    store: null,
    check: null,
    created: new Date().toISOString(),
  });
  return { key, salt: null, created: true };
}

/** The key for tools that read an existing store (e2e checks, `crm check`), or null for a plaintext one. */
export function existingStoreKey(dbPath: string): StoreKey | null {
  if (storeFormat(dbPath) !== 'encrypted') return null;
  const rec = readRecord(keyFilePath(dbPath));
  if (!rec) throw new AppError('STORE_KEY_MISSING', { file: path.resolve(dbPath), keyFile: keyFilePath(dbPath) });
  return unwrap(rec, dbPath);
}

/** A connection to an existing app store by path, keyed when it is encrypted (tests, tools). */
export function openExistingStore(dbPath: string, options?: { readonly?: boolean; fileMustExist?: boolean }): Database {
  const key = existingStoreKey(dbPath);
  if (key) rememberStoreKey(dbPath, key);
  return openConnection(dbPath, options, key);
}

function keyCheck(key: StoreKey, salt: string): string {
  return createHash('sha256').update(`${key}:${salt}`).digest('hex').slice(0, 32);
}

/** After a successful open: the record names the store this key opened. */
function recordSalt(dbPath: string, key: StoreKey): void {
  const file = keyFilePath(dbPath);
  const rec = readRecord(file);
  const salt = storeSalt(dbPath);
  if (rec && salt && (rec.store !== salt || rec.check !== keyCheck(key, salt))) {
    writeRecord(file, { ...rec, store: salt, check: keyCheck(key, salt) });
  }
}

/** Console lines for a conversion: one per phase, and one per tenth of the way. */
export function logEncryptProgress(): (p: EncryptProgress) => void {
  let phase = '';
  let tenth = -1;
  return (p) => {
    const t = Math.floor(p.fraction * 10);
    if (p.phase === phase && t === tenth) return;
    phase = p.phase;
    tenth = t;
    log.info('encrypting store', { phase: p.phase, percent: Math.round(p.fraction * 100) });
  };
}

/**
 * Human progress lines for a conversion in both languages (browser mode's console, the CLI): one per
 * phase and per tenth of the way, then where the kept backup is.
 */
export function printEncryptProgress(out: { write(s: string): unknown }): (p: EncryptProgress) => void {
  let phase = '';
  let tenth = -1;
  return (p) => {
    const t = Math.floor(p.fraction * 10);
    if (p.phase === phase && t === tenth) return;
    phase = p.phase;
    tenth = t;
    const zh = storeText('zh-CN', `storeProtection.progress.${p.phase}`);
    const en = storeText('en', `storeProtection.progress.${p.phase}`);
    // With the step's own measure (tables checked, MB copied), as the page shows it.
    const step = (lang: TextLang) =>
      encryptStepText(encryptStep(p), (key, vars) => storeText(lang, `upgrade.${key}`, vars));
    out.write(`${zh} / ${en}: ${Math.round(p.fraction * 100)}% (${step('zh-CN')} / ${step('en')})\n`);
  };
}

function encryptStep(p: EncryptProgress): EncryptStep {
  return {
    phase: p.phase,
    done: p.done,
    total: p.total,
    unit: p.unit,
    ...(p.table !== undefined ? { table: p.table } : {}),
    ...(p.tables !== undefined ? { tables: p.tables } : {}),
  };
}

export interface AppStoreOptions extends Omit<OpenOptions, 'key' | 'keySalt'> {
  /** Encrypt (the default for the app, browser mode and the CLI); false opens the file as it is. */
  encrypt?: boolean;
}

/**
 * Opens an app store: its key resolved (or made), a plaintext store converted first (backup kept,
 * progress on the console and to `onEncryptProgress`), then openStore's checks and migrations.
 */
export async function openAppStore(dbPath: string, opts: AppStoreOptions = {}): Promise<OpenResult> {
  const { encrypt = true, ...given } = opts;
  // The command line (no page to show): an upgrade and the refill after it print their progress on stderr.
  const rest: typeof given = given.onUpgradeProgress ? given : { ...cliUpgradeProgress(), ...given };
  if (!encrypt) return openStore(dbPath, rest);
  const resolved = resolveStoreKey(dbPath);
  const toLog = logEncryptProgress();
  let opened: OpenResult;
  try {
    opened = await openStore(dbPath, {
      // The app (an upgrade runner given: a page to keep serving) converts in a worker too.
      ...(given.upgradeRunner ? { encryptRunner: workerEncryptRunner } : {}),
      ...rest,
      key: resolved.key,
      keySalt: resolved.salt,
      onEncryptProgress: (p) => {
        toLog(p);
        // The step with its own measure (tables, MB) for the progress page; then the caller's handler.
        rest.onUpgradeProgress?.({ type: 'encrypt', fraction: p.fraction, step: encryptStep(p) });
        rest.onEncryptProgress?.(p);
      },
    });
  } catch (e) {
    // A key made just now for a store that then could not be opened or converted is of no use.
    if (resolved.created && storeFormat(dbPath) !== 'encrypted') rmSync(keyFilePath(dbPath), { force: true });
    throw e;
  }
  recordSalt(dbPath, resolved.key);
  if (opened.encryption) {
    log.info('store encrypted', {
      file: path.resolve(dbPath),
      backup: opened.encryption.backupPath,
      seconds: Math.round(opened.encryption.ms / 100) / 10,
    });
    log.info('the plaintext backup taken before encryption was deleted once the encrypted store was verified', {
      backup: opened.encryption.backupPath,
    });
  }
  return opened;
}

/** stderr lines for an upgrade run by a command (issue 18.3): its phases, then the refill's steps. */
function cliUpgradeProgress(): Pick<OpenOptions, 'onUpgradeProgress' | 'onRefillProgress'> {
  const print = printUpgradeProgress(process.stderr);
  const tracker = new UpgradeTracker(print);
  let shown = -1;
  return {
    onUpgradeProgress: (e) => tracker.handle(e),
    onRefillProgress: (name, done, total) => {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (pct === shown) return;
      shown = pct;
      process.stderr.write(`refill ${name}: ${pct}% (${done}/${total})\n`);
    },
  };
}
