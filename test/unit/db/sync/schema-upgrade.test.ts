import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { ensureSyncSchema, SYNC_SCHEMA_VERSION, syncJoined } from '../../../../db/sync/schema';

/** The sync tables move forward in place: a store joined under schema 1 keeps its conflicts and gains `actor`. */
describe('sync schema', () => {
  it('upgrades schema 1 (conflicts without actor) to 2, keeping the entries', () => {
    const db = new BetterSqlite3(':memory:');
    db.exec(`
      CREATE TABLE sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), schema INTEGER NOT NULL, hub_url TEXT, branch TEXT,
        pc_id TEXT, secret TEXT, cursor INTEGER NOT NULL DEFAULT 0, next_mutation_id INTEGER NOT NULL DEFAULT 1, last_sync_at TEXT);
      INSERT INTO sync_state (id, schema) VALUES (1, 1);
      CREATE TABLE sync_conflicts (id INTEGER PRIMARY KEY AUTOINCREMENT, mutation_id INTEGER NOT NULL, name TEXT NOT NULL,
        args TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL, made_at TEXT NOT NULL, at TEXT NOT NULL,
        seen INTEGER NOT NULL DEFAULT 0);
      INSERT INTO sync_conflicts (mutation_id, name, args, outcome, reason, made_at, at) VALUES (3, 'x', '{}', 'conflict', '{}', 'a', 'b');
    `);
    ensureSyncSchema(db);
    expect(db.prepare('SELECT schema FROM sync_state').pluck().get()).toBe(SYNC_SCHEMA_VERSION);
    expect(db.prepare('SELECT mutation_id, actor FROM sync_conflicts').all()).toEqual([
      { mutation_id: 3, actor: null },
    ]);
    ensureSyncSchema(db);
    expect(syncJoined(db)).toBe(false);
    db.close();
  });

  it('a standalone store is not joined and gets no sync table from asking', () => {
    const db = new BetterSqlite3(':memory:');
    expect(syncJoined(db)).toBe(false);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sync_%'").pluck().get()).toBe(0);
    db.close();
  });
});
