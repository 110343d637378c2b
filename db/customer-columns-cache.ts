/**
 * The grid's customer columns (db/customer-columns.ts) kept in a file between runs, so a restart
 * serves them from the first second instead of after a full build (issue 18.1).
 *
 * Identity: a cache is for one state of one book. The store keeps `grid_columns_state` (migration
 * grid_columns_state): a random token drawn before each build and a dirty flag that triggers set in
 * the same transaction as any write to what the columns read. A build whose read snapshot saw
 * dirty = 0 is written under (token, schema version, the sort expressions, this file's format); a
 * cache is read only while the store still shows that token and dirty = 0. Anything else (another
 * store, another state of this one, another release's schema or sorts) is refused and rebuilt.
 *
 * Confidentiality and integrity: the file holds balances and tiers, so it is never a plaintext copy.
 * It is AES-256-GCM under a key derived (HKDF-SHA256) from the store key and the identity; the
 * header is authenticated as additional data. A damaged, truncated or tampered file, or one written
 * under another key, fails the tag and is refused: nothing read from it is used before the tag checks.
 * A plaintext store (no key: tests, dev stores not yet encrypted) still gets an authenticated file,
 * keyed by the identity alone: it is then no more readable than the store beside it.
 *
 * Layout: "CRMCOLS\0" | u32 format | 32-byte SHA-256 of the identity | 12-byte IV | 16-byte tag |
 * ciphertext of (u32 descriptor length | descriptor JSON | the typed arrays, in descriptor order).
 */
import {
  type CipherGCM,
  createCipheriv,
  createDecipheriv,
  createHash,
  type DecipherGCM,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { ColumnData, MoneyColumn, SortSql } from './customer-columns';
import type { StoreKey } from './cipher';

const MAGIC = Buffer.from('CRMCOLS\0', 'latin1');
/** 2: birthDay added (issue 18.1, columns updated from what an import changed). */
const FORMAT = 2;
const HEADER = MAGIC.length + 4 + 32 + 12 + 16;
const AAD_END = MAGIC.length + 4 + 32 + 12;

/**
 * A sealed file's header (magic, format, SHA-256 of the identity, a fresh IV; the tag is written once
 * known) and the cipher of its body, keyed by the store key and the identity, the header as AAD.
 * The cache and the deltas are both sealed this way, under magics of the same length.
 */
function seal(magic: Buffer, ident: string, storeKey: StoreKey | null): { header: Buffer; cipher: CipherGCM } {
  const header = Buffer.alloc(HEADER);
  magic.copy(header, 0);
  header.writeUInt32LE(FORMAT, magic.length);
  createHash('sha256')
    .update(ident)
    .digest()
    .copy(header, magic.length + 4);
  randomBytes(12).copy(header, AAD_END - 12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(storeKey, ident), header.subarray(AAD_END - 12, AAD_END));
  cipher.setAAD(header.subarray(0, AAD_END));
  return { header, cipher };
}

/**
 * The decipher of a sealed file's body, or why not: not such a file (too short, another magic), or
 * another identity (another format, another identity's hash). The body is not trusted until final().
 */
function unseal(
  buf: Buffer,
  magic: Buffer,
  ident: string,
  storeKey: StoreKey | null,
  fileLength = buf.length,
): DecipherGCM | 'not-a-cache' | 'other-identity' {
  if (fileLength < HEADER + 4 || buf.length < HEADER || !buf.subarray(0, magic.length).equals(magic))
    return 'not-a-cache';
  if (buf.readUInt32LE(magic.length) !== FORMAT) return 'other-identity';
  if (
    !createHash('sha256')
      .update(ident)
      .digest()
      .equals(buf.subarray(magic.length + 4, magic.length + 36))
  )
    return 'other-identity';
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(storeKey, ident), buf.subarray(AAD_END - 12, AAD_END));
  decipher.setAAD(buf.subarray(0, AAD_END));
  decipher.setAuthTag(buf.subarray(AAD_END, HEADER));
  return decipher;
}

