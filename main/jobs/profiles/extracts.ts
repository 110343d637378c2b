/**
 * Writes a store's branch out as the nightly extract files the built-in profiles read (CSV in
 * GB18030, the journal fixed-width, wealth holdings as .xlsx), so a user can try the whole import
 * path on the demo branch, and tests can prove export -> import round-trips exactly.
 * Streams: rows are read with an iterator and written in ~1 MB encoded chunks.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import {
  IMPORT_FIELDS,
  type ColumnMapping,
  type FieldSpec,
  type ImportKind,
  type ImportProfile,
} from '../../../shared/imports';
import { KINDS } from '../engine/kinds';
import { BUILTIN, titleOf } from './builtin';

/** SQL giving a reference field's natural key from the row's id column. */
const REF_SQL: Record<NonNullable<FieldSpec['ref']>, (col: string) => string> = {
  branch: (c) => `(SELECT code FROM branches WHERE id = t.${c})`,
  staff: (c) => `(SELECT employee_no FROM staff WHERE id = t.${c})`,
  product: (c) => `(SELECT code FROM products WHERE id = t.${c})`,
  customer: (c) => `(SELECT customer_no FROM customers WHERE id = t.${c})`,
  account: (c) => `(SELECT account_no FROM accounts WHERE id = t.${c})`,
};

function selectFor(kind: ImportKind, profile: ImportProfile): string {
  const spec = KINDS[kind];
  const colOf = new Map(spec.columns.map((c) => [c.field, c.column]));
  const exprs = profile.columns.map((c) => {
    const f = IMPORT_FIELDS[kind][c.field]!;
    const col = colOf.get(c.field)!;
    return f.ref ? REF_SQL[f.ref](col) : `t.${col}`;
  });
  const order = spec.tracked ? 't.id' : 't.account_id, t.on_date';
  return `SELECT ${exprs.join(', ')} FROM ${spec.table} t ORDER BY ${order}`;
}

function yuan(fen: number): string {
  const neg = fen < 0;
  const a = Math.abs(fen);
  return `${neg ? '-' : ''}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

function percent(ppm: number): string {
  const neg = ppm < 0;
  const a = Math.abs(ppm);
  const frac = String(a % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return `${neg ? '-' : ''}${Math.trunc(a / 10_000)}${frac ? `.${frac}` : ''}`;
}

/** Store value -> the text the extract carries, per the profile column (inverse of the importer's converter). */
export function formatter(spec: FieldSpec, c: ColumnMapping): (v: unknown) => string {
  const inverse = new Map<string, string>();
  for (const [from, to] of Object.entries(c.values ?? {})) if (!inverse.has(to)) inverse.set(to, from);
  return (v) => {
    if (v === null || v === undefined) return '';
    switch (spec.type) {
      case 'amount':
        return c.format === 'fen' ? String(v) : yuan(Number(v));
      case 'rate':
        return c.format === 'decimal' ? String(Number(v) / 1e6) : percent(Number(v));
      case 'date':
        return c.format === 'YYYYMMDD'
          ? String(v).replaceAll('-', '')
          : c.format === 'YYYY/MM/DD'
            ? String(v).replaceAll('-', '/')
            : String(v);
      case 'datetime':
        return c.format === 'YYYYMMDDHHmmss' ? String(v).replace(/\D/g, '') : String(v);
      default: {
        const s = String(v);
        return inverse.get(s) ?? s;
      }
    }
  };
}

function quote(s: string, delimiter: string): string {
  return s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r')
    ? `"${s.replaceAll('"', '""')}"`
    : s;
}

class EncodedFile {
  private readonly fd: number;
  private buf = '';
  constructor(
    file: string,
    private readonly encoding: string,
  ) {
    this.fd = openSync(file, 'w');
  }
  write(s: string): void {
    this.buf += s;
    if (this.buf.length > 256_000) this.flush();
  }
  private flush(): void {
    if (this.buf) writeSync(this.fd, iconv.encode(this.buf, this.encoding));
    this.buf = '';
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export interface ExtractResult {
  kind: ImportKind;
  file: string;
  profile: string;
  rows: number;
}

/** Writes every built-in extract of the store into `dir`; returns what it wrote, in load order. */
export async function writeExtracts(
  db: Database,
  dir: string,
  opts: { kinds?: readonly ImportKind[] } = {},
): Promise<ExtractResult[]> {
  mkdirSync(dir, { recursive: true });
  const out: ExtractResult[] = [];
  for (const b of BUILTIN) {
    const { profile } = b;
    if (opts.kinds && !opts.kinds.includes(profile.kind)) continue;
    const file = path.join(dir, b.file);
    const fmts = profile.columns.map((c) => formatter(IMPORT_FIELDS[profile.kind][c.field]!, c));
    const rows = db.prepare(selectFor(profile.kind, profile)).raw().iterate() as IterableIterator<unknown[]>;
    let n = 0;
    if (profile.format === 'xlsx') {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
      const ws = wb.addWorksheet('持仓明细');
      ws.addRow(profile.columns.map((c) => titleOf(profile.kind, c.field))).commit();
      for (const r of rows) {
        ws.addRow(r.map((v, i) => fmts[i]!(v))).commit();
        n++;
      }
      ws.commit();
      await wb.commit();
    } else {
      const enc = profile.encoding === 'auto' ? 'gb18030' : profile.encoding;
      const f = new EncodedFile(file, enc);
      try {
        if (profile.format === 'fixed') {
          for (const r of rows) {
            let line = '';
            profile.columns.forEach((c, i) => {
              const text = fmts[i]!(r[i]);
              const bytes = iconv.encode(text, enc).length;
              if (bytes > c.width!)
                throw new Error(`${profile.name}: ${c.field} "${text}" is wider than ${c.width} bytes`);
              line += text + ' '.repeat(c.width! - bytes);
            });
            f.write(`${line}\r\n`);
            n++;
          }
        } else {
          const d = profile.delimiter ?? ',';
          f.write(`${profile.columns.map((c) => quote(titleOf(profile.kind, c.field), d)).join(d)}\r\n`);
          for (const r of rows) {
            let line = '';
            for (let i = 0; i < r.length; i++) line += (i ? d : '') + quote(fmts[i]!(r[i]), d);
            f.write(`${line}\r\n`);
            n++;
          }
        }
      } finally {
        f.close();
      }
    }
    out.push({ kind: profile.kind, file, profile: profile.name, rows: n });
  }
  return out;
}
