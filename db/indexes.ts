/**
 * Building indexes from a loaded table (a fresh import, the demo generator, a big re-tier).
 *
 * CREATE INDEX sorts the table's keys with SQLite's external merge sorter, whose in-memory runs are as
 * big as the page cache. Measured on a 1M-customer table (2 cores, shared): the 16 customer indexes
 * took 16.2 s with the store's 64 MB cache and 9.5-10.3 s with a 1-2 MB one, runs small enough to
 * sort inside the CPU's caches, then merged; inside a fresh 1M-row import (the import worker's
 * connection, temp_store = FILE) 16-19 s -> 12.3 s. Helper threads (PRAGMA threads) sort runs in
 * the background only where temp files are allowed: SQLite uses none with temp_store = MEMORY, the
 * main connection's setting, which cannot be switched here (that would drop every temp table).
 */
import type { Database } from 'better-sqlite3';

/** Page cache while indexes are built: sort runs of ~2 MB. */
const BUILD_CACHE_KIB = 2048;
/** Helper threads for the sorter (the main thread keeps scanning the table meanwhile). */
const BUILD_THREADS = 2;

/**
 * Runs `build` with the connection tuned for big sorts (index builds, GROUP BY over millions of rows),
 * then puts its settings back. Also measured on a 20M-row journal: the month aggregation of the
 * transactions (GROUP BY over a join) took 50.6 s with the store's settings and 25.4 s with these.
 */
export function withSortSettings<T>(db: Database, build: () => T): T {
  const cache = db.pragma('cache_size', { simple: true }) as number;
  const threads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`cache_size = -${BUILD_CACHE_KIB}`);
  db.pragma(`threads = ${BUILD_THREADS}`);
  try {
    return build();
  } finally {
    db.pragma(`cache_size = ${Number(cache)}`);
    db.pragma(`threads = ${Number(threads)}`);
  }
}

/** An index dropped for a load, with its exact DDL to build it again. */
export interface SavedIndex {
  name: string;
  table: string;
  sql: string;
}

/** Executes saved indexes' CREATE INDEX statements with the settings above; `onEach` after each build. */
export function buildIndexes(db: Database, saved: readonly SavedIndex[], onEach?: (done: number) => void): void {
  if (saved.length === 0) return;
  withSortSettings(db, () =>
    saved.forEach((ix, i) => {
      db.exec(ix.sql);
      onEach?.(i + 1);
    }),
  );
}

/**
 * Drops the explicit indexes of the tables (not the automatic ones of UNIQUE / PRIMARY KEY
 * constraints), or only those whose DDL is LIKE `ddlLike`, and returns them for buildIndexes. DDL is
 * transactional in SQLite: inside a transaction, a rollback brings them back untouched.
 */
export function dropIndexes(db: Database, tables: string | readonly string[], ddlLike = '%'): SavedIndex[] {
  const list = typeof tables === 'string' ? [tables] : tables;
  const idx = db
    .prepare(
      `SELECT name, tbl_name AS "table", sql FROM sqlite_master
       WHERE type = 'index' AND sql IS NOT NULL AND sql LIKE ? AND tbl_name IN (${list.map(() => '?').join(', ')})
       ORDER BY tbl_name, name`,
    )
    .all(ddlLike, ...list) as SavedIndex[];
  for (const i of idx) db.exec(`DROP INDEX "${i.name.replaceAll('"', '""')}"`);
  return idx;
}
