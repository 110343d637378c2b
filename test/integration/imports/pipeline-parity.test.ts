/**
 * The import pipeline (issue 18.4: read and convert on a second thread while the job's thread writes)
 * and the single-thread path load the same files into twin stores with identical results: the stores'
 * contents, the job's outcome and counts, its rejects (ledger rows and the rejects file, byte for byte).
 * Files: GB18030 with a character only GB18030 has, quoted fields holding newlines and delimiters,
 * bad rows of every kind (conversion, row checks, unknown references, a reference and a later fault in
 * one row, wrong field counts), keys repeated in the file, into a book that has customers and into an
 * empty one (the bulk path); a cancel mid-way and a file error at the end leave both stores unchanged;
 * a fixed-width file with a short line and a character cut by the layout. A CIF file of more distinct
 * customer numbers than a column's dictionary takes (repeated values cross the threads as indexes).
 */
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readColumnsState } from '../../../db/customer-columns-cache';
import { openStore } from '../../../db/open';
import { DICTIONARY_MAX } from '../../../main/jobs/engine/parse-thread';
import { PIPELINE_MIN_BYTES, pipelineFor } from '../../../main/jobs/engine/pipeline';
import { runImport, type JobOutcome, type RunOptions } from '../../../main/jobs/engine/run';
import { BUILTIN } from '../../../main/jobs/profiles/builtin';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import type { ImportProfile } from '../../../shared/imports';
import { residentIdCheckChar } from '../../../shared/id-numbers';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { CIF_HEADER, CIF_PROFILE, storeDigest, tempDir, writeText } from './helpers';

let dir: string;
/** Twin stores per book: [single-thread, pipeline]. */
const books: Record<'held' | 'empty', [Database, Database]> = {} as never;
const NOW = () => new Date('2026-03-02T08:00:00.000Z');

beforeAll(async () => {
  dir = tempDir('crm-pipeline-test-');
  const demo = await makeDemoStore({ customers: 200, seed: 18 });
  demo.db.pragma('wal_checkpoint(TRUNCATE)');
  // An organisation-only store (branches and staff, no customers): a CIF load into it is a fresh load.
  await writeExtracts(demo.db, path.join(dir, 'org'), { kinds: ['branches', 'staff'] });
  await writeExtracts(demo.db, path.join(dir, 'more'), { kinds: ['accounts', 'transactions'] });
  demo.close();
  const org = (await openStore(path.join(dir, 'org.db'))).db;
  for (const k of ['branches', 'staff'] as const) {
    const b = BUILTIN.find((x) => x.profile.kind === k)!;
    const o = await runImport(org, {
      file: path.join(dir, 'org', b.file),
      profile: b.profile,
      tolerance: 0,
      rejectsDir: path.join(dir, 'org-rejects'),
    });
    expect(o.status).toBe('committed');
  }
  org.pragma('wal_checkpoint(TRUNCATE)');
  org.close();
  for (const [book, from] of [
    ['held', demo.file],
    ['empty', path.join(dir, 'org.db')],
  ] as const) {
    const pair: Database[] = [];
    for (const side of ['single', 'pipeline']) {
      const file = path.join(dir, `${book}-${side}.db`);
      copyFileSync(from, file);
      pair.push((await openStore(file)).db);
    }
    books[book] = pair as [Database, Database];
  }
}, 180_000);

