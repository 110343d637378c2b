/**
 * Issue 18.3: the store's integrity check table by table with a real percentage (db/store-check.ts).
 * On deliberately damaged copies of a demo store (a page of an index, a page of a table, pages that belong
 * to nothing, a wrong free-page count) its verdict is SQLite's whole-file integrity_check's; `crm check`
 * prints percentage lines and exits 2; the start-up check of a small store is the same code (it reports
 * what only the per-table check words: the page reconciliation).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../db/open';
import { checkStorePages, type StoreCheckProgress } from '../../../db/store-check';
import { isAppError } from '../../../shared/errors';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { tempDir } from '../support/store';

const t = tempDir('crm-store-check-');
const ROOT = path.resolve(__dirname, '..', '..', '..');
let source = '';

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 300, seed: 5 });
  demo.db.pragma('wal_checkpoint(TRUNCATE)');
  demo.close();
  source = demo.file;
}, 120_000);

afterAll(() => {
  removeTempDirs();
  t.cleanup();
});

let n = 0;
/** A copy of the demo store, changed by `damage` (with a plain connection, DELETE journal: no WAL left). */
function copy(damage: (file: string, db: Database) => void = () => undefined): string {
  const file = path.join(t.dir, `s${++n}.db`);
  copyFileSync(source, file);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = DELETE');
  try {
    damage(file, db);
  } finally {
    db.close();
  }
  return file;
}

