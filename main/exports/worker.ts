/**
 * Export worker: runs the grid's query on its own read-only connection and streams the rows into an
 * .xlsx (exceljs's streaming WorkbookWriter: rows are written and forgotten, memory stays flat) or a
 * CSV. Numbers are numbers with formats, dates are dates, customer and ID numbers are text; the
 * header row is frozen with an autofilter; past 1,048,575 rows the export continues on a new sheet.
 * Messages: {type:'progress', rows, total} at most every 200 ms, then {type:'done', rows, bytes} or
 * {type:'cancelled'} / {type:'failed', message}. Cancel: a flag in shared memory.
 */
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { fenToYuan } from '../../shared/money';
import { maskIdNo, maskPhone } from '../../shared/mask';
import type { ColumnSpec } from './labels';

export interface ExportWorkerInput {
  dbPath: string;
  sql: string;
  countSql: string;
  params: (string | number)[];
  columns: ColumnSpec[];
  format: 'xlsx' | 'csv';
  file: string;
  sheetName: string;
  cancel: SharedArrayBuffer;
  /** Rows per sheet before continuing on the next (Excel's limit less the header). */
  rowsPerSheet?: number;
}

export type ExportMessage =
  | { type: 'progress'; rows: number; total: number }
  | { type: 'done'; rows: number; total: number; bytes: number }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string };

const EXCEL_MAX_ROWS = 1_048_575;

class Cancelled extends Error {}

function dateOf(v: unknown): Date | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) return null;
  return new Date(`${v.slice(0, 10)}T00:00:00Z`);
}

async function run(input: ExportWorkerInput): Promise<{ rows: number; total: number }> {
  const flag = new Int32Array(input.cancel);
  const db = new Database(input.dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const total = (db.prepare(input.countSql).get(...input.params) as { n: number }).n;
    const post = (m: ExportMessage) => parentPort!.postMessage(m);
    post({ type: 'progress', rows: 0, total });
    const cols = input.columns;
    const value = cols.map((c): ((v: unknown) => unknown) => {
      if (c.mask === 'id') return (v) => maskIdNo((v as string | null) ?? null);
      if (c.mask === 'phone') return (v) => maskPhone((v as string | null) ?? null);
      if (c.type === 'label') return (v) => (v == null ? null : (c.labels?.[String(v)] ?? String(v)));
      if (input.format === 'xlsx') {
        if (c.type === 'money') return (v) => (v == null ? null : Number(v) / 100);
        if (c.type === 'date') return dateOf;
      } else {
        if (c.type === 'money') return (v) => (v == null ? '' : fenToYuan(Number(v)));
      }
      return (v) => v;
    });
    let rows = 0;
    let last = 0;
    const tick = () => {
      if ((rows & 1023) === 0) {
        if (Atomics.load(flag, 0) === 1) throw new Cancelled();
        const now = Date.now();
        if (now - last > 200) {
          last = now;
          post({ type: 'progress', rows, total });
        }
      }
    };
    const iter = db.prepare(input.sql).raw().iterate(...input.params) as IterableIterator<unknown[]>;

    if (input.format === 'csv') {
      const fd = openSync(input.file, 'w');
      try {
        const q = (s: unknown) => {
          if (s == null) return '';
          const t = String(s);
          return /[",\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
        };
        let buf = `\uFEFF${cols.map((c) => q(c.header)).join(',')}\r\n`;
        for (const r of iter) {
          let line = '';
          for (let i = 0; i < cols.length; i++) line += (i ? ',' : '') + q(value[i]!(r[i]));
          buf += `${line}\r\n`;
          rows++;
          if (buf.length > 1 << 20) {
            writeSync(fd, buf);
            buf = '';
          }
          tick();
        }
        writeSync(fd, buf);
      } finally {
        closeSync(fd);
      }
      return { rows, total };
    }

    const perSheet = Math.min(input.rowsPerSheet ?? EXCEL_MAX_ROWS, EXCEL_MAX_ROWS);
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: input.file, useStyles: true, useSharedStrings: false });
    let sheet: ExcelJS.Worksheet | null = null;
    let inSheet = 0;
    let sheetNo = 0;
    const newSheet = () => {
      sheet?.commit();
      sheetNo++;
      sheet = wb.addWorksheet(sheetNo === 1 ? input.sheetName : `${input.sheetName} (${sheetNo})`, { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = cols.map((c) => ({
        header: c.header,
        key: c.id,
        width: c.width,
        style: c.type === 'money' ? { numFmt: '#,##0.00' } : c.type === 'date' ? { numFmt: 'yyyy-mm-dd' } : c.type === 'text' ? { numFmt: '@' } : {},
      }));
      sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };
      inSheet = 0;
    };
    newSheet();
    const cells: unknown[] = new Array(cols.length);
    for (const r of iter) {
      if (inSheet === perSheet) newSheet();
      for (let i = 0; i < cols.length; i++) cells[i] = value[i]!(r[i]);
      sheet!.addRow(cells).commit();
      inSheet++;
      rows++;
      tick();
      if ((rows & 255) === 0) await drained(sheet!);
    }
    (sheet as ExcelJS.Worksheet | null)?.commit();
    await wb.commit();
    return { rows, total };
  } finally {
    db.close();
  }
}

/** Bytes the zip entry's buffer may hold before the rows wait for it (see drained()). */
const DRAIN_AT = 8 << 20;

/**
 * Backpressure for exceljs's streaming writer. A worksheet writes its XML into a buffer that is piped,
 * ignoring write()'s return value, into the PassThrough archiver reads the zip entry from; rows
 * produced faster than zlib compresses them piled up there (a million rows reached 880 MB). So every
 * few hundred rows, once that PassThrough holds more than DRAIN_AT, wait until it has drained. Not at
 * its 16 KB high-water mark: zlib deflates on the thread pool while rows are produced here, and
 * stopping that often gives the overlap away (300k rows: 24.8 s at 16 KB, 19.2 s at 8 MB).
 */
async function drained(sheet: ExcelJS.Worksheet): Promise<void> {
  const pipes = (sheet as unknown as { stream?: { pipes?: (Writable & { _writableState?: { needDrain?: boolean; length?: number } })[] } }).stream?.pipes;
  const dest = pipes?.[0];
  // archiver's PassThrough comes from readable-stream 2, which has no writableLength/writableNeedDrain getters.
  if (!dest || (dest.writableLength ?? dest._writableState?.length ?? 0) < DRAIN_AT || !(dest.writableNeedDrain ?? dest._writableState?.needDrain)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      dest.off('drain', done);
      dest.off('error', fail);
      resolve();
    };
    const fail = (e: Error) => {
      dest.off('drain', done);
      reject(e);
    };
    dest.on('drain', done);
    dest.once('error', fail);
  });
}

const input = workerData as ExportWorkerInput;
run(input).then(
  ({ rows, total }) => parentPort!.postMessage({ type: 'done', rows, total, bytes: statSync(input.file).size } satisfies ExportMessage),
  (e: unknown) => {
    rmSync(input.file, { force: true });
    parentPort!.postMessage((e instanceof Cancelled ? { type: 'cancelled' } : { type: 'failed', message: e instanceof Error ? e.message : String(e) }) satisfies ExportMessage);
  },
);
