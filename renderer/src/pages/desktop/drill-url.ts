/**
 * Drill-down URLs: a desktop figure opens the customer grid with exactly the filter behind it, carried
 * in the URL (#/customers?filter=<json>&label=<text>), so a reload or the back button keeps it. Pure
 * functions (no DOM), shared by the page helpers in ./drill.ts and the tests.
 */
import { gridFilterSchema, type GridFilter } from '../../../../shared/api/grid';

export function drillHref(filter: GridFilter, label: string): string {
  return `#/customers?filter=${encodeURIComponent(JSON.stringify(filter))}&label=${encodeURIComponent(label)}`;
}

/** The drill filter in a "#/customers?..." hash, validated like any API input; null when absent or not valid. */
export function drillFromHash(hash: string): { filter: GridFilter; label: string } | null {
  const q = hash.indexOf('?');
  if (q < 0) return null;
  const params = new URLSearchParams(hash.slice(q + 1));
  const raw = params.get('filter');
  if (!raw) return null;
  try {
    const parsed = gridFilterSchema.safeParse(JSON.parse(raw));
    return parsed.success ? { filter: parsed.data, label: params.get('label') ?? '' } : null;
  } catch {
    return null;
  }
}
