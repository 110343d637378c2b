/**
 * A report's state in its URL: #/reports/<report>?f=<filter as JSON>. Applying filters rewrites the
 * current history entry (no new Back step per change), so Back from a drill into the customer grid
 * returns to the report as it was filtered, and a reload or a copied link keeps it. Pure.
 */
import { reportFilterSchema, type ReportFilterInput, type ReportName } from '../../../../shared/api';

export function reportHash(report: ReportName, filter: ReportFilterInput): string {
  const f = Object.keys(filter).length ? `?f=${encodeURIComponent(JSON.stringify(filter))}` : '';
  return `#/reports/${report}${f}`;
}

/**
 * The filter in a report URL, validated like the API input; {} when absent or not valid. A link may
 * also carry just a migration period, ?from=YYYY-MM-DD&to=YYYY-MM-DD (a re-tier digest opens the
 * migration over its day).
 */
export function reportFilterFromHash(hash: string): ReportFilterInput {
  const q = hash.indexOf('?');
  if (q < 0) return {};
  const params = new URLSearchParams(hash.slice(q + 1));
  const raw = params.get('f');
  if (!raw) {
    const date = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
    const from = date(params.get('from'));
    const to = date(params.get('to'));
    return { ...(from ? { migrationFrom: from } : {}), ...(to ? { migrationTo: to } : {}) };
  }
  try {
    const parsed = reportFilterSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
