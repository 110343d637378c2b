/**
 * Export worker: runs the grid's query on its own read-only connection and streams the rows into an
 * .xlsx (./xlsx.ts: rows are written and forgotten, memory stays flat) or a CSV. Numbers are numbers with formats, dates are dates, customer and ID numbers are text; the
 * header row is frozen with an autofilter; past 1,048,575 rows the export continues on a new sheet.
 * Messages: {type:'progress', rows, total} at most every 200 ms, then {type:'done', rows, bytes} or
 * {type:'cancelled'} / {type:'failed', message}. Cancel: a flag in shared memory.
 */
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from '../../db/cipher';
import { fenToYuan } from '../../shared/money';
import { maskIdNo, maskPhone } from '../../shared/mask';
import { csvCell } from './csv';
import type { ColumnSpec } from './labels';
import { XlsxStreamWriter } from './xlsx';

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

async function run(input: ExportWorkerInput): Promise<{ rows: number; total: number }> {
  const flag = new Int32Array(input.cancel);
  const db = openConnection(input.dbPath, { readonly: true, fileMustExist: true });
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
    const iter = db
      .prepare(input.sql)
      .raw()
      .iterate(...input.params) as IterableIterator<unknown[]>;

    if (input.format === 'csv') {
      const fd = openSync(input.file, 'w');
      try {
        const q = csvCell; // quoted, and neutralised against formula injection
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
    const xlsx = new XlsxStreamWriter(
      input.file,
      cols.map((c) => ({ header: c.header, width: c.width, type: c.type === 'label' ? 'general' : c.type })),
    );
    try {
      let sheetNo = 1;
      await xlsx.addSheet(input.sheetName);
      const cells: unknown[] = new Array(cols.length);
      for (const r of iter) {
        if (xlsx.rowsInSheet - 1 === perSheet) await xlsx.addSheet(`${input.sheetName} (${++sheetNo})`);
        for (let i = 0; i < cols.length; i++) cells[i] = value[i]!(r[i]);
        const wait = xlsx.writeRow(cells);
        if (wait !== null) await wait;
        rows++;
        tick();
      }
      await xlsx.finish();
    } catch (e) {
      xlsx.abort();
      throw e;
    }
    return { rows, total };
  } finally {
    db.close();
  }
}

const input = workerData as ExportWorkerInput;
run(input).then(
  ({ rows, total }) =>
    parentPort!.postMessage({ type: 'done', rows, total, bytes: statSync(input.file).size } satisfies ExportMessage),
  (e: unknown) => {
    rmSync(input.file, { force: true });
    parentPort!.postMessage(
      (e instanceof Cancelled
        ? { type: 'cancelled' }
        : { type: 'failed', message: e instanceof Error ? e.message : String(e) }) satisfies ExportMessage,
    );
  },
);
