/**
 * Streaming .xlsx rows through exceljs's WorkbookReader (never the whole workbook in memory: rows
 * are parsed from the zip entry as they arrive; shared strings are cached, as Excel needs them).
 *
 * Cells become the text a user sees in Excel, so the import's converters work on one kind of input:
 *   text cells as they are (an 18-digit ID typed as text stays exact);
 *   numbers without exponent: safe integers exactly, other numbers at Excel's 15 significant digits
 *     (0.1+0.2 stored as 0.30000000000000004 reads "0.3", 1e21 reads "1000000000000000000000");
 *   dates 'YYYY-MM-DD', or 'YYYY-MM-DD HH:mm:ss' when there is a time of day;
 *   rich text joined; formulas their cached result; booleans TRUE/FALSE; errors their code (#N/A).
 * `line` is the sheet's row number; `raw` is the cells joined by tabs (rejects are written back
 * to an .xlsx from `fields`, see rejects.ts).
 *
 * Why not exceljs's WorkbookReader as documented: it reads the zip in one forward pass and races on
 * Node >= 18: the last zip entry is intermittently lost (exceljs issue #3064). exceljs writes
 * xl/workbook.xml last, so reading a file exported by exceljs (our own Excel exports, rejects
 * files) throws "reading 'sheets'" now and then; had the lost entry been sharedStrings, cells would
 * silently become {sharedString: n}. So we open the zip through its central directory (exceljs's
 * own unzipper, random access), parse rels, workbook, styles and shared strings first, then stream
 * the chosen sheet through exceljs's WorksheetReader. These are exceljs 4.4 internals (the last
 * 4.x release); test/unit/parse/xlsx.test.ts pins the behaviour.
 */
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import { ImportParseError, readFailed, type SourceRecord } from './io';

export interface XlsxOptions {
  /** Sheet name, or 1-based position in the workbook; default the first sheet. */
  sheet?: string | number;
  header?: boolean;
  /** Rows (by row number) before the header or first record. */
  skipLines?: number;
  batchSize?: number;
  signal?: AbortSignal;
}

type Cell = { value: unknown; numFmt?: string };
type Row = { number: number; eachCell(opts: { includeEmpty: boolean }, cb: (cell: Cell, col: number) => void): void };
type SheetReader = AsyncIterable<Row> & { name?: string };
type ZipEntry = { path: string; uncompressedSize?: number; stream(): NodeJS.ReadableStream & { destroy(): void } };
type BookInternals = {
  model?: { sheets?: { name: string; rId: string }[] };
  workbookRels?: { Id: string; Target: string }[];
  _parseRels(entry: unknown): Promise<void>;
  _parseWorkbook(entry: unknown): Promise<void>;
  _parseStyles(entry: unknown): Promise<void>;
  _parseSharedStrings(entry: unknown): AsyncIterable<unknown>;
  _parseWorksheet(iterator: unknown, sheetNo: string): Iterable<{ eventType: string; value: SheetReader }>;
};

/** Modules resolved the way exceljs resolves them (its own unzipper version, its helpers). */
function fromExceljs<T>(id: string): T {
  const req = typeof require === 'function' ? require : createRequire(`${process.cwd()}/`);
  return createRequire(req.resolve('exceljs'))(id) as T;
}

/**
 * exceljs itself, loaded on first use: it takes ~0.2 s of CPU to load (measured here), which a CSV or
 * fixed-width job (its worker, and the pipeline's parse thread) never needs to pay.
 */
export function loadExcelJS(): typeof ExcelJS {
  return fromExceljs<typeof ExcelJS>('exceljs');
}

/** Same test as Excel/exceljs: a number format with date or time tokens outside quotes and brackets. */
function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  const f = fmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhs]/i.test(f);
}

/** A finite number as plain decimal text (no exponent). */
export function plainNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isSafeInteger(n)) return String(n); // exact as stored
  const [mant = '0', expText] = n.toPrecision(15).split('e');
  const neg = mant.startsWith('-');
  const [ip = '', fp = ''] = (neg ? mant.slice(1) : mant).split('.');
  const digits = ip + fp;
  const point = ip.length + Number(expText ?? 0);
  let s: string;
  if (point <= 0) s = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) s = digits + '0'.repeat(point - digits.length);
  else s = `${digits.slice(0, point)}.${digits.slice(point)}`;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  s = s.replace(/^0+(?=\d)/, '');
  return neg && s !== '0' ? `-${s}` : s;
}

const p2 = (v: number) => (v < 10 ? `0${v}` : String(v));

