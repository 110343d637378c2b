import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { all, allCached, Clauses, exists, first, placeholders, query, run } from '../../../db/sql';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER)`);
  db.exec(`INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', NULL)`);
});
afterEach(() => db.close());

const byName = query<[string], { id: number; n: number | null }>('SELECT id, n FROM t WHERE name = ?');

describe('query (a statement declared once)', () => {
  it('reads, lists, iterates and writes with its declared types', () => {
    expect(byName.get(db, 'b')).toEqual({ id: 2, n: 2 });
    expect(byName.get(db, 'zz')).toBeUndefined();
    expect(byName.all(db, 'a')).toEqual([{ id: 1, n: 1 }]);
    expect([...byName.iterate(db, 'c')]).toEqual([{ id: 3, n: null }]);
    const insert = query<[string, number]>('INSERT INTO t (name, n) VALUES (?, ?)');
    expect(insert.run(db, 'd', 4).lastInsertRowid).toBe(4);
    expect(byName.get(db, 'd')).toEqual({ id: 4, n: 4 });
  });

  it('prepares once per database and keeps databases apart', () => {
    expect(byName.prepared(db)).toBe(byName.prepared(db));
    const other = new Database(':memory:');
    try {
      other.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER)`);
      other.exec(`INSERT INTO t (name, n) VALUES ('b', 20)`);
      expect(byName.prepared(other)).not.toBe(byName.prepared(db));
      expect(byName.get(other, 'b')).toEqual({ id: 1, n: 20 });
      expect(byName.get(db, 'b')).toEqual({ id: 2, n: 2 });
    } finally {
      other.close();
    }
  });
});

describe('helpers for SQL built at run time', () => {
  it('first, all, run and exists bind their parameters', () => {
    const ids = [1, 3];
    expect(
      all<{ name: string }>(db, `SELECT name FROM t WHERE id IN (${placeholders(ids)}) ORDER BY id`, ...ids),
    ).toEqual([{ name: 'a' }, { name: 'c' }]);
    expect(first<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM t WHERE n >= ?', 2)).toEqual({ n: 1 });
    expect(exists(db, 'SELECT 1 FROM t WHERE name = ?', 'a')).toBe(true);
    expect(exists(db, 'SELECT 1 FROM t WHERE name = ?', 'x')).toBe(false);
    expect(run(db, 'DELETE FROM t WHERE n IS NULL').changes).toBe(1);
  });
});

describe('Clauses', () => {
  it('keeps fragments and parameters in step, and is always true when empty', () => {
    expect(new Clauses().and()).toBe('1');
    const w = new Clauses({ sql: 'id > ?', params: [0] });
    w.add('name <> ?', 'b').add('n IS NOT NULL');
    expect(w.length).toBe(3);
    expect(w.and()).toBe('id > ? AND name <> ? AND n IS NOT NULL');
    expect(w.params).toEqual([0, 'b']);
    expect(all<{ id: number }>(db, `SELECT id FROM t WHERE ${w.and()} ORDER BY id`, ...w.params)).toEqual([{ id: 1 }]);
    const set = new Clauses().add('name = ?', 'z').add('n = ?', null);
    expect(set.join(', ')).toBe('name = ?, n = ?');
    expect(set.params).toEqual(['z', null]);
  });
});

describe('allCached (run-time SQL of a few recurring shapes)', () => {
  it('prepares each text once per database, keeps the last 16 texts, and answers as `all` does', () => {
    const prepare = vi.spyOn(db, 'prepare');
    const byIds = (n: number) =>
      `SELECT name FROM t WHERE id IN (${placeholders(Array.from({ length: n }))}) ORDER BY id`;
    expect(allCached(db, byIds(2), 1, 3)).toEqual([{ name: 'a' }, { name: 'c' }]);
    expect(allCached(db, byIds(2), 2, 3)).toEqual(all(db, byIds(2), 2, 3));
    expect(prepare.mock.calls.filter(([sql]) => sql === byIds(2))).toHaveLength(2); // one by allCached, one by all
    // Sixteen other texts push the first one out; it is prepared again afterwards.
    for (let n = 3; n <= 18; n++) allCached(db, byIds(n), ...Array.from({ length: n }, (_, i) => i + 1));
    allCached(db, byIds(2), 1, 2);
    expect(prepare.mock.calls.filter(([sql]) => sql === byIds(2))).toHaveLength(3);
    // The most recent text is still kept.
    const before = prepare.mock.calls.length;
    allCached(db, byIds(18), ...Array.from({ length: 18 }, (_, i) => i + 1));
    expect(prepare.mock.calls.length).toBe(before);
    // A written row is seen by a kept statement.
    run(db, 'UPDATE t SET name = ? WHERE id = 1', 'z');
    expect(allCached(db, byIds(2), 1, 2)).toEqual([{ name: 'z' }, { name: 'b' }]);
    prepare.mockRestore();
  });
});