/** Writes `file` through a temporary file renamed over it (a reader never sees half a file); mode 0600. */
function writeAtomically(file: string, write: (fd: number) => void): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    write(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/** The store's columns state as one read sees it (null before the migration that adds it). */
export interface ColumnsState {
  token: string;
  dirty: boolean;
  schema: number;
}

/** The triggers that mark the book changed (migration grid_columns_state). */
const TRIGGERS = [
  'grid_columns_customers_insert',
  'grid_columns_customers_delete',
  'grid_columns_customers_update',
  'grid_columns_tier_changes_insert',
  'grid_columns_tier_changes_delete',
  'grid_columns_tier_changes_update',
  'grid_columns_branches_update',
  'grid_columns_staff_update',
];

/**
 * The state, or null when the store cannot vouch for its book: no state table (a store before the
 * migration), or a trigger missing (a later migration that rebuilt customers and forgot them: SQLite
 * drops a table's triggers with it). Without the triggers no cache is read or written.
 */
export function readColumnsState(db: Database): ColumnsState | null {
  const names = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE (type = 'table' AND name = 'grid_columns_state') OR (type = 'trigger' AND name IN (${TRIGGERS.map(() => '?').join(', ')}))`,
    )
    .pluck()
    .all(...TRIGGERS) as string[];
  if (names.length !== TRIGGERS.length + 1) return null;
  const row = db.prepare('SELECT token, dirty FROM grid_columns_state WHERE id = 1').get() as
    | { token: string; dirty: number }
    | undefined;
  if (!row) return null;
  const v = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return { token: row.token, dirty: row.dirty !== 0, schema: v.v ?? 0 };
}

/**
 * Draws a new token and marks the columns' source clean, before a build reads it (main connection).
 * Returns false when it cannot write (read-only store, busy): the build then writes no cache.
 */
export function markColumnsClean(db: Database): boolean {
  try {
    const s = readColumnsState(db);
    if (!s) return false;
    // Already clean: the book has not changed since the token was drawn, so it still names it.
    if (!s.dirty) return true;
    // Never wait for the write lock here (an import may hold it for a minute): no cache this time.
    const wait = Number(db.pragma('busy_timeout', { simple: true }));
    db.pragma('busy_timeout = 0');
    try {
      db.prepare('UPDATE grid_columns_state SET token = ?, dirty = 0 WHERE id = 1 AND dirty = 1').run(
        randomBytes(16).toString('hex'),
      );
    } finally {
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(wait))}`);
    }
    return true;
  } catch {
    return false;
  }
}

/** The cache file of a store: beside it, one per store file. */
export function columnsCachePath(dbPath: string): string {
  const abs = path.resolve(dbPath);
  return path.join(path.dirname(abs), `${path.basename(abs)}.columns`);
}

function identity(state: ColumnsState, sortSql: SortSql): string {
  return JSON.stringify({ format: FORMAT, token: state.token, schema: state.schema, sort: sortSql });
}

function deriveKey(storeKey: StoreKey | null, ident: string): Buffer {
  const ikm = storeKey ? Buffer.from(storeKey, 'hex') : Buffer.alloc(32);
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.from('crm grid columns cache v1'), Buffer.from(ident), 32));
}

type ArrayKind = 'i32' | 'u32' | 'u8';
type Typed = Int32Array | Uint32Array | Uint8Array;

/** Every array of a build under a stable name. */
function arraysOf(d: ColumnData): [string, Typed][] {
  const out: [string, Typed][] = [
    ['ids', d.ids],
    ['rowOf', d.rowOf],
    ['branch', d.branch],
    ['manager', d.manager],
    ['managerIdx', d.managerIdx],
    ['managers', d.managers],
    ['tier', d.tier],
    ['kind', d.kind],
    ['status', d.status],
    ['lastTxn', d.lastTxn],
    ['birthMonth', d.birthMonth],
    ['birthDay', d.birthDay],
    ['changeStart', d.changeStart],
    ['changeDay', d.changeDay],
    ['changeFrom', d.changeFrom],
    ['changeTo', d.changeTo],
  ];
  for (const m of ['aum', 'deposits', 'wealth', 'loans'] as const) {
    out.push([`${m}.hi`, d[m].hi], [`${m}.lo`, d[m].lo]);
  }
  for (const [col, perm] of Object.entries(d.perms)) if (perm) out.push([`perm.${col}`, perm]);
  return out;
}

