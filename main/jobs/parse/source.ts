/**
 * The parsing layer's entry point for the job engine: opens an extract per its import profile and
 * hands out records in batches, streaming (memory stays flat whatever the file size).
 *
 *   const src = await openSource(file, profile, { signal });
 *   const { indexes } = resolveColumns(profile, src.header);      // IMPORT_HEADER_MISMATCH early
 *   for await (const batch of src.batches()) { ... record.fields[indexes[i]] ... }
 *
 * openSource() already reads the header and the first batch, so a file that is empty, header-only,
 * in the wrong encoding near its start, or not an xlsx fails at open, before any row is written.
 *
 * Fixed-width records carry one field per PROFILE column (fields[i] is columns[i]; '' for
 * constants), so resolveColumns() returns -1 for them as for constants.
 *
 * Retention hazard for the caller: fields are slices of large decoded chunks (V8 sliced strings).
 * Keeping a field beyond the batch (e.g. a Set of natural keys across 20M rows) keeps its whole
 * chunk alive; copy such keys (or keep them in SQLite) instead of retaining the field strings.
 */
import { promises as fsp } from 'node:fs';
import { type ColumnMapping, type Encoding, IMPORT_FIELDS, type ImportProfile } from '../../../shared/imports';
import { DEFAULT_BATCH, DEFAULT_MAX_RECORD_CHARS, DelimitedReader } from './delimited';
import {
  binaryKind,
  type Detection,
  detectEncoding,
  isAsciiOnly,
  isUtf16,
  SAMPLE_BYTES,
  SegmentDecoder,
  utf16Source,
} from './encoding';
import { type FixedColumn, FixedReader } from './fixed';
import { type FileChunkSource, ImportParseError, openFileChunks, readFailed, type SourceRecord } from './io';
import { XlsxReader } from './xlsx';

export type { SourceRecord } from './io';
export { ImportParseError } from './io';

export interface SourceDialect {
  delimiter: string;
  quote: string;
  /** Line terminator seen on the first record. */
  eol: '\n' | '\r\n';
  bom: boolean;
  /** The header line's exact text (delimited, fixed), for the rejects file. */
  headerRaw: string | null;
  /** Lines (xlsx: rows of cells) skipped by `skipLines`, written back to the rejects file. */
  preamble: string[][];
}

export interface OpenedSource {
  format: ImportProfile['format'];
  /** Encoding in use (null for xlsx). With 'auto' and an ASCII-only start it may still change: see encodingSettled. */
  readonly encoding: Encoding | null;
  readonly detected: Detection | null;
  /** False while the file has shown only ASCII under 'auto' (the guess is still open). */
  readonly encodingSettled: boolean;
  header: string[] | null;
  dialect: SourceDialect;
  /** xlsx: the sheet read and all sheet names. */
  sheet: { name: string; available: string[] } | null;
  totalBytes: number;
  batches(): AsyncIterable<SourceRecord[]>;
  /** Bytes consumed so far (xlsx: estimated from the sheet's inflated size), for progress. */
  bytesRead(): number;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** User override of the profile's / detected encoding. */
  encoding?: Encoding;
  maxRecordChars?: number;
  batchSize?: number;
  signal?: AbortSignal;
}

function fixedLayout(profile: ImportProfile): (FixedColumn | null)[] {
  return profile.columns.map((c) => {
    if (c.start !== undefined && c.width !== undefined) return { start: c.start, width: c.width };
    if (c.constant !== undefined) return null;
    throw new ImportParseError('IMPORT_BAD_PROFILE', 0, undefined, {
      field: c.field,
      reason: 'fixed-width column without start and width',
    });
  });
}

