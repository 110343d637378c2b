/** Opening the customer grid from a desktop figure, and reading the drill filter back on the grid page. */
import { useMemo, useSyncExternalStore } from 'react';
import type { GridFilter } from '../../../../shared/api/grid';
import { drillFromHash, drillHref } from './drill-url';

export { drillFromHash, drillHref };

export function drillTo(filter: GridFilter, label: string): void {
  window.location.hash = drillHref(filter, label);
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