const kindOf = (a: Typed): ArrayKind => (a instanceof Int32Array ? 'i32' : a instanceof Uint32Array ? 'u32' : 'u8');

function bytesOf(a: Typed): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Writes a build to `file` (a temporary file renamed over it, so a reader never sees half a file).
 * Only for a build whose snapshot read `state` with dirty = 0.
 */
export function writeColumnsCache(
  file: string,
  d: ColumnData,
  state: ColumnsState,
  sortSql: SortSql,
  storeKey: StoreKey | null,
): void {
  if (state.dirty) throw new Error('columns of a changed book have no identity to be cached under');
  const ident = identity(state, sortSql);
  const arrays = arraysOf(d);
  const desc = Buffer.from(
    JSON.stringify({ n: d.n, arrays: arrays.map(([name, a]) => [name, kindOf(a), a.length]) }),
    'utf8',
  );
  const { header, cipher } = seal(MAGIC, ident, storeKey);
  writeAtomically(file, (fd) => {
    writeSync(fd, header); // tag rewritten below, once known
    const len = Buffer.alloc(4);
    len.writeUInt32LE(desc.length);
    const put = (b: Buffer) => {
      const c = cipher.update(b);
      if (c.length) writeSync(fd, c);
    };
    put(len);
    put(desc);
    for (const [, a] of arrays) {
      const bytes = bytesOf(a);
      // Slices of a few MB: the ciphertext of a 100 MB book never sits in memory whole.
      for (let off = 0; off < bytes.length; off += 4 << 20)
        put(bytes.subarray(off, Math.min(bytes.length, off + (4 << 20))));
    }
    const rest = cipher.final();
    if (rest.length) writeSync(fd, rest);
    writeSync(fd, cipher.getAuthTag(), 0, 16, AAD_END);
  });
}

export type CacheRefusal = 'missing' | 'not-a-cache' | 'other-identity' | 'unreadable';

/**
 * Reads the cache of `state` from `file`: the build, or why not. Refuses a cache of another identity
 * and any file whose tag does not check (damage, tampering, another key).
 */
export function readColumnsCache(
  file: string,
  state: ColumnsState,
  sortSql: SortSql,
  storeKey: StoreKey | null,
): { data: ColumnData } | { refused: CacheRefusal } {
  if (state.dirty) return { refused: 'other-identity' };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { refused: 'missing' };
  }
  try {
    return readOpenCache(fd, identity(state, sortSql), storeKey);
  } finally {
    closeSync(fd);
  }
}

/** Bytes of ciphertext read and deciphered at a time where an array is not deciphered in one piece. */
const CHUNK = 4 << 20;

/**
 * The cache behind `fd`, read array by array (issue 18.1, the first seconds after start-up): each
 * array's ciphertext is read into one reused scratch buffer and deciphered in one call, and the
 * deciphered buffer (its own ArrayBuffer: CTR underneath, as many bytes out as in) becomes the
 * array's storage. So a load allocates the columns once: no whole-file buffer and no copies, which
 * were twice the columns' size of garbage left to the main thread's garbage collector (its first
 * major collections fell in the window's first seconds).
 */
