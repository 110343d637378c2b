/**
 * The store's integrity check, table by table, with a real percentage (issue 18.3).
 *
 * `PRAGMA integrity_check` is one statement: minutes on a big store with nothing to show. SQLite (≥ 3.33)
 * also takes a table name, `PRAGMA integrity_check(t)`, and then checks that table's b-tree and all its
 * indexes (every page, every index entry against its row, NOT NULL and CHECK constraints, the index entry
 * counts), exactly as the whole-file check does for it. What a per-table check leaves out is what needs
 * every b-tree at once (sqlite3BtreeIntegrityCheck's "partial" mode): the freelist, and that every page of
 * the file belongs to exactly one b-tree or the freelist ("Page N: never used", a page shared by two
 * b-trees). So the check here is:
 *   1. `integrity_check(sqlite_schema)`: the schema's b-tree, and the freelist (SQLite still checks the
 *      freelist when the first b-tree checked is page 1);
 *   2. `integrity_check(t)` for every table, in turn; after each, the pages of its b-trees are counted
 *      (dbstat, aggregate: reads the pages the check just read, mostly from the cache), which is the
 *      table's weight in the percentage: pages checked / pages in use;
 *   3. the reconciliation: the pages counted over all b-trees, plus the free pages (and the lock-byte
 *      page of a file over 1 GiB), must be the file's page count. Fewer means an orphan page, more a page
 *      in two b-trees: both are what the whole-file check reports, and both are reported here.
 * The verdict is the whole-file check's: ok, or the problems SQLite lists (a page failing its HMAC in an
 * encrypted store is thrown as SQLITE_CORRUPT, as by the whole-file check). Not covered: an orphan page
 * and a shared page in the same file cancel out in the count (the whole-file check names both); stores in
 * auto-vacuum mode (never made by this app) get the whole-file check instead.
 */
import type { Database } from 'better-sqlite3';

export interface StoreCheckProgress {
  /** Pages of the store checked so far, and pages in use (the page count less the free pages). */
  done: number;
  total: number;
  /** The table just checked (null before the first), its place and the number of tables. */
  table: string | null;
  index: number;
  count: number;
  /** done / total, 0..1. */
  fraction: number;
}

export interface StoreCheckResult {
  ok: boolean;
  /** What SQLite reported (at most `maxProblems`), or the reconciliation's finding. */
  problems: string[];
  pages: number;
  tables: number;
}

export interface StoreCheckOptions {
  /** `quick_check` per table (every page read, no index entry cross-check) instead of `integrity_check`. */
  quick?: boolean;
  onProgress?: (p: StoreCheckProgress) => void;
  /** Problems kept (SQLite lists up to 100 per table). */
  maxProblems?: number;
}

class Reported extends Error {}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The tables of the store (b-trees of their own; virtual tables are checked through their shadow tables). */
function tablesOf(db: Database): { name: string; btrees: string[] }[] {
  const rows = db
    .prepare(
      `SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY tbl_name, type DESC, name`,
    )
    .all() as { type: string; name: string; tbl_name: string }[];
  const byTable = new Map<string, string[]>();
  for (const r of rows) {
    const list = byTable.get(r.tbl_name) ?? [];
    list.push(r.name);
    byTable.set(r.tbl_name, list);
  }
  return [...byTable].map(([name, btrees]) => ({ name, btrees }));
}

/** Runs the check (see the file comment) on `db`, which may be read-only or inside a transaction. */
export function checkStorePages(db: Database, opts: StoreCheckOptions = {}): StoreCheckResult {
  const pragma = opts.quick ? 'quick_check' : 'integrity_check';
  const max = opts.maxProblems ?? 100;
  const pageCount = Number(db.pragma('page_count', { simple: true }));
  const free = Number(db.pragma('freelist_count', { simple: true }));
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const problems: string[] = [];
  const run = (sql: string) => {
    const rows = (db.pragma(sql, { simple: false }) as Record<string, string>[]).map((r) => r[pragma] ?? '');
    if (!(rows.length === 1 && rows[0] === 'ok')) problems.push(...rows.slice(0, Math.max(0, max - problems.length)));
  };
  // Auto-vacuum files keep pointer-map pages only the whole-file check accounts for.
  if (Number(db.pragma('auto_vacuum', { simple: true })) !== 0) {
    run(pragma);
    opts.onProgress?.({ done: pageCount, total: pageCount, table: null, index: 0, count: 0, fraction: 1 });
    return { ok: problems.length === 0, problems, pages: pageCount, tables: 0 };
  }
  const tables = tablesOf(db);
  // The page holding SQLite's lock bytes (at 1 GiB) belongs to nothing.
  const lockPage = pageCount * pageSize > 0x40000000 ? 1 : 0;
  const total = Math.max(1, pageCount - free - lockPage);
  const pagesOf = db.prepare(`SELECT coalesce(sum(pageno), 0) FROM dbstat WHERE name = ? AND aggregate = TRUE`).pluck();
  let done = 0;
  const report = (table: string | null, index: number) =>
    opts.onProgress?.({
      done: Math.min(done, total),
      total,
      table,
      index,
      count: tables.length,
      fraction: Math.min(1, done / total),
    });
  report(null, 0);
  run(`${pragma}(sqlite_schema)`);
  const count = (name: string): number => {
    try {
      return Number(pagesOf.get(name));
    } catch (e) {
      // A damaged page the check has already reported can stop the count: the verdict stands.
      if (problems.length > 0) throw new Reported();
      throw e;
    }
  };
  try {
    done += count('sqlite_schema');
    tables.forEach((t, i) => {
      run(`${pragma}(${quoteIdent(t.name)})`);
      for (const b of t.btrees) done += count(b);
      report(t.name, i + 1);
    });
  } catch (e) {
    if (e instanceof Reported) return { ok: false, problems, pages: pageCount, tables: tables.length };
    throw e;
  }
  if (done + free + lockPage !== pageCount && problems.length < max) {
    problems.push(
      `page count mismatch: ${done} pages in tables and indexes and ${free} free pages, but the file has ${pageCount - lockPage} (${
        done + free + lockPage < pageCount ? 'pages that belong to nothing' : 'pages used twice'
      })`,
    );
  }
  return { ok: problems.length === 0, problems, pages: pageCount, tables: tables.length };
}
