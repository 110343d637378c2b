/**
 * The profile editor's preview: the first rows of a file as they would be stored, each field
 * converted by the profile and references checked, and each row's reject reason if it would be
 * rejected. Reads only the start of the file and writes nothing.
 */
import type { Database } from 'better-sqlite3';
import type { PreviewResult, PreviewRow } from '../../../shared/api/imports';
import { IMPORT_FIELDS, type Encoding, type ImportProfile } from '../../../shared/imports';
import { compileConverter } from '../parse/convert';
import { preview, resolveColumns } from '../parse/source';
import { REF_REASON } from './kinds';
import { checkProfile } from './job';
import { RefResolver } from './ref-resolver';

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

export async function previewImport(
  db: Database,
  file: string,
  profile: ImportProfile,
  n: number,
  encoding?: Encoding,
): Promise<PreviewResult> {
  checkProfile(profile);
  const p = await preview(file, profile, n, { encoding });
  const { indexes } = resolveColumns(profile, p.header);
  const fields = IMPORT_FIELDS[profile.kind];
  const convs = profile.columns.map((c) => compileConverter(fields[c.field]!, c));
  const resolver = new RefResolver(db);
  const rows: PreviewRow[] = p.records.map((rec) => {
    const values: Record<string, string | null> = {};
    let reject: PreviewRow['reject'] = rec.problem
      ? { field: null, column: rec.problem.column ?? null, value: null, reason: rec.problem.reason }
      : null;
    profile.columns.forEach((c, i) => {
      const at = indexes[i]!;
      const raw =
        profile.format === 'fixed'
          ? (rec.fields[i] ?? '')
          : at < 0
            ? ''
            : profile.format === 'xlsx'
              ? (rec.fields[at] ?? '')
              : rec.fields[at];
      const column = profile.format === 'fixed' ? (rec.cols?.[i] ?? null) : at >= 0 ? (rec.cols?.[at] ?? null) : null;
      if (raw === undefined) {
        values[c.field] = null;
        reject ??= { field: c.field, column: null, value: null, reason: 'field_count' };
        return;
      }
      const r = convs[i]!(raw);
      if (!r.ok) {
        values[c.field] = raw;
        reject ??= { field: c.field, column, value: raw, reason: r.reason };
        return;
      }
      const spec = fields[c.field]!;
      if (spec.ref && r.value !== null && resolver.resolve(spec.ref, String(r.value)) === null) {
        reject ??= { field: c.field, column, value: raw, reason: REF_REASON[spec.ref] };
      }
      values[c.field] = display(spec.type, r.value);
    });
    return { line: rec.line, values, reject };
  });
  return {
    header: p.header,
    rows,
    encoding: p.encoding,
    detected: p.detected ? { encoding: p.detected.encoding, confidence: p.detected.confidence } : null,
    sheet: p.sheet,
  };
}