/** Excel dates are wall-clock values; exceljs builds them in UTC, so read them back in UTC. */
export function excelDateText(d: Date): string {
  const ms = Math.round(d.getTime() / 1000) * 1000;
  const t = new Date(ms);
  const date = `${t.getUTCFullYear()}-${p2(t.getUTCMonth() + 1)}-${p2(t.getUTCDate())}`;
  if (ms % 86_400_000 === 0) return date;
  return `${date} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())}`;
}

/**
 * A number cell (or a formula's number result) whose value is an integer too large for a double to
 * hold exactly: Excel keeps 15 significant digits, so an 18-digit ID typed as a number is already
 * changed in the file (110108195008026868 is stored as 110108195008027000).
 */
export function isInexactNumber(v: unknown): boolean {
  if (v !== null && typeof v === 'object' && 'result' in v) v = (v as { result: unknown }).result;
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) >= 2 ** 53;
}

export function cellText(v: unknown, numFmt?: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // exceljs turns date-formatted numbers into Dates, except formula results: do it here.
    if (isDateFormat(numFmt) && v > 0 && v < 2_958_466)
      return excelDateText(new Date(Math.round((v - 25569) * 86_400_000)));
    return plainNumber(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : excelDateText(v);
  if (typeof v === 'object') {
    const o = v as {
      richText?: { text?: string }[];
      formula?: string;
      sharedFormula?: string;
      result?: unknown;
      error?: string;
      text?: unknown;
    };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text ?? '').join('');
    if ('formula' in o || 'sharedFormula' in o || 'result' in o) {
      const r = o.result;
      if (r && typeof r === 'object' && 'error' in r) return String((r as { error: unknown }).error);
      return cellText(r, numFmt);
    }
    if (typeof o.error === 'string') return o.error;
    if ('text' in o) return cellText(o.text, numFmt);
  }
  return String(v);
}

export class XlsxReader {
  header: string[] | null = null;
  sheetName: string | null = null;
  /** Cells of the rows skipped by `skipLines`, so the rejects workbook keeps the layout. */
  preamble: string[][] = [];
  /** Sheet names in workbook order (for the UI and for IMPORT_SHEET_NOT_FOUND). */
  sheets: string[] = [];
  private rows!: AsyncIterator<Row>;
  private sheetStream: { destroy(): void } | null = null;
  private pendingFirst: SourceRecord | null = null;
  private done = false;
  private inflated = 0;
  private sheetSize = 0;

  private constructor(private readonly opts: XlsxOptions) {}

