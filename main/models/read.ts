/**
 * A labelled file (CSV/TSV/delimited text or .xlsx; UTF-8, GB18030/GBK or UTF-16 with its mark, as
 * the import detects it) read into the learners' columns, for `crm model evaluate` and the lab.
 *
 * The first row is the header. A column whose every non-empty value is a number stays a number;
 * any other becomes a category (its text values the levels). An empty field is a missing value.
 * The target column's value equal to `positive` is the positive class (compared as text, or as
 * numbers when both are numbers: "1" = "1.0"); rows with an empty target are left out and counted.
 *
 * Two passes over the file (the reader streams, so memory holds only the typed columns): the first
 * decides each column's type and counts the rows, the second fills the arrays.
 */
import type { Encoding, ImportProfile } from '../../shared/imports';
import { ImportParseError, type OpenedSource, openSource } from '../jobs/parse/source';
import type { Column, Dataset } from './dataset';
import { ModelInputError } from './errors';

export { ModelInputError };

export interface ReadOptions {
  target: string;
  positive: string;
  foldColumn?: string;
  /** Columns not used as features (identifiers, dates recorded after the outcome...). */
  exclude?: string[];
  encoding?: Encoding;
  signal?: AbortSignal;
}

export interface ColumnNote {
  column: string;
  /** 'category': text values made it a category (first non-number shown); 'empty' | 'constant': left out. */
  kind: 'category' | 'empty' | 'constant';
  value?: string;
  line?: number;
  position?: number;
}

export interface LoadedFile {
  data: Dataset;
  header: string[];
  /** Data row number (1 = first row under the header) of each row kept. */
  rowNo: Uint32Array;
  /** Fold of each row from the fold column (0-based, in the order of `foldLabels`), or null. */
  folds: Int32Array | null;
  foldLabels: string[];
  format: 'delimited' | 'xlsx';
  encoding: Encoding | null;
  delimiter: string;
  /** Rows left out because their target is empty. */
  noTarget: number;
  notes: ColumnNote[];
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** A field's number, or NaN when it is not one ("1,234.5" with correct grouping is one). */
export function parseNumber(raw: string): number {
  const s = raw.trim();
  if (NUMBER.test(s)) return Number(s);
  if (GROUPED.test(s)) return Number(s.replace(/,/g, ''));
  return Number.NaN;
}

function sniffDelimiter(headerLine: string): string {
  let best = ',';
  let most = 0;
  for (const d of [',', '\t', ';', '|']) {
    const n = headerLine.split(d).length - 1;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

async function firstLine(file: string): Promise<string> {
  const { promises: fsp } = await import('node:fs');
  const fh = await fsp.open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new ImportParseError('IMPORT_READ_FAILED', 0, undefined, { errno: e.code ?? 'EIO', message: e.message });
  });
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    // Delimiters are ASCII, so the raw bytes answer whatever the encoding (UTF-16 aside).
    const text = buf.subarray(0, bytesRead).toString('latin1');
    const nl = text.indexOf('\n');
    return nl >= 0 ? text.slice(0, nl) : text;
  } finally {
    await fh.close();
  }
}

function profileFor(file: string, delimiter: string): ImportProfile {
  const xlsx = /\.xlsx$/i.test(file);
  return {
    name: 'model-file',
    kind: 'customers',
    format: xlsx ? 'xlsx' : 'delimited',
    encoding: 'auto',
    delimiter: xlsx ? undefined : delimiter,
    header: true,
    columns: [{ field: 'cust_no', source: 1 }],
  };
}

function findColumn(header: string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.trim().toLowerCase();
  return header.findIndex((h) => h.toLowerCase() === lower);
}

function isPositive(value: string, positive: string, positiveNum: number): boolean {
  const v = value.trim();
  if (v === positive) return true;
  if (Number.isNaN(positiveNum)) return false;
  return parseNumber(v) === positiveNum;
}

