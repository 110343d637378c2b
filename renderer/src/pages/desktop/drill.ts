/**
 * Drill-down from a desktop figure into the customer grid: the grid opens with exactly the filter
 * behind the figure, carried in the URL (#/customers?filter=<json>&label=<text>), so a reload or the
 * back button keeps it. CustomersPage reads it with `drillFromHash`.
 */
import { useMemo, useSyncExternalStore } from 'react';
import { gridFilterSchema, type GridFilter } from '../../../../shared/api/grid';

export function drillHref(filter: GridFilter, label: string): string {
  return `#/customers?filter=${encodeURIComponent(JSON.stringify(filter))}&label=${encodeURIComponent(label)}`;
}

export function drillTo(filter: GridFilter, label: string): void {
  window.location.hash = drillHref(filter, label);
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

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The drill filter of the current URL (stable while the hash does not change). */
export function useDrill(): { filter: GridFilter; label: string } | null {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => drillFromHash(hash), [hash]);
}
