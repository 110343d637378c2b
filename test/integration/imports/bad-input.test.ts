import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runImport, type RunOptions } from '../../../main/jobs/engine/run';
import { BUILTIN } from '../../../main/jobs/profiles/builtin';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { ACCOUNTS_HEADER, ACCOUNTS_PROFILE, CIF_HEADER, CIF_PROFILE, storeDigest, tempDir, writeText } from './helpers';

/**
 * Bad input through the whole engine, against a real store: each case fails (or rejects rows) with
 * a code, the file, and the line and column where they apply, and the store is left exactly as it was.
 */
let store: DemoStore;
let dir: string;
let before: ReturnType<typeof storeDigest>;
let n = 0;

const opts = (file: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  file,
  profile: CIF_PROFILE,
  tolerance: 0,
  rejectsDir: path.join(dir, 'rejects'),
  ...extra,
});
const good = (no: string, name = '测试') => `${no},个人,${name},身份证,,13800138000,上海市浦东新区1号,310101,20240105,`;

beforeAll(async () => {
  store = await makeDemoStore({ customers: 200, seed: 21 });
  dir = tempDir();
});
beforeEach(() => {
  before = storeDigest(store.db);
});
afterAll(() => {
  store.close();
  removeTempDirs();
});

async function fails(file: string, code: string, extra: Partial<RunOptions> = {}) {
  const out = await runImport(store.db, opts(file, extra));
  expect(out.status).toBe('failed');
  expect(out.error?.code).toBe(code);
  expect(out.error?.details.file).toBe(path.basename(file));
  expect(storeDigest(store.db)).toEqual(before);
  return out.error!.details;
}

describe('bad input: the job fails, says where, and the store is unchanged', () => {
  it('a UTF-8 file forced to be read as GBK', async () => {
    // A UTF-8 byte sequence that is not valid GBK (a lone 0x80 trail sequence).
    const file = writeText(dir, `enc-${++n}.csv`, `${CIF_HEADER}\n${good('9960000001', '€𠮷')}\n`, 'utf-8');
    const d = await fails(file, 'IMPORT_ENCODING', { encoding: 'gbk' });
    expect(d.line).toBe(1); // the UTF-8 header is already not GBK
  });

  it('an empty file and a header-only file', async () => {
    await fails(writeText(dir, `empty-${++n}.csv`, ''), 'IMPORT_EMPTY_FILE');
    await fails(writeText(dir, `hdr-${++n}.csv`, `${CIF_HEADER}\r\n`), 'IMPORT_EMPTY_FILE');
  });

  it('a header that does not match the profile lists the missing columns', async () => {
    const d = await fails(
      writeText(dir, `hm-${++n}.csv`, `${ACCOUNTS_HEADER}\n1|2|3|4|5|6|7\n`),
      'IMPORT_HEADER_MISMATCH',
    );
    expect(d.missing).toEqual(expect.arrayContaining(['客户号', '客户名称']));
  });

  it('an unclosed quote at the end of a truncated file names the line and column', async () => {
    const d = await fails(
      writeText(dir, `tr-${++n}.csv`, `${CIF_HEADER}\n${good('9960000002')}\n9960000003,个人,"张三,身份`),
      'IMPORT_UNCLOSED_QUOTE',
    );
    expect(d).toMatchObject({ line: 3, column: 15 }); // the opening quote
  });

  it('a line with no newline longer than the record limit (a 2 GB line is refused the same way, early)', async () => {
    const long = 'x'.repeat(1_200_000);
    const d = await fails(
      writeText(dir, `long-${++n}.csv`, `${CIF_HEADER}\n${good('9960000004')}\n9960000005,个人,${long}`),
      'IMPORT_LINE_TOO_LONG',
    );
    expect(d.line).toBe(3);
  });

  it('an .xlsx that is not a zip', async () => {
    const wealth = BUILTIN.find((b) => b.profile.kind === 'wealth_holdings')!.profile;
    const file = path.join(dir, `not-zip-${++n}.xlsx`);
    writeFileSync(file, 'this is not a workbook');
    await fails(file, 'IMPORT_NOT_XLSX', { profile: wealth });
  });

  it('an .xlsx without the sheet the profile names', async () => {
    const wealth = { ...BUILTIN.find((b) => b.profile.kind === 'wealth_holdings')!.profile, sheet: '持仓' };
    const file = path.join(dir, `sheet-${++n}.xlsx`);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('别的表').addRow(['a']);
    await wb.xlsx.writeFile(file);
    await fails(file, 'IMPORT_SHEET_NOT_FOUND', { profile: wealth });
  });

  it('a file that is truncated while the job reads it', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => good(`995${String(i).padStart(7, '0')}`));
    const file = writeText(dir, `vanish-${++n}.csv`, `${CIF_HEADER}\n${rows.join('\n')}\n`);
    let cut = false;
    const d = await fails(file, 'IMPORT_READ_FAILED', {
      afterBatch: () => {
        if (!cut) truncateSync(file, 1000);
        cut = true;
      },
    });
    expect(d).toBeDefined();
  });

  it('a full disk mid-job rolls back (SQLite page limit reached)', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => good(`994${String(i).padStart(7, '0')}`, `名字${i}`));
    const file = writeText(dir, `full-${++n}.csv`, `${CIF_HEADER}\n${rows.join('\n')}\n`);
    const pages = Number(store.db.pragma('page_count', { simple: true }));
    store.db.pragma(`max_page_count = ${pages + 50}`);
    try {
      await fails(file, 'IMPORT_DISK_FULL');
    } finally {
      store.db.pragma('max_page_count = 4294967294');
    }
  });
});

