/**
 * The driver switch (better-sqlite3 -> better-sqlite3-multiple-ciphers) changes no statement's meaning:
 * its build lists DEFAULT_RECURSIVE_TRIGGERS and DEFAULT_AUTOVACUUM among its compile options, so this
 * pins what they resolve to (off, as under better-sqlite3) for new stores, plaintext and encrypted, and
 * for the extra connections workers open. A driver update that changed them fails here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openConnection, Sqlite } from '../../../db/cipher';
import { openStore } from '../../../db/open';
import { openAppStore } from '../../../main/store-key';

const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the SQLite driver', () => {
  it('has recursive triggers off by default on a bare connection', () => {
    const raw = new Sqlite(':memory:');
    expect(raw.pragma('recursive_triggers', { simple: true })).toBe(0);
    raw.close();
  });

  it.each([
    ['plaintext', false],
    ['encrypted', true],
  ] as const)('a new %s store: no auto-vacuum, no recursive triggers, on every connection', async (name, encrypt) => {
    const file = path.join(dir, `${name}.db`);
    const { db } = encrypt ? await openAppStore(file) : await openStore(file);
    try {
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(0);
      expect(db.pragma('recursive_triggers', { simple: true })).toBe(0);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      const other = openConnection(file, { readonly: true });
      try {
        expect(other.pragma('recursive_triggers', { simple: true })).toBe(0);
        expect(other.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBeGreaterThan(0);
      } finally {
        other.close();
      }
    } finally {
      db.close();
    }
  });

  it('REPLACE does not fire DELETE triggers (recursive triggers off)', async () => {
    const { db } = await openStore(path.join(dir, 'replace.db'));
    try {
      db.exec(`CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); CREATE TABLE log (what TEXT);
        CREATE TRIGGER t_del AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('deleted'); END;
        INSERT INTO t VALUES (1, 'a'); INSERT OR REPLACE INTO t VALUES (1, 'b');`);
      expect(db.prepare('SELECT count(*) FROM log').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});
