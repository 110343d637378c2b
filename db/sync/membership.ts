import type { Database } from 'better-sqlite3';
import { query } from '../sql';
import { ensureSyncSchema, readSyncState } from './schema';

/**
 * Joining and leaving a hub, as far as the store is concerned (issue 16, point 1: "leaving or re-joining
 * a hub never loses local work"), and the certificate authority this PC trusts for the hub's TLS.
 *
 * Leaving forgets the PC's identity (its secret stops being used; the administrator revokes it on the hub)
 * and nothing else: local rows stay, and mutations not yet processed by the hub stay queued, to be pushed
 * when the PC joins again (a re-join starts the replica afresh from the hub's change log; a queued change
 * whose record moved meanwhile is re-run on the new state like any conflict). Mutations the hub processed
 * leave the outbox at once: their effects are on the hub and come back with the first pull.
 */
const SETTING = query<[key: string], { value: string }>('SELECT value FROM settings WHERE key = ?');
const SET_SETTING = query<[key: string, value: string]>(
  'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
);
const DROP_SETTING = query<[key: string]>('DELETE FROM settings WHERE key = ?');
const DROP_PROCESSED = query("DELETE FROM sync_outbox WHERE status <> 'pending'");
const FORGET = query('UPDATE sync_state SET hub_url = NULL, branch = NULL, pc_id = NULL, secret = NULL WHERE id = 1');
const QUEUED = query<[], { n: number }>("SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending'");
const HUB_CA = 'sync.hubCa';
const LAST_HUB = 'sync.lastHub';

const HAS_SETTINGS = query<[], { n: number }>(
  "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
);

/**
 * The PEM of the CA that signs the hub's certificate (the bank's), or null: the system's trust store.
 * A bare sync store (the protocol's own tests) has no settings table and trusts the system store.
 */
export function hubCa(db: Database): string | null {
  if (!HAS_SETTINGS.get(db)?.n) return null;
  return SETTING.get(db, HUB_CA)?.value ?? null;
}

export function setHubCa(db: Database, pem: string | null): void {
  if (pem === null) DROP_SETTING.run(db, HUB_CA);
  else SET_SETTING.run(db, HUB_CA, pem);
}

/** Where this PC was last joined (shown on the join screen after leaving), or null. */
export function lastHub(db: Database): { hubUrl: string; branch: string } | null {
  const v = SETTING.get(db, LAST_HUB)?.value;
  return v ? (JSON.parse(v) as { hubUrl: string; branch: string }) : null;
}

export function rememberHub(db: Database, hubUrl: string, branch: string): void {
  SET_SETTING.run(db, LAST_HUB, JSON.stringify({ hubUrl, branch }));
}

/** Forgets the hub identity; keeps every local row and the queued mutations. Returns how many stay queued. */
export function leaveHubState(db: Database): number {
  ensureSyncSchema(db);
  return db.transaction(() => {
    const id = readSyncState(db).identity;
    if (id) rememberHub(db, id.hubUrl, id.branch);
    DROP_PROCESSED.run(db);
    FORGET.run(db);
    return QUEUED.get(db)?.n ?? 0;
  })();
}