function readOpenCache(
  fd: number,
  ident: string,
  storeKey: StoreKey | null,
): { data: ColumnData } | { refused: CacheRefusal } {
  let size: number;
  const header = Buffer.alloc(HEADER);
  try {
    size = fstatSync(fd).size;
    if (readSync(fd, header, 0, HEADER, 0) !== Math.min(HEADER, size)) return { refused: 'unreadable' };
  } catch {
    return { refused: 'unreadable' };
  }
  const decipher = unseal(header, MAGIC, ident, storeKey, size);
  if (typeof decipher === 'string') return { refused: decipher };
  try {
    let pos = HEADER;
    let scratch = Buffer.allocUnsafeSlow(Math.min(CHUNK, Math.max(1, size - HEADER)));
    /** The next `nbytes` of ciphertext, read into the scratch buffer (a view of it, valid until the next read). */
    const ciphertext = (nbytes: number): Buffer => {
      if (pos + nbytes > size) throw new Error('truncated');
      if (nbytes > scratch.length) scratch = Buffer.allocUnsafeSlow(nbytes);
      let got = 0;
      while (got < nbytes) {
        const n = readSync(fd, scratch, got, nbytes - got, pos + got);
        if (n <= 0) throw new Error('truncated');
        got += n;
      }
      pos += nbytes;
      return scratch.subarray(0, nbytes);
    };
    const plain = (nbytes: number): Buffer => decipher.update(ciphertext(nbytes));
    const descLen = plain(4).readUInt32LE(0);
    if (descLen > 1 << 20) throw new Error('descriptor too long');
    // Not trusted until the tag checks below: only shapes are read from it, and checked against the file's size.
    const desc = JSON.parse(plain(descLen).toString('utf8')) as {
      n: number;
      arrays: [string, ArrayKind, number][];
    };
    let need = 0;
    for (const [, kind, length] of desc.arrays) {
      if (!Number.isSafeInteger(length) || length < 0) throw new Error('bad length');
      need += length * (kind === 'u8' ? 1 : 4);
    }
    if (pos + need !== size) throw new Error('size does not match');
    const arrays = new Map<string, Typed>();
    for (const [name, kind, length] of desc.arrays) {
      const width = kind === 'u8' ? 1 : 4;
      const nbytes = length * width;
      let bytes: Uint8Array;
      if (nbytes <= Math.max(CHUNK, scratch.length)) {
        bytes = plain(nbytes);
        // Each array owns its buffer (they are transferred between threads one by one): an output that
        // shares one (Node gives each its own; a pooled or empty one would) is copied.
        if (bytes.byteOffset !== 0 || bytes.buffer.byteLength !== nbytes) bytes = new Uint8Array(bytes);
      } else {
        bytes = new Uint8Array(nbytes);
        for (let off = 0; off < nbytes; off += CHUNK) bytes.set(plain(Math.min(CHUNK, nbytes - off)), off);
      }
      const { buffer, byteOffset } = bytes;
      arrays.set(
        name,
        kind === 'i32'
          ? new Int32Array(buffer, byteOffset, length)
          : kind === 'u32'
            ? new Uint32Array(buffer, byteOffset, length)
            : new Uint8Array(buffer, byteOffset, length),
      );
    }
    decipher.final(); // throws unless the tag checks
    return { data: assemble(desc.n, arrays) };
  } catch {
    return { refused: 'unreadable' };
  }
}

function assemble(n: number, a: Map<string, Typed>): ColumnData {
  const get = <T extends Typed>(name: string, ctor: new (...args: never[]) => T): T => {
    const v = a.get(name);
    if (!(v instanceof ctor)) throw new Error(`cache lacks ${name}`);
    return v;
  };
  const i32 = (name: string) => get(name, Int32Array);
  const u8 = (name: string) => get(name, Uint8Array);
  const money = (m: string): MoneyColumn => ({ hi: i32(`${m}.hi`), lo: get(`${m}.lo`, Uint32Array) });
  const perms: ColumnData['perms'] = {};
  for (const [name, v] of a)
    if (name.startsWith('perm.') && v instanceof Int32Array) (perms as Record<string, Int32Array>)[name.slice(5)] = v;
  return {
    n,
    ids: i32('ids'),
    rowOf: i32('rowOf'),
    branch: i32('branch'),
    manager: i32('manager'),
    managerIdx: i32('managerIdx'),
    managers: i32('managers'),
    tier: u8('tier'),
    kind: u8('kind'),
    status: u8('status'),
    aum: money('aum'),
    deposits: money('deposits'),
    wealth: money('wealth'),
    loans: money('loans'),
    lastTxn: i32('lastTxn'),
    birthMonth: u8('birthMonth'),
    birthDay: i32('birthDay'),
    perms,
    changeStart: i32('changeStart'),
    changeDay: i32('changeDay'),
    changeFrom: u8('changeFrom'),
    changeTo: u8('changeTo'),
  };
}