/** Copies a level's text out of the decoded chunk it is a slice of (so the chunk can be freed). */
function own(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

export async function readLabelledFile(file: string, opts: ReadOptions): Promise<LoadedFile> {
  const xlsx = /\.xlsx$/i.test(file);
  const delimiter = xlsx ? ',' : sniffDelimiter(await firstLine(file));
  const profile = profileFor(file, delimiter);
  const open = () => openSource(file, profile, { encoding: opts.encoding, signal: opts.signal, batchSize: 4096 });

  // Pass 1: header, column types, row count, target classes.
  let src: OpenedSource = await open();
  const header = (src.header ?? []).map((h, i) => h.trim() || `(${i + 1})`);
  const seen = new Map<string, number>();
  for (const [i, h] of header.entries()) {
    if (seen.has(h)) {
      await src.close();
      throw new ModelInputError('MODEL_DUPLICATE_COLUMN', { name: h }, 1, i + 1);
    }
    seen.set(h, i);
  }
  const M = header.length;
  const targetAt = findColumn(header, opts.target);
  if (targetAt < 0) {
    await src.close();
    throw new ModelInputError('MODEL_NO_COLUMN', { name: opts.target, columns: header.join(', ') }, 1);
  }
  const foldAt = opts.foldColumn !== undefined ? findColumn(header, opts.foldColumn) : -1;
  if (opts.foldColumn !== undefined && foldAt < 0) {
    await src.close();
    throw new ModelInputError('MODEL_NO_COLUMN', { name: opts.foldColumn, columns: header.join(', ') }, 1);
  }
  if (foldAt === targetAt) {
    await src.close();
    throw new ModelInputError('MODEL_FOLD_IS_TARGET', { name: header[foldAt]! }, 1, foldAt + 1);
  }
  const excluded = new Set<number>();
  for (const x of opts.exclude ?? []) {
    const at = findColumn(header, x);
    if (at < 0) {
      await src.close();
      throw new ModelInputError('MODEL_NO_COLUMN', { name: x, columns: header.join(', ') }, 1);
    }
    excluded.add(at);
  }
  const positive = opts.positive.trim();
  const positiveNum = parseNumber(positive);
  const numeric = new Array<boolean>(M).fill(true);
  const filled = new Uint32Array(M);
  const firstText: ({ value: string; line: number; position: number } | null)[] = new Array(M).fill(null);
  const firstValue: (string | null)[] = new Array(M).fill(null);
  const varies = new Array<boolean>(M).fill(false);
  let rows = 0;
  let dataRows = 0;
  let pos = 0;
  let noTarget = 0;
  const targetValues = new Set<string>();
  const fieldAt = (rec: { cols?: ArrayLike<number> }, i: number) => rec.cols?.[i] ?? i + 1;
  const checkWidth = (rec: { fields: string[]; line: number; cols?: ArrayLike<number> }) => {
    const n = rec.fields.length;
    if (n === M) return;
    if (n > M) {
      // xlsx rows may carry empty trailing cells; text files must match the header.
      for (let i = M; i < n; i++)
        if (!xlsx || rec.fields[i]!.trim() !== '')
          throw new ModelInputError('MODEL_FIELD_COUNT', { fields: n, expected: M }, rec.line, fieldAt(rec, i));
      return;
    }
    if (!xlsx) throw new ModelInputError('MODEL_FIELD_COUNT', { fields: n, expected: M }, rec.line);
  };
  try {
    for await (const batch of src.batches()) {
      for (const rec of batch) {
        dataRows++;
        checkWidth(rec);
        const f = rec.fields;
        const t = (f[targetAt] ?? '').trim();
        if (t === '') {
          noTarget++;
          continue;
        }
        rows++;
        if (isPositive(t, positive, positiveNum)) pos++;
        else if (targetValues.size < 20) targetValues.add(t);
        if (foldAt >= 0 && (f[foldAt] ?? '').trim() === '')
          throw new ModelInputError('MODEL_FOLD_EMPTY', { name: header[foldAt]! }, rec.line, fieldAt(rec, foldAt));
        for (let i = 0; i < M; i++) {
          if (i === targetAt || i === foldAt) continue;
          const v = (f[i] ?? '').trim();
          if (v === '') continue;
          filled[i]!++;
          if (!varies[i]) {
            if (firstValue[i] === null) firstValue[i] = own(v);
            else if (firstValue[i] !== v) varies[i] = true;
          }
          if (numeric[i] && Number.isNaN(parseNumber(v))) {
            numeric[i] = false;
            firstText[i] = { value: own(v), line: rec.line, position: fieldAt(rec, i) };
          }
        }
      }
    }
  } finally {
    await src.close();
  }
  if (rows === 0) throw new ModelInputError('MODEL_NO_ROWS', { name: header[targetAt]! });
  if (pos === 0)
    throw new ModelInputError('MODEL_POSITIVE_ABSENT', {
      name: header[targetAt]!,
      positive,
      values: [...targetValues].slice(0, 10).join(', '),
    });
  if (pos === rows) throw new ModelInputError('MODEL_ONE_CLASS', { name: header[targetAt]!, positive });

  const notes: ColumnNote[] = [];
  const features: number[] = [];
  for (let i = 0; i < M; i++) {
    if (i === targetAt || i === foldAt || excluded.has(i)) continue;
    if (filled[i] === 0) {
      notes.push({ column: header[i]!, kind: 'empty' });
      continue;
    }
    if (!varies[i] && filled[i] === rows) {
      notes.push({ column: header[i]!, kind: 'constant', value: firstValue[i] ?? '' });
      continue;
    }
    if (!numeric[i]) {
      const ft = firstText[i]!;
      notes.push({ column: header[i]!, kind: 'category', value: ft.value, line: ft.line, position: ft.position });
    }
    features.push(i);
  }
  if (!features.length) throw new ModelInputError('MODEL_NO_FEATURES', { name: header[targetAt]! });

  // Pass 2: fill the columns.
  const columns: Column[] = [];
  const fill: ((v: string, r: number) => void)[] = [];
  const dicts: Map<string, number>[] = [];
  for (const i of features) {
    if (numeric[i]) {
      const values = new Float32Array(rows).fill(Number.NaN);
      columns.push({ kind: 'numeric', name: header[i]!, values });
      fill.push((v, r) => {
        if (v !== '') values[r] = parseNumber(v);
      });
    } else {
      const codes = new Int32Array(rows).fill(-1);
      const levels: string[] = [];
      const dict = new Map<string, number>();
      dicts.push(dict);
      columns.push({ kind: 'categorical', name: header[i]!, codes, levels });
      fill.push((v, r) => {
        if (v === '') return;
        let c = dict.get(v);
        if (c === undefined) {
          const text = own(v);
          c = levels.length;
          levels.push(text);
          dict.set(text, c);
        }
        codes[r] = c;
      });
    }
  }
  const target = new Uint8Array(rows);
  const rowNo = new Uint32Array(rows);
  const foldRaw: string[] = foldAt >= 0 ? new Array(rows) : [];
  src = await open();
  let r = 0;
  let d = 0;
  try {
    for await (const batch of src.batches()) {
      for (const rec of batch) {
        d++;
        const f = rec.fields;
        const t = (f[targetAt] ?? '').trim();
        if (t === '') continue;
        if (r >= rows) throw new ModelInputError('MODEL_FILE_CHANGED', {});
        target[r] = isPositive(t, positive, positiveNum) ? 1 : 0;
        rowNo[r] = d;
        if (foldAt >= 0) foldRaw[r] = own((f[foldAt] ?? '').trim());
        for (let j = 0; j < features.length; j++) fill[j]!((f[features[j]!] ?? '').trim(), r);
        r++;
      }
    }
  } finally {
    await src.close();
  }
  if (r !== rows || d !== dataRows) throw new ModelInputError('MODEL_FILE_CHANGED', {});

  let folds: Int32Array | null = null;
  let foldLabels: string[] = [];
  if (foldAt >= 0) {
    const distinct = [...new Set(foldRaw)];
    const allNum = distinct.every((v) => !Number.isNaN(parseNumber(v)));
    distinct.sort(allNum ? (a, b) => parseNumber(a) - parseNumber(b) : undefined);
    const at = new Map(distinct.map((v, i) => [v, i]));
    folds = new Int32Array(rows);
    for (let k = 0; k < rows; k++) folds[k] = at.get(foldRaw[k]!)!;
    foldLabels = distinct;
    if (distinct.length < 2)
      throw new ModelInputError('MODEL_FOLDS_TOO_FEW', { name: header[foldAt]!, folds: distinct.length });
    if (distinct.length > 100)
      throw new ModelInputError('MODEL_FOLDS_TOO_MANY', { name: header[foldAt]!, folds: distinct.length });
  }
  return {
    data: { rows, columns, target },
    header,
    rowNo,
    folds,
    foldLabels,
    format: xlsx ? 'xlsx' : 'delimited',
    encoding: src.encoding,
    delimiter,
    noTarget,
    notes,
  };
}
