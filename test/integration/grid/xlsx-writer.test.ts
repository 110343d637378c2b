import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { columnLetters, dateSerial, sheetName, xmlText, XlsxStreamWriter } from '../../../main/exports/xlsx';

/**
 * The export's own .xlsx writer (main/exports/xlsx.ts) read back by openpyxl, an independent reader:
 * text that XML must escape or cannot hold, leading spaces, line breaks, characters outside the BMP,
 * empty cells, numbers, dates, several sheets, frozen header and autofilter.
 */
const PYTHON = process.env.CRM_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const READER = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = []
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows(values_only=False):
        rows.append([({"date": c.value.strftime("%Y-%m-%d")} if isinstance(c.value, datetime.datetime) else c.value, c.number_format) for c in row])
    out.append({"title": ws.title, "frozen": ws.freeze_panes, "autofilter": ws.auto_filter.ref, "rows": rows})
print(json.dumps(out, ensure_ascii=False))
`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('streaming xlsx writer', () => {
  it('helpers: column letters, date serials, XML text, sheet names', () => {
    expect([0, 25, 26, 51, 52, 701, 702].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
    expect(dateSerial('1900-03-01')).toBe(61);
    expect(dateSerial('2026-10-31')).toBe(46326);
    expect(dateSerial('2026-10-31 12:00:00')).toBe(46326);
    expect(dateSerial('20261031')).toBeNull();
    expect(dateSerial(null)).toBeNull();
    expect(xmlText('a<b>&"c"\u0001\u0008d')).toBe('a&lt;b&gt;&amp;&quot;c&quot;d');
    expect(xmlText('王小明 𠮷')).toBe('王小明 𠮷');
    expect(sheetName('a/b:c*?[x]', new Set())).toBe('a b c   x');
    expect(sheetName('客户清单', new Set(['客户清单']))).toBe('客户清单 (2)');
    expect(sheetName('x'.repeat(40), new Set()).length).toBe(31);
  });

  it('writes what openpyxl reads back exactly, over several sheets', async () => {
    const file = path.join(dir, 'edge.xlsx');
    const w = new XlsxStreamWriter(file, [
      { header: '客户号', type: 'text', width: 14 },
      { header: '名称 <&>', type: 'general' },
      { header: 'AUM', type: 'money', width: 18 },
      { header: '开户日', type: 'date' },
      { header: 'n', type: 'number' },
    ]);
    const rows: unknown[][] = [
      ['000000000000000123', '𠮷野家 & <b>', 1234567.89, '2026-10-31', 42],
      ['110101199001011234', '  leading and trailing  ', -0.5, null, null],
      ['A"B', 'line1\nline2', 0, '2000-02-29', 1e15],
      ['', 'bell\u0007gone', null, 'not a date', 'x'],
    ];
    await w.addSheet('客户清单');
    for (const r of rows.slice(0, 2)) await w.writeRow(r);
    await w.addSheet('客户清单');
    for (const r of rows.slice(2)) await w.writeRow(r);
    await w.finish();
    const out = JSON.parse(execFileSync(PYTHON, ['-c', READER, file], { encoding: 'utf8' })) as {
      title: string;
      frozen: string;
      autofilter: string;
      rows: [unknown, string][][];
    }[];
    expect(out.map((s) => [s.title, s.frozen, s.autofilter])).toEqual([
      ['客户清单', 'A2', 'A1:E1'],
      ['客户清单 (2)', 'A2', 'A1:E1'],
    ]);
    const values = out.map((s) => s.rows.map((r) => r.map((c) => c[0])));
    expect(values[0]).toEqual([
      ['客户号', '名称 <&>', 'AUM', '开户日', 'n'],
      ['000000000000000123', '𠮷野家 & <b>', 1234567.89, { date: '2026-10-31' }, 42],
      ['110101199001011234', '  leading and trailing  ', -0.5, null, null],
    ]);
    expect(values[1]).toEqual([
      ['客户号', '名称 <&>', 'AUM', '开户日', 'n'],
      ['A"B', 'line1\nline2', 0, { date: '2000-02-29' }, 1e15],
      [null, 'bellgone', null, 'not a date', 'x'],
    ]);
    const formats = out[0]!.rows[1]!.map((c) => c[1]);
    expect(formats).toEqual(['@', 'General', '#,##0.00', 'yyyy-mm-dd', 'General']);
  });
});