afterAll(() => {
  for (const pair of Object.values(books)) for (const db of pair) db.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

function id18(seq: number, good = true): string {
  const body = `110108${19500101 + (seq % 28)}${String(seq % 1000).padStart(3, '0')}`;
  const c = residentIdCheckChar(body);
  return body + (good ? c : c === '0' ? '1' : '0');
}

const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * A CIF file of `n` rows (several batches of 2000), every kind of fault sprinkled by line number.
 * `prefix` keeps keys apart between files.
 */
function cifFile(name: string, n: number, prefix: string, tail = ''): string {
  const lines: string[] = [CIF_HEADER];
  for (let i = 0; i < n; i++) {
    const key = `${prefix}${String(i % 4999 === 4998 ? 7 : i).padStart(6, '0')}`; // a few keys repeated
    let nameV = i % 7 === 0 ? `𠮷祥${i}` : `王喆${i}`;
    let id = id18(i);
    let mobile = `138${String(i).padStart(8, '0')}`;
    let address = i % 5 === 0 ? `上海市,浦东\n新区 "${i}" 号` : `北京市${i}`;
    let branch = i % 3 === 0 ? '310101' : '310102';
    let opened = '20240131';
    let manager = '';
    let extra = false;
    let short = false;
    switch (i % 97) {
      case 11:
        id = id18(i, false); // check character: a row check
        break;
      case 23:
        mobile = '12345'; // a row check
        break;
      case 31:
        opened = '20240230'; // conversion
        break;
      case 37:
        branch = '999999'; // unknown reference
        break;
      case 41:
        branch = ' 999998 '; // unknown reference, raw text differs from the key
        opened = '2023-02-29'; // and a later conversion fault: the reference is named
        break;
      case 43:
        branch = '999997';
        id = id18(i, false); // unknown reference and a failing row check: the reference is named
        break;
      case 47:
        extra = true;
        break;
      case 53:
        short = true;
        break;
      case 59:
        nameV = ''; // required
        break;
      case 61:
        manager = 'NOBODY'; // unknown staff
        break;
      case 67:
        address = `${'长'.repeat(300)}`; // too long
        break;
    }
    const cells = [key, '个人', nameV, '身份证', id, mobile, address, branch, opened, manager].map(cell);
    if (extra) cells.push('12.00');
    if (short) cells.pop();
    lines.push(cells.join(','));
  }
  return writeText(dir, name, `${lines.join('\r\n')}\r\n${tail}`, 'gb18030');
}

interface Result {
  outcome: JobOutcome;
  rejectsRows: unknown[];
  rejectsFile: string | null;
  digest: ReturnType<typeof storeDigest>;
}

async function load(
  db: Database,
  side: 'single' | 'pipeline',
  file: string,
  profile: ImportProfile,
  extra: Partial<RunOptions> = {},
): Promise<Result> {
  const outcome = await runImport(db, {
    file,
    profile,
    tolerance: 100_000,
    allowDuplicate: true,
    rejectsDir: path.join(dir, `rejects-${side}`),
    now: NOW,
    pipeline: side === 'pipeline',
    ...extra,
  });
  const rejectsRows = db
    .prepare('SELECT seq, line, col, field, value, reason, raw FROM import_rejects WHERE job_id = ? ORDER BY seq')
    .all(outcome.jobId);
  const f = outcome.rejects?.file ?? null;
  return {
    outcome,
    rejectsRows,
    rejectsFile: f && existsSync(f) ? readFileSync(f).toString('base64') : null,
    digest: storeDigest(db),
  };
}

/** Both paths on the twin stores of `book`; returns the two results after comparing them. */
async function both(
  book: 'held' | 'empty',
  file: string,
  profile: ImportProfile,
  extra: (side: 'single' | 'pipeline') => Partial<RunOptions> = () => ({}),
): Promise<[Result, Result]> {
  const [a, b] = books[book];
  const single = await load(a, 'single', file, profile, extra('single'));
  const piped = await load(b, 'pipeline', file, profile, extra('pipeline'));
  const strip = (o: JobOutcome) => ({
    ...o,
    seconds: 0,
    timings: undefined,
    rejects: o.rejects ? { ...o.rejects, file: path.basename(o.rejects.file) } : null,
  });
  expect(strip(piped.outcome)).toEqual(strip(single.outcome));
  expect(piped.rejectsRows).toEqual(single.rejectsRows);
  expect(piped.rejectsFile).toEqual(single.rejectsFile);
  expect(piped.digest).toEqual(single.digest);
  return [single, piped];
}

const reasons = (r: Result) => new Set((r.rejectsRows as { reason: string }[]).map((x) => x.reason));

describe('import pipeline: same results as one thread', () => {
  it('a CIF file with every kind of bad row, into a book with customers and into an empty one', async () => {
    const file = cifFile('mixed.csv', 6500, '77');
    // The grid's columns clean before the load: a fresh load (which suspends the columns' insert
    // trigger while it writes) must still leave the book marked changed, and the trigger in place.
    for (const db of books.empty) db.prepare('UPDATE grid_columns_state SET dirty = 0 WHERE id = 1').run();
    for (const book of ['held', 'empty'] as const) {
      const [single, piped] = await both(book, file, CIF_PROFILE);
      expect(single.outcome.status).toBe('committed');
      // The pipeline really ran on its own thread, and the file really had every fault.
      expect(piped.outcome.timings?.parseBusy).toBeGreaterThan(0);
      expect(single.outcome.timings?.parseBusy).toBeUndefined();
      for (const r of [
        'bad_id_no',
        'bad_mobile',
        'bad_date',
        'unknown_branch',
        'unknown_staff',
        'field_count',
        'required',
        'too_long',
        'duplicate_key',
      ])
        expect([r, reasons(piped).has(r)]).toEqual([r, true]);
      // A row with an unknown branch and a later bad date (or failing row check) names the branch.
      const rows = piped.rejectsRows as { reason: string; value: string | null }[];
      expect(rows.filter((x) => x.value === ' 999998 ').length).toBeGreaterThan(10);
      expect(rows.filter((x) => x.value === '999997').length).toBeGreaterThan(10);
      expect(
        rows.filter((x) => x.value === ' 999998 ' || x.value === '999997').every((x) => x.reason === 'unknown_branch'),
      ).toBe(true);
      expect(rows.some((x) => x.value === '2023-02-29')).toBe(false);
      expect(single.outcome.rowsInserted).toBeGreaterThan(5000);
      // More distinct customer numbers than a column's dictionary takes: the pipeline sent them as
      // indexes, then as strings once past the cap (parse-thread.ts), and the stores are still twins.
      expect(single.outcome.rowsInserted).toBeGreaterThan(DICTIONARY_MAX);
    }
    for (const db of books.empty) {
      expect(readColumnsState(db)?.dirty).toBe(true);
      // The trigger is back: an insert into a clean book marks it changed.
      db.prepare('UPDATE grid_columns_state SET dirty = 0 WHERE id = 1').run();
      db.exec('SAVEPOINT probe');
      db.prepare(
        `INSERT INTO customers (customer_no, kind, name, id_type, branch_id, opened_on)
           VALUES ('PROBE-1', 'individual', '试', 'resident_id', (SELECT MIN(id) FROM branches), '2026-03-02')`,
      ).run();
      expect(readColumnsState(db)?.dirty).toBe(true);
      db.exec('ROLLBACK TO probe');
      db.exec('RELEASE probe');
    }
  }, 180_000);

  it('the same file again: every row compared, unchanged, duplicates still found', async () => {
    const file = path.join(dir, 'mixed.csv');
    const [single] = await both('empty', file, CIF_PROFILE);
    expect(single.outcome.rowsUnchanged).toBeGreaterThan(5000);
    expect(reasons(single).has('duplicate_key')).toBe(true);
  }, 180_000);

  it('cancelled mid-way: both stores exactly as before', async () => {
    const file = cifFile('cancel.csv', 9000, '66');
    const before = storeDigest(books.held[0]);
    const [single] = await both('held', file, CIF_PROFILE, () => {
      let batches = 0;
      let stop = false;
      return {
        afterBatch: () => {
          batches++;
          if (batches >= 2) stop = true;
        },
        cancelled: () => stop,
      };
    });
    expect(single.outcome.status).toBe('cancelled');
    expect(single.outcome.rowsRead).toBe(4000);
    expect(single.digest).toEqual(before);
  }, 180_000);

  it('a file error at the last line (an unclosed quote): failed, both stores unchanged', async () => {
    const file = cifFile('broken.csv', 4500, '55', '55999999,个人,"没有结束的引号,身份证\r\n');
    const before = storeDigest(books.empty[0]);
    const [single] = await both('empty', file, CIF_PROFILE);
    expect(single.outcome.status).toBe('failed');
    expect(single.outcome.error?.code).toBe('IMPORT_UNCLOSED_QUOTE');
    expect(single.outcome.rowsRead).toBeGreaterThanOrEqual(4000);
    expect(single.digest).toEqual(before);
  }, 180_000);

  it('too many rejects found only at the end: failed, both stores unchanged, same first rejects named', async () => {
    const file = cifFile('tolerance.csv', 3000, '44');
    const before = storeDigest(books.held[0]);
    const [single] = await both('held', file, CIF_PROFILE, () => ({ tolerance: 5 }));
    expect(single.outcome.status).toBe('failed');
    expect(single.outcome.error?.code).toBe('IMPORT_TOO_MANY_REJECTS');
    expect(single.digest).toEqual(before);
  }, 180_000);

  it('a fixed-width GB18030 file: short lines and characters cut by the layout rejected alike', async () => {
    const profile: ImportProfile = {
      name: 'cif-fixed-test',
      kind: 'customers',
      format: 'fixed',
      encoding: 'gb18030',
      header: false,
      columns: [
        { field: 'customer_no', start: 1, width: 10 },
        { field: 'kind', constant: 'individual' },
        { field: 'name', start: 11, width: 12 },
        { field: 'id_type', constant: 'resident_id' },
        { field: 'id_no', start: 23, width: 18 },
        { field: 'branch_code', start: 41, width: 6 },
        { field: 'opened_on', start: 47, width: 8 },
      ],
    };
    const gbWidth = (s: string) => iconv.encode(s, 'gb18030').length;
    const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - gbWidth(s)));
    const lines: string[] = [];
    for (let i = 0; i < 4200; i++) {
      const key = `F${String(i % 2100 === 2099 ? 3 : i).padStart(9, '0')}`;
      let nm = pad(i % 9 === 0 ? `𠮷${i}` : `李${i}`, 12);
      if (i % 89 === 7) nm = `${'李'.repeat(5)}x李`; // 12 bytes with the last character cut at byte 12
      const branch = i % 71 === 5 ? '999999' : '310101';
      const date = i % 83 === 9 ? '20240230' : '20240131';
      let line = `${key}${nm}${i % 101 === 3 ? id18(i, false) : id18(i)}${branch}${date}`;
      if (i % 79 === 4) line = line.slice(0, 30); // short line
      lines.push(line);
    }
    const file = writeText(dir, 'cif.dat', `${lines.join('\n')}\n`, 'gb18030');
    const [single, piped] = await both('held', file, profile);
    expect(single.outcome.status).toBe('committed');
    expect(piped.outcome.timings?.parseBusy).toBeGreaterThan(0);
    for (const r of ['field_count', 'bad_encoding', 'unknown_branch', 'bad_date', 'bad_id_no', 'duplicate_key'])
      expect([r, reasons(piped).has(r)]).toEqual([r, true]);
  }, 180_000);

  it('which jobs read on a second thread: big delimited and fixed-width files, not previews, not xlsx', () => {
    const big = PIPELINE_MIN_BYTES;
    const xlsx: ImportProfile = { ...CIF_PROFILE, format: 'xlsx' };
    const saved = process.env.CRM_IMPORT_THREADS;
    try {
      delete process.env.CRM_IMPORT_THREADS;
      // ...on a machine with a second core that is free.
      expect(pipelineFor(CIF_PROFILE, big, { dryRun: false })).toBe(
        os.availableParallelism() >= 2 && (os.loadavg()[0] ?? 0) <= os.availableParallelism() - 1,
      );
      expect(pipelineFor(CIF_PROFILE, big - 1, { dryRun: false })).toBe(false); // small: one thread
      expect(pipelineFor(CIF_PROFILE, big, { dryRun: true })).toBe(false); // a preview
      expect(pipelineFor(xlsx, big, { dryRun: false })).toBe(false);
      expect(pipelineFor(xlsx, big, { dryRun: false, pipeline: true })).toBe(false);
      expect(pipelineFor(CIF_PROFILE, big, { dryRun: false, pipeline: false })).toBe(false);
      expect(pipelineFor(CIF_PROFILE, 10, { dryRun: false, pipeline: true })).toBe(true);
      process.env.CRM_IMPORT_THREADS = '1';
      expect(pipelineFor(CIF_PROFILE, big, { dryRun: false })).toBe(false);
      process.env.CRM_IMPORT_THREADS = '2';
      expect(pipelineFor(CIF_PROFILE, big, { dryRun: false })).toBe(true);
      expect(pipelineFor(CIF_PROFILE, big, { dryRun: true })).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.CRM_IMPORT_THREADS;
      else process.env.CRM_IMPORT_THREADS = saved;
    }
  });

  it('accounts and the fixed-width journal (account references, the owner each transaction carries) alike', async () => {
    const accounts = BUILTIN.find((b) => b.profile.kind === 'accounts')!;
    const journal = BUILTIN.find((b) => b.profile.kind === 'transactions')!;
    // The journal with every 40th transaction's account unknown and every 57th line cut short.
    const col = journal.profile.columns.find((c) => c.field === 'account_no')!;
    const lines = readFileSync(path.join(dir, 'more', journal.file))
      .toString('latin1')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l, i) => {
        if (i % 57 === 13) return l.slice(0, 20);
        if (i % 40 !== 7) return l;
        const a = col.start! - 1;
        return l.slice(0, a) + '9'.repeat(col.width!) + l.slice(a + col.width!);
      });
    expect(lines.length).toBeGreaterThan(3000);
    const file = path.join(dir, 'journal.dat');
    writeFileSync(file, Buffer.from(`${lines.join('\n')}\n`, 'latin1'));
    const [acc] = await both('held', path.join(dir, 'more', accounts.file), accounts.profile);
    expect(acc.outcome.status).toBe('committed');
    const [single, piped] = await both('held', file, journal.profile);
    expect(single.outcome.status).toBe('committed');
    expect(piped.outcome.timings?.parseBusy).toBeGreaterThan(0);
    expect(reasons(single).has('unknown_account')).toBe(true);
    expect(reasons(single).has('field_count')).toBe(true);
  }, 180_000);
});
