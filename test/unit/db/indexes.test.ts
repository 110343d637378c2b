import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIndexes, dropIndexes, withSortSettings } from '../../../db/indexes';

let db: BetterSqlite3.Database;
beforeEach(() => {
  db = new BetterSqlite3(':memory:');
  db.exec(`CREATE TABLE a (id INTEGER PRIMARY KEY, k TEXT UNIQUE, tier TEXT, x INTEGER);
    CREATE INDEX a_tier ON a(tier, x);
    CREATE INDEX a_x ON a(x) WHERE x > 0;
    CREATE TABLE b (id INTEGER PRIMARY KEY, y TEXT);
    CREATE INDEX b_y ON b(y);
    INSERT INTO a (k, tier, x) VALUES ('k1', 'gold', 1), ('k2', NULL, 0);
    INSERT INTO b (y) VALUES ('y');`);
});
afterEach(() => db.close());

const indexes = () =>
  db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();

describe('dropIndexes / buildIndexes', () => {
  it('drop the named tables’ explicit indexes only (the UNIQUE autoindex stays) and build them back exactly', () => {
    const before = indexes();
    const saved = dropIndexes(db, 'a');
    expect(saved.map((i) => [i.name, i.table])).toEqual([
      ['a_tier', 'a'],
      ['a_x', 'a'],
    ]);
    expect(indexes()).toEqual([
      { name: 'b_y', tbl_name: 'b', sql: 'CREATE INDEX b_y ON b(y)' },
      { name: 'sqlite_autoindex_a_1', tbl_name: 'a', sql: null },
    ]);
    buildIndexes(db, saved);
    expect(indexes()).toEqual(before);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('take several tables, or only the indexes whose DDL matches', () => {
    expect(dropIndexes(db, 'a', '%tier%').map((i) => i.name)).toEqual(['a_tier']);
    expect(dropIndexes(db, ['a', 'b']).map((i) => i.name)).toEqual(['a_x', 'b_y']);
    expect(indexes()).toEqual([{ name: 'sqlite_autoindex_a_1', tbl_name: 'a', sql: null }]);
  });

  it('inside a transaction, a rollback brings the dropped indexes back', () => {
    const before = indexes();
    db.exec('BEGIN');
    dropIndexes(db, ['a', 'b']);
    db.exec('ROLLBACK');
    expect(indexes()).toEqual(before);
  });

  it('the sort settings are put back, even when the work throws', () => {
    db.pragma('cache_size = -65536');
    db.pragma('threads = 0');
    expect(() =>
      withSortSettings(db, () => {
        expect(db.pragma('cache_size', { simple: true })).toBe(-2048);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(db.pragma('threads', { simple: true })).toBe(0);
  });
});