  static async open(file: string, opts: XlsxOptions = {}): Promise<XlsxReader> {
    let magic: Buffer;
    try {
      const fh = await fsp.open(file, 'r');
      try {
        magic = Buffer.alloc(4);
        await fh.read(magic, 0, 4, 0);
        if ((await fh.stat()).size === 0) throw new ImportParseError('IMPORT_EMPTY_FILE', 0, undefined, {});
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw readFailed(e);
    }
    if (magic.readUInt32LE(0) !== 0x04034b50)
      throw new ImportParseError('IMPORT_NOT_XLSX', 0, undefined, { reason: 'not a zip file' });
    const r = new XlsxReader(opts);
    try {
      await r.openSheet(file);
      await r.readHeader();
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  /** Errors from the zip / XML layer: system errors stay read failures, the rest means "not an xlsx". */
  private async guard<T>(p: () => Promise<T>): Promise<T> {
    this.opts.signal?.throwIfAborted();
    try {
      return await p();
    } catch (e) {
      if (e instanceof ImportParseError) throw e;
      const errno = (e as NodeJS.ErrnoException)?.code;
      if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) throw readFailed(e);
      throw new ImportParseError('IMPORT_NOT_XLSX', 0, undefined, {
        reason: e instanceof Error ? e.message : String(e),
      });
    }
  }

  private async openSheet(file: string): Promise<void> {
    const unzipper = fromExceljs<{ Open: { file(f: string): Promise<{ files: ZipEntry[] }> } }>('unzipper');
    const iterateStream = fromExceljs<(s: unknown) => AsyncIterable<unknown>>('./lib/utils/iterate-stream');
    const dir = await this.guard(() => unzipper.Open.file(file));
    const entries = new Map(dir.files.map((f) => [f.path, f]));
    const Reader = loadExcelJS().stream.xlsx.WorkbookReader as unknown as new (
      input: string,
      o: object,
    ) => BookInternals;
    const book = new Reader(file, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    const rels = entries.get('xl/_rels/workbook.xml.rels');
    const wb = entries.get('xl/workbook.xml');
    if (!rels || !wb) throw new ImportParseError('IMPORT_NOT_XLSX', 0, undefined, { reason: 'no workbook in the zip' });
    await this.guard(async () => {
      await book._parseRels(rels.stream());
      await book._parseWorkbook(wb.stream());
      const styles = entries.get('xl/styles.xml');
      if (styles) await book._parseStyles(styles.stream());
      const shared = entries.get('xl/sharedStrings.xml');
      if (shared) for await (const _ of book._parseSharedStrings(shared.stream()));
    });
    const sheets = book.model?.sheets ?? [];
    this.sheets = sheets.map((s) => s.name);
    const want = this.opts.sheet ?? 1;
    const sheet =
      typeof want === 'number'
        ? sheets[want - 1]
        : sheets.find((s) => s.name.trim().toLowerCase() === want.trim().toLowerCase());
    if (!sheet)
      throw new ImportParseError('IMPORT_SHEET_NOT_FOUND', 0, undefined, { sheet: want, available: this.sheets });
    const target = book.workbookRels?.find((r) => r.Id === sheet.rId)?.Target ?? '';
    const entry = entries.get(target.startsWith('/') ? target.slice(1) : `xl/${target}`);
    if (!entry)
      throw new ImportParseError('IMPORT_NOT_XLSX', 0, undefined, {
        reason: `sheet ${sheet.name} has no part ${target}`,
      });
    const stream = entry.stream();
    this.sheetStream = stream;
    this.sheetSize = entry.uncompressedSize ?? 0;
    stream.on('data', (c: Buffer) => (this.inflated += c.length)); // progress only; iterateStream listens too
    const sheetNo = /sheet(\d+)\.xml$/.exec(target)?.[1] ?? '1';
    for (const ev of book._parseWorksheet(iterateStream(stream), sheetNo)) {
      if (ev.eventType === 'worksheet') this.rows = ev.value[Symbol.asyncIterator]();
    }
    this.sheetName = sheet.name;
  }

  private async nextRecord(): Promise<SourceRecord | null> {
    if (this.pendingFirst) {
      const r = this.pendingFirst;
      this.pendingFirst = null;
      return r;
    }
    const skip = this.opts.skipLines ?? 0;
    while (!this.done) {
      const r = await this.guard(() => this.rows.next());
      if (r.done) {
        this.done = true;
        break;
      }
      const row = r.value;
      const fields: string[] = [];
      let inexact: number[] | undefined;
      let blank = true;
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        const text = cellText(cell.value, cell.numFmt);
        if (isInexactNumber(cell.value)) {
          inexact ??= [];
          inexact.push(col - 1);
        }
        while (fields.length < col - 1) fields.push('');
        fields[col - 1] = text;
        if (blank && text.trim() !== '') blank = false;
      });
      if (row.number <= skip) {
        this.preamble.push(fields);
        continue;
      }
      if (blank) continue;
      const rec: SourceRecord = { line: row.number, fields, raw: fields.join('\t') }; // column = field index + 1
      if (inexact) rec.inexact = inexact;
      return rec;
    }
    return null;
  }

  private async readHeader(): Promise<void> {
    const first = await this.nextRecord();
    if (!first) throw new ImportParseError('IMPORT_EMPTY_FILE', 0, undefined, { sheet: this.sheetName });
    if (this.opts.header) {
      this.header = first.fields.map((f) => f.trim());
      const data = await this.nextRecord();
      if (!data)
        throw new ImportParseError('IMPORT_EMPTY_FILE', first.line, undefined, {
          sheet: this.sheetName,
          reason: 'header only',
        });
      this.pendingFirst = data;
    } else this.pendingFirst = first;
  }

  async nextBatch(): Promise<SourceRecord[] | null> {
    const out: SourceRecord[] = [];
    const size = this.opts.batchSize ?? 2000;
    while (out.length < size) {
      const r = await this.nextRecord();
      if (!r) break;
      out.push(r);
    }
    return out.length > 0 ? out : null;
  }

  /** Fraction of the sheet's XML read so far (0..1). */
  progress(): number {
    if (this.done) return 1;
    return this.sheetSize > 0 ? Math.min(1, this.inflated / this.sheetSize) : 0;
  }

  async close(): Promise<void> {
    this.done = true;
    // An early close (preview) must not keep reading the zip.
    this.sheetStream?.destroy();
    this.sheetStream = null;
  }
}
