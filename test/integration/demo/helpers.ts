import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { type DemoOptions, type DemoSummary, generateDemo } from '../../../db/demo';
import { openStore } from '../../../db/open';

export interface DemoStore {
  db: Database;
  file: string;
  summary: DemoSummary;
  phases: string[];
  close(): void;
}

const dirs: string[] = [];

/** A real store file in the OS temp folder, migrated and filled by the generator. */
export async function makeDemoStore(opts: DemoOptions): Promise<DemoStore> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-demo-test-'));
  dirs.push(dir);
  const file = path.join(dir, 'demo.db');
  const { db } = await openStore(file);
  const phases: string[] = [];
  const summary = await generateDemo(db, {
    ...opts,
    onProgress: (p) => {
      if (phases[phases.length - 1] !== p.phase) phases.push(p.phase);
      if (p.done > p.total || p.done < 0) throw new Error(`bad progress ${JSON.stringify(p)}`);
    },
  });
  return { db, file, summary, phases, close: () => db.close() };
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * Data tables: everything but SQLite's own, the migration log (which records when it ran) and the grid
 * columns' cache identity (a random token per build: bookkeeping of a cache file, not data).
 */
export function dataTables(db: Database): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('schema_migrations', 'grid_columns_state') ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
}

/** A digest of every row of a table in key order; `skip` leaves columns out (salted password hashes). */
export function tableDigest(db: Database, table: string, skip: readonly string[] = []): { rows: number; sha: string } {
  const cols = db.prepare(`SELECT name, pk FROM pragma_table_info(?)`).all(table) as { name: string; pk: number }[];
  const keep = cols.filter((c) => !skip.includes(c.name)).map((c) => `"${c.name}"`);
  const pk = cols
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => `"${c.name}"`);
  const withoutRowid = (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(table) as { sql: string }).sql
    .toUpperCase()
    .includes('WITHOUT ROWID');
  const order = withoutRowid ? pk.join(', ') : 'rowid';
  const hash = createHash('sha256');
  let rows = 0;
  for (const row of db
    .prepare(`SELECT ${keep.join(', ')} FROM "${table}" ORDER BY ${order}`)
    .raw()
    .iterate()) {
    hash.update(JSON.stringify(row));
    hash.update('\n');
    rows++;
  }
  return { rows, sha: hash.digest('hex') };
}

/** Number of rows a query returns (for "this must find nothing" checks, with the first few for the message). */
export function offenders(db: Database, sql: string, ...params: unknown[]): unknown[] {
  return db
    .prepare(sql)
    .all(...params)
    .slice(0, 5);
}