/** A leaf page in the middle of the b-tree `name`, by dbstat. */
function leafOf(db: Database, name: string): { page: number; size: number } {
  const leaves = db
    .prepare(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path`)
    .pluck()
    .all(name) as number[];
  const page = leaves[Math.floor(leaves.length / 2)];
  if (!page || leaves.length < 3) throw new Error(`too few leaf pages in ${name}`);
  return { page, size: Number(db.pragma('page_size', { simple: true })) };
}

/** Overwrites `len` bytes at `offset` within page `page` (inside its cell content: the keys and rows). */
function poke(file: string, at: { page: number; size: number }, offset: number, len: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(len, 0x41), 0, len, (at.page - 1) * at.size + offset);
  } finally {
    closeSync(fd);
  }
}

/** Some free pages: a table filled and dropped (the file keeps them on its freelist). */
function freePages(db: Database): number {
  db.exec(
    'CREATE TABLE junk (x BLOB); INSERT INTO junk SELECT randomblob(3000) FROM customers LIMIT 200; DROP TABLE junk;',
  );
  return Number(db.pragma('freelist_count', { simple: true }));
}

function wholeFile(file: string): string[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]).map(
      (r) => r.integrity_check,
    );
  } finally {
    db.close();
  }
}

function perTable(file: string): { ok: boolean; problems: string[]; progress: StoreCheckProgress[] } {
  const db = new BetterSqlite3(file, { readonly: true });
  const progress: StoreCheckProgress[] = [];
  try {
    const r = checkStorePages(db, { onProgress: (p) => progress.push(p) });
    return { ok: r.ok, problems: r.problems, progress };
  } finally {
    db.close();
  }
}

function crmCheck(file: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'main/cli/index.ts', 'check', '--db', file, '--offline', '--lang', 'en'],
    {
      cwd: ROOT,
      env: { ...process.env, CRM_LOG: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function startupRefusal(file: string): Promise<Record<string, unknown>> {
  const e = await openStore(file).then(
    (o) => {
      o.db.close();
      return null;
    },
    (err: unknown) => err,
  );
  if (!isAppError(e) || e.code !== 'STORE_DAMAGED') throw new Error(`expected STORE_DAMAGED, got ${String(e)}`);
  return e.details as Record<string, unknown>;
}

describe('the integrity check, table by table', () => {
  it('an intact store: ok like the whole-file check, every page counted, the percentage growing to 100', () => {
    const file = copy();
    expect(wholeFile(file)).toEqual(['ok']);
    const r = perTable(file);
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    const fractions = r.progress.map((p) => p.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    expect(new Set(fractions).size).toBeGreaterThan(10);
    const last = r.progress.at(-1)!;
    expect(last.fraction).toBe(1);
    expect(last.done).toBe(last.total);
    expect(last.index).toBe(last.count);
    // The weights are the tables' pages: in use = the file's pages less the free ones.
    const db = new BetterSqlite3(file, { readonly: true });
    const pages =
      Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
    db.close();
    expect(last.total).toBe(pages);
  });

  it('a damaged page of an index: the same problem as the whole-file check; crm check exits 2 after percentages; the start-up check refuses', async () => {
    const file = copy((f, db) => {
      const at = leafOf(db, biggestIndex(db));
      poke(f, at, at.size - 400, 12);
    });
    const whole = wholeFile(file);
    expect(whole).not.toEqual(['ok']);
    const r = perTable(file);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain(whole[0]);

    const cli = crmCheck(file);
    expect(cli.code).toBe(2);
    expect(cli.out).toMatch(/^store damaged: /);
    expect(cli.err).toMatch(/check: 1\/2 integrity \d{1,3}% \(table \d+ of \d+, [\d,]+ of [\d,]+ pages/);
    expect(cli.out).not.toContain('store ok');

    const refused = await startupRefusal(file);
    expect(refused.reason).toBe('integrity_check');
    expect(refused.problems).toContain(whole[0]);
  }, 180_000);

  it('a damaged page of a table: damaged by both checks, and by crm check', async () => {
    const file = copy((f, db) => {
      const at = leafOf(db, 'customers');
      poke(f, at, at.size - 1200, 24);
    });
    const whole = wholeFile(file);
    expect(whole).not.toEqual(['ok']);
    const r = perTable(file);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain(whole[0]);
    expect(crmCheck(file).code).toBe(2);
    expect((await startupRefusal(file)).reason).toBe('integrity_check');
  }, 180_000);

  it('pages that belong to nothing (the freelist cut off): found by the page reconciliation, at start-up too', async () => {
    const file = copy((f, db) => {
      expect(freePages(db)).toBeGreaterThan(50);
      // The header's first freelist page and count set to zero: the free pages are now nobody's.
      const fd = openSync(f, 'r+');
      writeSync(fd, Buffer.alloc(8, 0), 0, 8, 32);
      closeSync(fd);
    });
    const whole = wholeFile(file);
    expect(whole.join('\n')).toMatch(/Page \d+: never used/);
    const r = perTable(file);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/page count mismatch: .*pages that belong to nothing/);
    expect(crmCheck(file).code).toBe(2);
    // Only the per-table check words it so: the start-up check of a small store is that code.
    const refused = await startupRefusal(file);
    expect((refused.problems as string[]).join('\n')).toMatch(/page count mismatch/);
  }, 180_000);

  it('a wrong free-page count in the header: reported as by the whole-file check (its freelist check runs with the schema)', () => {
    const file = copy((f, db) => {
      expect(freePages(db)).toBeGreaterThan(50);
      const fd = openSync(f, 'r+');
      const b = Buffer.alloc(4);
      readSync(fd, b, 0, 4, 36);
      b.writeUInt32BE(b.readUInt32BE(0) - 3);
      writeSync(fd, b, 0, 4, 36);
      closeSync(fd);
    });
    const whole = wholeFile(file);
    expect(whole.join('\n')).toMatch(/Freelist: size is \d+ but should be \d+/);
    const r = perTable(file);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/Freelist: size is \d+ but should be \d+/);
  });

  it('crm check on the intact store: ok, exit 0, percentage lines ending at 100%', () => {
    const cli = crmCheck(copy());
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^store ok: /);
    const pcts = [...cli.err.matchAll(/integrity (\d{1,3})% \(table (\d+) of (\d+)/g)].map((m) => Number(m[1]));
    expect(pcts.length).toBeGreaterThan(3);
    expect(pcts.every((p, i) => i === 0 || p >= pcts[i - 1]!)).toBe(true);
    expect(pcts.at(-1)).toBe(100);
  }, 120_000);
});

/** The index with the most leaf pages (a page in its middle is a page of keys, nothing else). */
function biggestIndex(db: Database): string {
  return db
    .prepare(
      `SELECT d.name FROM dbstat d JOIN sqlite_master m ON m.name = d.name AND m.type = 'index'
       WHERE d.pagetype = 'leaf' GROUP BY d.name ORDER BY count(*) DESC LIMIT 1`,
    )
    .pluck()
    .get() as string;
}
