import type { Database } from 'better-sqlite3';
import { query } from '../sql';

/**
 * The workstation's side of the branch network: its identity on the hub, the replica of the shared
 * records, the outbox of mutations not yet processed by the hub, and the conflicts to show the user.
 *
 * Created here (CREATE ... IF NOT EXISTS, versioned in sync_state.schema) rather than as a numbered
 * migration: while this was written other sessions were adding 0020-0022 at the same time, and two
 * files with one number would stop every store from opening. It moves into the next free number with
 * the same statements when the domain tables are wired to it. Nothing here touches the existing
 * tables: a store without a hub never calls it.
 */
export const SYNC_SCHEMA_VERSION = 4;

export function ensureSyncSchema(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS sync_state (
      id                INTEGER PRIMARY KEY CHECK (id = 1),
      schema            INTEGER NOT NULL,
      hub_url           TEXT,
      branch            TEXT,
      pc_id             TEXT,
      -- The PC's hub secret, wrapped by the OS where the store key is (setHubSecretProtector: DPAPI under
      -- Electron, '<kind>:' + base64); as is in browser mode, inside the store its key file encrypts.
      secret            TEXT,
      -- Last change-log sequence applied here.
      cursor            INTEGER NOT NULL DEFAULT 0,
      -- Next per-PC mutation id; never reused, even after the outbox empties.
      next_mutation_id  INTEGER NOT NULL DEFAULT 1,
      last_sync_at      TEXT,
      -- The hub's name of this PC's pull scope at the last pull (schema 4, shared/sync/read-rules.ts).
      pull_scope        TEXT,
      -- While the PC pulls again from the start after its scope changed: the cursor it had. Changes up
      -- to it are applied only where they are newer than what the PC holds (0: not replaying).
      replay_upto       INTEGER NOT NULL DEFAULT 0
    );
    INSERT OR IGNORE INTO sync_state (id, schema) VALUES (1, ${SYNC_SCHEMA_VERSION});

    -- The replica. server_*: the record as the hub last said; revision/data/deleted: what this PC shows,
    -- i.e. the hub's record with this PC's pending mutations laid over it (optimistic).
    CREATE TABLE IF NOT EXISTS sync_records (
      tbl              TEXT NOT NULL,
      id               TEXT NOT NULL,
      revision         INTEGER NOT NULL,
      data             TEXT,
      deleted          INTEGER NOT NULL DEFAULT 0,
      server_revision  INTEGER NOT NULL DEFAULT 0,
      server_data      TEXT,
      server_deleted   INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (tbl, id)
    ) WITHOUT ROWID;

    -- Mutations in the order they were made. status: pending until the hub answers a push.
    CREATE TABLE IF NOT EXISTS sync_outbox (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      args        TEXT NOT NULL,
      effects     TEXT NOT NULL,
      status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'conflict', 'refused')),
      reason      TEXT,
      -- Who acted ({userId, role} JSON, NULL for system work): the rules are checked as them again on a re-run.
      actor       TEXT,
      created_at  TEXT NOT NULL
    );

    -- 同步冲突: what the hub would not take and the domain could not redo on the new state.
    CREATE TABLE IF NOT EXISTS sync_conflicts (
      id           INTEGER PRIMARY KEY AUTOINCREMENT,
      mutation_id  INTEGER NOT NULL,
      name         TEXT NOT NULL,
      args         TEXT NOT NULL,
      outcome      TEXT NOT NULL CHECK (outcome IN ('conflict', 'refused')),
      reason       TEXT NOT NULL,
      made_at      TEXT NOT NULL,
      at           TEXT NOT NULL,
      seen         INTEGER NOT NULL DEFAULT 0,
      -- Who acted ({userId, role} JSON, as in the outbox): the list shows each user their own (schema 2).
      actor        TEXT
    );

    -- Which local row a shared record is (schema 3): contacts, opportunities, campaigns and entries keep
    -- their INTEGER ids (this store's handle in the API, reminders, opportunities' source refs) and
    -- cross the wire by their record id (UUIDv7, or a natural key). Here rather than a sync_id column
    -- per table: a standalone store never has it, and the domain tables stay as they are.
    CREATE TABLE IF NOT EXISTS sync_links (
      tbl       TEXT NOT NULL,
      id        TEXT NOT NULL,
      local_id  INTEGER NOT NULL,
      PRIMARY KEY (tbl, id),
      UNIQUE (tbl, local_id)
    ) WITHOUT ROWID;
  `);
  const v = (db.prepare('SELECT schema FROM sync_state WHERE id = 1').get() as { schema: number }).schema;
  if (v > SYNC_SCHEMA_VERSION) throw new Error(`sync tables written by a newer release (schema ${v})`);
  if (v < SYNC_SCHEMA_VERSION) {
    const cols = db.prepare("SELECT name FROM pragma_table_info('sync_conflicts')").pluck().all() as string[];
    const stateCols = db.prepare("SELECT name FROM pragma_table_info('sync_state')").pluck().all() as string[];
    db.transaction(() => {
      if (!cols.includes('actor')) db.exec('ALTER TABLE sync_conflicts ADD COLUMN actor TEXT');
      // Schema 4: the pull scope and its replay.
      if (!stateCols.includes('pull_scope')) db.exec('ALTER TABLE sync_state ADD COLUMN pull_scope TEXT');
      if (!stateCols.includes('replay_upto'))
        db.exec('ALTER TABLE sync_state ADD COLUMN replay_upto INTEGER NOT NULL DEFAULT 0');
      // Schema 3 adds only sync_links, created above.
      db.prepare('UPDATE sync_state SET schema = ? WHERE id = 1').run(SYNC_SCHEMA_VERSION);
    })();
  }
}

export interface SyncIdentity {
  hubUrl: string;
  branch: string;
  pcId: string;
  secret: string;
  /**
   * The stored secret could not be unwrapped (another Windows user, another PC: DPAPI refuses; the
   * protection is not available): `secret` is empty and the sync says so until the PC is enrolled again.
   */
  secretUnreadable?: true;
}

/**
 * The OS's protection of small secrets, the one main/store-key.ts wraps the store key with (Electron's
 * safeStorage: DPAPI on Windows); structurally its KeyProtector, set by setKeyProtector. Browser mode and
 * the CLI have none: the secret then stays as is inside the store, which the key file's key encrypts.
 */
export interface HubSecretProtector {
  readonly kind: string;
  available(): boolean;
  wrap(plain: string): Buffer;
  unwrap(wrapped: Buffer): string;
}

let secretProtector: HubSecretProtector | null = null;

export function setHubSecretProtector(p: HubSecretProtector | null): void {
  secretProtector = p;
}

/** A wrapped secret as stored: '<protector kind>:<base64>'. A plain secret (hub-issued, base64url) has no ':'. */
const WRAPPED = /^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z0-9+/=]*)$/;

/** The secret as the column keeps it: wrapped when the protection is available, else as is. */
function storedSecret(plain: string): string {
  const p = secretProtector;
  if (!p?.available()) return plain;
  return `${p.kind}:${p.wrap(plain).toString('base64')}`;
}

/** The secret from the column, or null when it is wrapped and cannot be unwrapped here. */
function readSecret(stored: string): string | null {
  const m = WRAPPED.exec(stored);
  if (!m) return stored;
  const p = secretProtector;
  if (!p || p.kind !== m[1] || !p.available()) return null;
  try {
    return p.unwrap(Buffer.from(m[2]!, 'base64'));
  } catch {
    return null;
  }
}

/**
 * Wraps a secret stored as is (joined before the protection was there, or in browser mode and now
 * under Electron) with the protector now available. True when it rewrote it.
 */
export function protectStoredSecret(db: Database): boolean {
  if (!secretProtector?.available()) return false;
  const r = db.prepare('SELECT secret FROM sync_state WHERE id = 1').get() as { secret: string | null } | undefined;
  if (!r?.secret || WRAPPED.test(r.secret)) return false;
  db.prepare('UPDATE sync_state SET secret = ? WHERE id = 1').run(storedSecret(r.secret));
  return true;
}

export interface SyncStateRow {
  identity: SyncIdentity | null;
  cursor: number;
  nextMutationId: number;
  lastSyncAt: string | null;
  /** The hub's name of the pull scope at the last pull (null: none yet). */
  pullScope: string | null;
  /** Replaying from the start after a scope change up to this cursor (0: not). */
  replayUpTo: number;
}

export function readSyncState(db: Database): SyncStateRow {
  const r = db
    .prepare(
      `SELECT hub_url, branch, pc_id, secret, cursor, next_mutation_id, last_sync_at, pull_scope, replay_upto
         FROM sync_state WHERE id = 1`,
    )
    .get() as {
    hub_url: string | null;
    branch: string | null;
    pc_id: string | null;
    secret: string | null;
    cursor: number;
    next_mutation_id: number;
    last_sync_at: string | null;
    pull_scope: string | null;
    replay_upto: number;
  };
  let identity: SyncIdentity | null = null;
  if (r.hub_url && r.branch && r.pc_id && r.secret) {
    const secret = readSecret(r.secret);
    identity = { hubUrl: r.hub_url, branch: r.branch, pcId: r.pc_id, secret: secret ?? '' };
    if (secret === null) identity.secretUnreadable = true;
  }
  return {
    identity,
    cursor: r.cursor,
    nextMutationId: r.next_mutation_id,
    lastSyncAt: r.last_sync_at,
    pullScope: r.pull_scope,
    replayUpTo: r.replay_upto,
  };
}

/**
 * Records this PC's identity on a hub and starts its replica afresh (cursor 0: the first pull rebuilds
 * it from the hub's change log). The outbox is kept: local work is never lost by joining. What joining a
 * second hub does with mutations the first one applied is for the re-join step of issue 16.
 */
export function saveIdentity(db: Database, id: SyncIdentity): void {
  db.prepare(
    'UPDATE sync_state SET hub_url = ?, branch = ?, pc_id = ?, secret = ?, cursor = 0, pull_scope = NULL, replay_upto = 0 WHERE id = 1',
  ).run(id.hubUrl, id.branch, id.pcId, storedSecret(id.secret));
}

/**
 * True when this store is joined to a hub. Standalone stores never ran ensureSyncSchema, so the table's
 * absence is the usual answer, found without creating anything.
 */
export function syncJoined(db: Database): boolean {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'").get();
  return has !== undefined && readSyncState(db).identity !== null;
}

const SYNC_ID_OF = query<[table: string, localId: number], { id: string }>(
  'SELECT id FROM sync_links WHERE tbl = ? AND local_id = ?',
);
const LOCAL_ID_OF = query<[table: string, id: string], { local_id: number }>(
  'SELECT local_id FROM sync_links WHERE tbl = ? AND id = ?',
);
const LINK = query<[table: string, id: string, localId: number]>(
  'INSERT INTO sync_links (tbl, id, local_id) VALUES (?, ?, ?)',
);

/** The shared record id of a local row, or null when it was never shared (made while standalone). */
export function syncIdOf(db: Database, table: string, localId: number): string | null {
  return SYNC_ID_OF.get(db, table, localId)?.id ?? null;
}

/** The local row of a shared record, or null when this store has none (yet). */
export function localIdOf(db: Database, table: string, id: string): number | null {
  return LOCAL_ID_OF.get(db, table, id)?.local_id ?? null;
}

/** Ties a shared record to its local row (both ways unique). */
export function linkRecord(db: Database, table: string, id: string, localId: number): void {
  LINK.run(db, table, id, localId);
}

const UNLINK = query<[table: string, id: string]>('DELETE FROM sync_links WHERE tbl = ? AND id = ?');

/** Forgets a shared record's local row (the row is gone: its creation was refused by the hub). */
export function unlinkRecord(db: Database, table: string, id: string): void {
  UNLINK.run(db, table, id);
}

/**
 * The hub named a pull scope different from the last one (a new user signed in here, a customer's facts
 * changed): records behind the cursor may now be visible, so the PC pulls from the start again, applying
 * only what is newer than what it holds until it is back where it was. True when a replay starts.
 */
export function notePullScope(db: Database, scope: string | undefined): boolean {
  if (scope === undefined) return false;
  const s = readSyncState(db);
  if (s.pullScope === scope) return false;
  if (s.pullScope === null || s.cursor === 0) {
    db.prepare('UPDATE sync_state SET pull_scope = ? WHERE id = 1').run(scope);
    return false;
  }
  db.prepare(
    'UPDATE sync_state SET pull_scope = ?, replay_upto = max(replay_upto, cursor), cursor = 0 WHERE id = 1',
  ).run(scope);
  return true;
}
