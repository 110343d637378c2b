/**
 * Small tables users bring back by hand (.xlsx or .csv): a campaign's customer numbers from head
 * office, the results of offline calls. Read whole (a few MB at most), first sheet, first row the
 * header. CSV: UTF-8 (with or without BOM) or GB18030/GBK, as Excel on a Chinese Windows saves it.
 * Each row keeps the line number the user sees in Excel or a text editor, for error messages.
 */
import ExcelJS from 'exceljs';
import { AppError } from '../../shared/errors';
import { decoderFor, detectEncoding } from '../jobs/parse/encoding';

export interface TableRow {
  line: number;
  cells: string[];
}
export interface Table {
  header: string[];
  rows: TableRow[];
}

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

function cellText(v: ExcelJS.CellValue): string {
  if (v == null) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return v.result == null ? '' : String(v.result);
    return '';
  }
  return String(v);
}

/** RFC 4180 CSV with the line on which each record starts. */
export function parseCsv(text: string): TableRow[] {
  const out: TableRow[] = [];
  let cells: string[] = [];
  let cur = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"'; // an escaped quote inside a quoted field
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === '\n') line++;
        cur += ch;
      }
      continue;
    }
    if (ch === '\r') continue;
    if (ch === '\n') {
      cells.push(cur);
      if (any || cur !== '') out.push({ line: start, cells });
      cells = [];
      cur = '';
      any = false;
      line++;
      start = line;
      continue;
    }
    any = true;
    if (ch === '"' && cur === '') quoted = true;
    else if (ch === ',') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted)
    throw new AppError('CAMPAIGN_IMPORT_INVALID', { errors: [{ line: start, column: null, reason: 'unclosedQuote' }] });
  if (any || cur !== '') {
    cells.push(cur);
    out.push({ line: start, cells });
  }
  return out;
}

export async function readTable(fileName: string, base64: string): Promise<Table> {
  const buf = Buffer.from(base64, 'base64');
  const fail = (reason: string) =>
    new AppError('CAMPAIGN_IMPORT_INVALID', { file: fileName, errors: [{ line: null, column: null, reason }] });
  if (buf.length === 0) throw fail('empty');
  if (buf.length > MAX_UPLOAD_BYTES) throw fail('tooLarge');
  let rows: TableRow[];
  if (/\.xlsx$/i.test(fileName)) {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
    } catch {
      throw fail('notXlsx');
    }
    const ws = wb.worksheets[0];
    if (!ws) throw fail('empty');
    rows = [];
    ws.eachRow({ includeEmpty: false }, (row, n) => {
      const cells: string[] = [];
      for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value).trim());
      if (cells.some((x) => x !== '')) rows.push({ line: n, cells });
    });
  } else {
    const det = detectEncoding(buf, { final: true });
    let text: string;
    try {
      text = decoderFor(det.encoding).decode(buf);
    } catch {
      throw fail('encoding');
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      rows = parseCsv(text).map((r) => ({ line: r.line, cells: r.cells.map((c) => c.trim()) }));
    } catch (e) {
      if (e instanceof AppError) throw new AppError(e.code, { file: fileName, ...e.details });
      throw e;
    }
    rows = rows.filter((r) => r.cells.some((x) => x !== ''));
  }
  const [head, ...body] = rows;
  if (!head) throw fail('empty');
  return { header: head.cells, rows: body };
}

/** The index of the first header cell matching one of the names (case and spaces ignored), or -1. */
export function findColumn(header: readonly string[], names: readonly string[]): number {
  const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  const want = names.map(norm);
  return header.findIndex((h) => want.includes(norm(h)));
}