/*
 * Deltas (issue 18.1): what an import changed, so the columns of the book before it become the
 * columns after it without a full build (db/customer-columns-delta.ts). The import draws the book's
 * next token in its own transaction and writes, before it commits, a file naming the token it
 * started from (`base`, whose state was clean) and the customers it wrote. The file is named by the
 * new token, which exists in the store only if that transaction commits: a delta of a job that rolled
 * back names a token no store ever shows, and is never read (removed with the others after a build).
 * Same protection as the cache: AES-256-GCM under a key derived from the store key and the delta's
 * identity (its token, the schema version), so a changed or foreign file is refused.
 *
 * Layout: "CRMCDLT\0" | u32 format | 32-byte SHA-256 of the identity | 12-byte IV | 16-byte tag |
 * ciphertext of (u32 JSON length | JSON {base, job} | the customer ids as int32).
 */
const DELTA_MAGIC = Buffer.from('CRMCDLT\0', 'latin1');

export interface ColumnsDelta {
  /** The token of the clean state the change started from. */
  base: string;
  /** The import job, for the log. */
  job: number | null;
  /** Customers whose columns may differ (inserted, updated or deleted rows; their tier changes). */
  ids: Int32Array;
}

/** The delta file that leads to `token`. */
export function columnsDeltaPath(cachePath: string, token: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(token)) throw new Error('not a columns token');
  return `${cachePath}.${token}.delta`;
}

function deltaIdentity(token: string, schema: number): string {
  return JSON.stringify({ format: FORMAT, delta: true, token, schema });
}

/** Writes the delta leading to `token` (a state of schema `schema`). Temporary file renamed into place. */
export function writeColumnsDelta(
  cachePath: string,
  token: string,
  schema: number,
  delta: ColumnsDelta,
  storeKey: StoreKey | null,
): void {
  const { header, cipher } = seal(DELTA_MAGIC, deltaIdentity(token, schema), storeKey);
  const meta = Buffer.from(JSON.stringify({ base: delta.base, job: delta.job }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(meta.length);
  const body = Buffer.concat([
    cipher.update(len),
    cipher.update(meta),
    cipher.update(Buffer.from(delta.ids.buffer, delta.ids.byteOffset, delta.ids.byteLength)),
    cipher.final(),
  ]);
  cipher.getAuthTag().copy(header, AAD_END);
  writeAtomically(columnsDeltaPath(cachePath, token), (fd) => {
    writeSync(fd, header);
    writeSync(fd, body);
  });
}

/** The delta leading to `token`, or null (none, another schema, damaged, another key). */
export function readColumnsDelta(
  cachePath: string,
  token: string,
  schema: number,
  storeKey: StoreKey | null,
): ColumnsDelta | null {
  let buf: Buffer;
  try {
    buf = readFileSync(columnsDeltaPath(cachePath, token));
  } catch {
    return null;
  }
  const decipher = unseal(buf, DELTA_MAGIC, deltaIdentity(token, schema), storeKey);
  if (typeof decipher === 'string') return null;
  try {
    const plain = Buffer.concat([decipher.update(buf.subarray(HEADER)), decipher.final()]);
    const metaLen = plain.readUInt32LE(0);
    if (4 + metaLen > plain.length || (plain.length - 4 - metaLen) % 4 !== 0) return null;
    const meta = JSON.parse(plain.subarray(4, 4 + metaLen).toString('utf8')) as { base: unknown; job: unknown };
    if (typeof meta.base !== 'string') return null;
    const raw = plain.subarray(4 + metaLen);
    const ids = new Int32Array(raw.length / 4);
    new Uint8Array(ids.buffer).set(raw);
    return { base: meta.base, job: typeof meta.job === 'number' ? meta.job : null, ids };
  } catch {
    return null;
  }
}

/**
 * Removes the delta files beside the cache written before `before` (ms since the epoch): once the cache
 * holds the book of a snapshot taken at that time, they lead to it or to earlier states. A delta written
 * since belongs to a later import and stays for the next update.
 */
export function removeColumnsDeltas(cachePath: string, before: number): void {
  const dir = path.dirname(cachePath);
  const prefix = `${path.basename(cachePath)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.delta')) continue;
    const file = path.join(dir, name);
    try {
      if (statSync(file).mtimeMs < before) rmSync(file, { force: true });
    } catch {
      /* removed meanwhile */
    }
  }
}
