import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProfile } from '../../../shared/imports';
import { cellText, plainNumber, XlsxReader } from '../../../main/jobs/parse/xlsx';
import { preview } from '../../../main/jobs/parse/source';
import { expectParseError, FIXTURES, readAll, tempDir } from './helpers';

const t = tempDir();
afterAll(() => t.cleanup());
let book = '';

const profile = (over: Partial<ImportProfile> = {}): ImportProfile => ({
  name: 'x',
  kind: 'customers',
  format: 'xlsx',
  encoding: 'auto',
  header: true,
  sheet: '客户',
  columns: [{ field: 'customer_no', source: '客户号' }],
  ...over,
});

beforeAll(async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('说明').addRow(['本表由核心系统导出']);
  const ws = wb.addWorksheet('客户');
  ws.addRow(['客户信息', '导出日期 2024-03-01']); // title row, skipped with skipLines: 1
  ws.addRow(['客户号', '证件号码', '余额', '开户日期', '交易时间', '姓名', '公式', '有效']);
  ws.addRow([
    'C001',
    '110101199001011234',
    1234.56,
    new Date(Date.UTC(2024, 1, 29)),
    new Date(Date.UTC(2024, 1, 29, 13, 5, 9)),
    { richText: [{ text: '张' }, { font: { bold: true }, text: '三𠮷' }] },
    { formula: 'C3*2', result: 2469.12 },
    true,
  ]);
  ws.addRow([
    'C002',
    '11010119900101123X',
    0.1 + 0.2,
    null,
    null,
    '李四',
    { formula: 'TODAY()', result: 45351 },
    false,
  ]);
  ws.getCell('G4').numFmt = 'yyyy-mm-dd';
  ws.addRow([]);
  // An ID number typed into Excel as a number: stored as a double, its last digits lost (read back as ...1000).
  // biome-ignore lint/correctness/noPrecisionLoss: the lost digits are what the test is about
  ws.addRow(['C003', 110101199001011234, 1e21, 1e-7, -5]);
  book = path.join(t.dir, 'book.xlsx');
  await wb.xlsx.writeFile(book);
  const empty = new ExcelJS.Workbook();
  empty.addWorksheet('空');
  await empty.xlsx.writeFile(path.join(t.dir, 'empty.xlsx'));
});

describe('xlsx', () => {
  it('reads cells as the text Excel shows: 18-digit text IDs exact, dates, numbers without exponent, rich text, formulas', async () => {
    const { header, records } = await readAll(book, profile({ skipLines: 1 }));
    expect(header).toEqual(['客户号', '证件号码', '余额', '开户日期', '交易时间', '姓名', '公式', '有效']);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [3, ['C001', '110101199001011234', '1234.56', '2024-02-29', '2024-02-29 13:05:09', '张三𠮷', '2469.12', 'TRUE']],
      [4, ['C002', '11010119900101123X', '0.3', '', '', '李四', '2024-02-29', 'FALSE']],
      // a numeric 18-digit ID already lost its last digits in Excel: shown as Excel shows it
      [6, ['C003', '110101199001011000', '1000000000000000000000', '0.0000001', '-5']],
    ]);
    expect(records[0]!.raw.split('\t')[5]).toBe('张三𠮷');
  });

  it('selects the sheet by name (trimmed, case-insensitive) or 1-based index; missing sheet lists the names', async () => {
    expect((await readAll(book, profile({ sheet: 2, skipLines: 1 }))).records).toHaveLength(3);
    expect((await readAll(book, profile({ sheet: ' 客户 ', skipLines: 1 }))).records).toHaveLength(3);
    const e = await expectParseError(readAll(book, profile({ sheet: '贷款' })), 'IMPORT_SHEET_NOT_FOUND');
    expect(e.details).toEqual({ sheet: '贷款', available: ['说明', '客户'] });
    await expectParseError(readAll(book, profile({ sheet: 3 })), 'IMPORT_SHEET_NOT_FOUND');
  });

  it('not a zip / a broken zip -> IMPORT_NOT_XLSX; an empty sheet or a header-only sheet -> IMPORT_EMPTY_FILE', async () => {
    const csv = t.file('fake.xlsx', '客户号,姓名\nC1,张三\n');
    await expectParseError(readAll(csv, profile()), 'IMPORT_NOT_XLSX');
    const broken = t.file('broken.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(200, 7)]));
    await expectParseError(readAll(broken, profile()), 'IMPORT_NOT_XLSX');
    await expectParseError(readAll(path.join(t.dir, 'empty.xlsx'), profile({ sheet: 1 })), 'IMPORT_EMPTY_FILE');
    await expectParseError(readAll(book, profile({ sheet: '说明' })), 'IMPORT_EMPTY_FILE');
    await expectParseError(readAll(path.join(t.dir, 'missing.xlsx'), profile()), 'IMPORT_READ_FAILED');
  });

  it('reads exceljs-written workbooks reliably (exceljs #3064: the streaming reader loses xl/workbook.xml)', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await XlsxReader.open(book, { sheet: 2, header: true, skipLines: 1 });
      const b = await r.nextBatch();
      await r.close();
      expect(b?.[0]?.fields[0]).toBe('C001');
    }
  });

  it('preview stops early and closes the file', async () => {
    const p = await preview(book, profile({ skipLines: 1 }), 1);
    expect(p.records.map((r) => r.fields[0])).toEqual(['C001']);
    expect(p.sheet).toEqual({ name: '客户', available: ['说明', '客户'] });
  });

  it('committed fixture: a workbook with a title row, text IDs and dates', async () => {
    const { records } = await readAll(path.join(FIXTURES, 'customers.xlsx'), profile({ sheet: 1, skipLines: 1 }));
    expect(records[0]!.fields.slice(0, 4)).toEqual(['C0000000001', '110101199001011234', '𠮷野家', '2024-02-29']);
  });

  it('number and cell text helpers', () => {
    expect(plainNumber(123456789012345)).toBe('123456789012345');
    expect(plainNumber(-0.000012345)).toBe('-0.000012345');
    // biome-ignore lint/correctness/noPrecisionLoss: a double just off 1234.56, as arithmetic leaves it, on purpose
    expect(plainNumber(1234.5600000000001)).toBe('1234.56');
    expect(cellText({ error: '#N/A' })).toBe('#N/A');
    expect(cellText({ formula: 'A1', result: { error: '#DIV/0!' } })).toBe('#DIV/0!');
    expect(cellText({ text: 'link', hyperlink: 'http://x' })).toBe('link');
  });
});
