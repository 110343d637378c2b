/**
 * The preview: the whole file run through the import engine itself as a dry run (runImport with
 * `dryRun`: same reading, conversion, identifier checks, references and upserts inside a transaction
 * that is rolled back), so a row the preview calls good is a row the import accepts, and the reverse.
 * Reads the whole file, streaming; keeps only the counts and the first rows of each verdict, bad rows
 * first. The display values of the rows kept are the converted fields (references by their code).
 */
import os from 'node:os';
import type { Database } from 'better-sqlite3';
import type { PreviewResult, PreviewRow } from '../../../shared/api/imports';
import { IMPORT_FIELDS, type Encoding, type ImportProfile } from '../../../shared/imports';
import { compileConverter } from '../parse/convert';
import { type OpenedSource, presentColumns, resolveColumns, type SourceRecord } from '../parse/source';
import { checkProfile, type RejectInfo } from './job';
import { runImport } from './run';

function display(type: string, v: string | number | null): string | null {
  if (v === null) return null;
  if (type === 'amount' && typeof v === 'number') {
    const a = Math.abs(v);
    return `${v < 0 ? '-' : ''}${Math.trunc(a / 100).toLocaleString('en-US')}.${String(a % 100).padStart(2, '0')}`;
  }
  if (type === 'rate' && typeof v === 'number')
    return `${(v / 10_000).toFixed(4).replace(/0+$/, '').replace(/\.$/, '')}%`;
  return String(v);
}

export interface PreviewOptions {
  encoding?: Encoding;
  /** Checked between batches; true stops the preview (IMPORT_CANCELLED). */
  cancelled?: () => boolean;
}

/**
 * `n` rows of each verdict at most: the first `n` rejected rows, then the first `n` good ones.
 * Throws the import's own errors (ImportParseError, JobError) for a file that cannot be read.
 */
export async function previewImport(
  db: Database,
  file: string,
  profile: ImportProfile,
  n: number,
  opts: PreviewOptions = {},
): Promise<PreviewResult> {
  checkProfile(profile);
  const fields = IMPORT_FIELDS[profile.kind];
  let used = profile;
  let convs = profile.columns.map((c) => compileConverter(fields[c.field]!, c));
  let opened: OpenedSource | null = null;
  let indexes: number[] = [];
  const bad: PreviewRow[] = [];
  const good: PreviewRow[] = [];
  let goodCount = 0;
  let badCount = 0;

  const valuesOf = (rec: SourceRecord): Record<string, string | null> => {
    const values: Record<string, string | null> = {};
    used.columns.forEach((c, i) => {
      const at = indexes[i]!;
      const raw =
        profile.format === 'fixed'
          ? (rec.fields[i] ?? '')
          : at < 0
            ? ''
            : profile.format === 'xlsx'
              ? (rec.fields[at] ?? '')
              : rec.fields[at];
      if (raw === undefined) {
        values[c.field] = null;
        return;
      }
      const r = convs[i]!(raw);
      values[c.field] = r.ok ? display(fields[c.field]!.type, r.value) : raw;
    });
    return values;
  };

  const out = await runImport(db, {
    file,
    profile,
    tolerance: 0,
    encoding: opts.encoding,
    rejectsDir: os.tmpdir(),
    cancelled: opts.cancelled,
    onOpened: (src) => {
      opened = src;
      used = presentColumns(profile, src.header); // as the engine does: absent optional columns left out
      convs = used.columns.map((c) => compileConverter(fields[c.field]!, c));
      indexes = resolveColumns(used, src.header).indexes;
    },
    dryRun: (rec, reject: RejectInfo | null) => {
      if (reject) {
        badCount++;
        if (bad.length < n)
          bad.push({
            line: rec.line,
            values: valuesOf(rec),
            reject: { field: reject.field, column: reject.column, value: reject.value, reason: reject.reason },
          });
      } else {
        goodCount++;
        if (good.length < n) good.push({ line: rec.line, values: valuesOf(rec), reject: null });
      }
    },
  });
  const src = opened as OpenedSource | null;
  return {
    header: src?.header ?? null,
    rows: [...bad, ...good],
    counts: { read: out.rowsRead, good: goodCount, bad: badCount },
    encoding: src?.encoding ?? null,
    detected: src?.detected ? { encoding: src.detected.encoding, confidence: src.detected.confidence } : null,
    sheet: src?.sheet ?? null,
  };
}