export async function openSource(file: string, profile: ImportProfile, opts: OpenOptions = {}): Promise<OpenedSource> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const max = opts.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  const dialect: SourceDialect = {
    delimiter: profile.delimiter ?? ',',
    quote: profile.quote ?? '"',
    eol: '\n',
    bom: false,
    headerRaw: null,
    preamble: [],
  };

  if (profile.format === 'xlsx') {
    let totalBytes: number;
    try {
      totalBytes = (await fsp.stat(file)).size;
    } catch (e) {
      throw readFailed(e);
    }
    const x = await XlsxReader.open(file, {
      sheet: profile.sheet,
      header: profile.header,
      skipLines: profile.skipLines,
      batchSize,
      signal: opts.signal,
    });
    let first: SourceRecord[] | null;
    try {
      first = await x.nextBatch();
    } catch (e) {
      await x.close();
      throw e;
    }
    dialect.preamble = x.preamble;
    return {
      format: 'xlsx',
      encoding: null,
      detected: null,
      encodingSettled: true,
      header: x.header,
      dialect,
      sheet: { name: x.sheetName ?? '', available: x.sheets },
      totalBytes,
      bytesRead: () => Math.round(totalBytes * x.progress()),
      close: () => x.close(),
      async *batches() {
        try {
          for (let b = first ?? (await x.nextBatch()); b; b = await x.nextBatch()) {
            first = null;
            yield b;
          }
        } finally {
          await x.close();
        }
      },
    };
  }

  const layout = profile.format === 'fixed' ? fixedLayout(profile) : null;
  const src: FileChunkSource = await openFileChunks(file, { signal: opts.signal });
  try {
    if (src.totalBytes === 0) throw new ImportParseError('IMPORT_EMPTY_FILE', 0, undefined, { bytes: 0 });
    const sample = await src.peek(SAMPLE_BYTES);
    const detected = detectEncoding(sample, { final: src.totalBytes <= SAMPLE_BYTES });
    const forced = opts.encoding ?? (profile.encoding === 'auto' ? null : profile.encoding);
    // UTF-16 is read only with its BOM (Excel's "Unicode text"), whatever the profile says: without it
    // the file is not the UTF-16 a user chose, and with it the file is not UTF-8 or GB.
    const utf16 = isUtf16(detected.encoding) ? detected.encoding : null;
    if (!utf16) {
      if (isUtf16(forced))
        throw new ImportParseError('IMPORT_ENCODING', 1, 1, { encoding: forced, reason: 'no UTF-16 byte order mark' });
      const kind = binaryKind(sample);
      // A workbook, PDF or program renamed .csv: say so, rather than "bad character at line 1 column 96".
      if (kind) throw new ImportParseError('IMPORT_NOT_TEXT', 0, undefined, { kind });
    }
    const input = utf16 ? utf16Source(src, utf16) : src;
    const choice = utf16 ? { encoding: 'utf-8' as const, detected } : { encoding: forced, detected };
    const reader = layout
      ? new FixedReader(input, choice, layout, {
          header: profile.header,
          skipLines: profile.skipLines,
          maxRecordChars: max,
          batchSize,
        })
      : new DelimitedReader(new SegmentDecoder(input, choice, 4 * max), {
          delimiter: dialect.delimiter,
          quote: dialect.quote,
          header: profile.header,
          skipLines: profile.skipLines,
          maxRecordChars: max,
          batchSize,
        });
    if (reader instanceof DelimitedReader) await reader.start();
    let first: SourceRecord[] | null = await reader.nextBatch();
    if (!first)
      throw new ImportParseError('IMPORT_EMPTY_FILE', 0, undefined, {
        reason: profile.header ? 'header only' : 'no records',
      });
    const state = reader instanceof DelimitedReader ? reader.decoder : reader;
    dialect.eol = reader.eol;
    dialect.bom = utf16 ? true : state.bom;
    dialect.headerRaw = reader.headerRaw;
    dialect.preamble = reader.preamble.map((line) => [line]);
    return {
      format: profile.format,
      get encoding() {
        return utf16 ?? state.encoding;
      },
      get detected() {
        return state.detected;
      },
      get encodingSettled() {
        return forced !== null || !isAsciiOnly(state.detected);
      },
      header: reader instanceof DelimitedReader ? reader.header : null,
      dialect,
      sheet: null,
      totalBytes: src.totalBytes,
      bytesRead: () => src.bytesRead(),
      close: () => src.close(),
      async *batches() {
        try {
          for (let b = first ?? (await reader.nextBatch()); b; b = await reader.nextBatch()) {
            first = null;
            yield b;
          }
        } finally {
          await src.close();
        }
      },
    };
  } catch (e) {
    await src.close();
    throw e;
  }
}

/** First `n` records for the UI's preview; reads only as far as needed. */
export async function preview(
  file: string,
  profile: ImportProfile,
  n = 20,
  opts: Omit<OpenOptions, 'batchSize'> = {},
): Promise<{
  header: string[] | null;
  records: SourceRecord[];
  encoding: Encoding | null;
  detected: Detection | null;
  sheet: OpenedSource['sheet'];
}> {
  const src = await openSource(file, profile, { ...opts, batchSize: Math.max(1, n) });
  try {
    const records: SourceRecord[] = [];
    for await (const batch of src.batches()) {
      records.push(...batch.slice(0, n - records.length));
      if (records.length >= n) break;
    }
    return { header: src.header, records, encoding: src.encoding, detected: src.detected, sheet: src.sheet };
  } finally {
    await src.close();
  }
}

/** Header names compare trimmed, ASCII case-insensitively (客户号 = 客户号, CUST_NO = cust_no). */
function norm(s: string): string {
  return s.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * The profile as it applies to a file: columns marked optional whose (named) source the header lacks
 * are left out, so the job neither reads nor writes their fields. Without a header nothing is left out.
 */
export function presentColumns(profile: ImportProfile, header: string[] | null): ImportProfile {
  if (!header || !profile.columns.some((c) => c.optional)) return profile;
  const names = new Set(header.map(norm));
  const specs = IMPORT_FIELDS[profile.kind];
  const columns = profile.columns.filter(
    (c) =>
      !c.optional ||
      specs[c.field]?.key === true ||
      specs[c.field]?.required === true || // never optional, whatever the profile says
      c.constant !== undefined ||
      (typeof c.source === 'number' ? c.source <= header.length : c.source !== undefined && names.has(norm(c.source))),
  );
  return columns.length === profile.columns.length ? profile : { ...profile, columns };
}

/**
 * Per profile column, the 0-based index of its source field; -1 for constants and for fixed-width
 * columns (whose records are aligned with profile.columns). Throws IMPORT_HEADER_MISMATCH listing
 * every named column the header lacks.
 */
export function resolveColumns(profile: ImportProfile, header: string[] | null): { indexes: number[] } {
  const positions = new Map<string, number>();
  header?.forEach((h, i) => {
    const k = norm(h);
    if (!positions.has(k)) positions.set(k, i);
  });
  const missing: string[] = [];
  const indexes = profile.columns.map((c: ColumnMapping) => {
    if (c.constant !== undefined || profile.format === 'fixed') return -1;
    if (typeof c.source === 'number') {
      if (header && c.source > header.length) missing.push(`#${c.source}`);
      return c.source - 1;
    }
    const i = c.source === undefined ? undefined : positions.get(norm(c.source));
    if (i === undefined) missing.push(c.source ?? c.field);
    return i ?? -1;
  });
  if (missing.length > 0)
    throw new ImportParseError('IMPORT_HEADER_MISMATCH', 0, undefined, { missing, found: header });
  return { indexes };
}