describe('bad rows: rejected with line, column, value and reason', () => {
  it('too many fields, letters in an amount, a grouped amount that is wrong, and a name with 𠮷 that survives', async () => {
    const acct = store.db
      .prepare(
        `SELECT c.customer_no AS c FROM customers c WHERE c.branch_id = (SELECT id FROM branches WHERE code = '310101') LIMIT 1`,
      )
      .get() as { c: string } | undefined;
    const owner =
      acct?.c ?? (store.db.prepare('SELECT customer_no AS c FROM customers LIMIT 1').get() as { c: string }).c;
    const lines = [
      ACCOUNTS_HEADER,
      `6290000000000000001|${owner}|DP0001|310101|demand|20240105|12a.00`,
      `6290000000000000002|${owner}|DP0001|310101|demand|20240105|1,2,3`,
      `6290000000000000003|${owner}|DP0001|310101|demand|20240105|5.00|extra`,
      `6290000000000000004|${owner}|DP0001|310101|demand|20240105|1,234.56`,
    ];
    const file = writeText(dir, `rows-${++n}.txt`, lines.join('\n'), 'gb18030');
    const out = await runImport(store.db, {
      file,
      profile: ACCOUNTS_PROFILE,
      tolerance: 10,
      rejectsDir: path.join(dir, 'rejects'),
    });
    expect(out.status).toBe('committed');
    const rejects = store.db
      .prepare('SELECT line, col, field, value, reason FROM import_rejects WHERE job_id = ? ORDER BY seq')
      .all(out.jobId);
    expect(rejects).toEqual([
      { line: 2, col: lines[1]!.lastIndexOf('|') + 2, field: 'balance', value: '12a.00', reason: 'bad_amount' },
      { line: 3, col: lines[2]!.lastIndexOf('|') + 2, field: 'balance', value: '1,2,3', reason: 'bad_amount' },
      { line: 4, col: null, field: null, value: '8', reason: 'field_count' },
    ]);
    expect(
      store.db.prepare('SELECT balance_fen FROM accounts WHERE account_no = ?').get('6290000000000000004'),
    ).toEqual({ balance_fen: 123456 });

    const cif = writeText(dir, `jiong-${++n}.csv`, `${CIF_HEADER}\n${good('9960000099', '𠮷𠮷')}\n`, 'gb18030');
    const c = await runImport(store.db, opts(cif));
    expect(c.status).toBe('committed');
    expect(store.db.prepare('SELECT name FROM customers WHERE customer_no = ?').get('9960000099')).toEqual({
      name: '𠮷𠮷',
    });
    expect(iconv.encode('𠮷', 'gb18030').length).toBe(4); // GB18030-only: GBK cannot encode it
  });
});
