/** Opening the customer grid from a figure, and reading the drill filter back on the grid page. */
import { useMemo, useSyncExternalStore } from 'react';
import type { GridFilter } from '../../../../shared/api/grid';
import { type Drill, drillFromHash, drillHref, originLabel } from './drill-url';

export { drillFromHash, drillHref, originLabel, type Drill };

/** Opens the grid on the filter; the page it is called from (the current URL, with its state) is the drill's origin. */
export function drillTo(filter: GridFilter, label: string): void {
  window.location.hash = drillHref(filter, label, window.location.hash);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The drill filter of the current URL (stable while the hash does not change). */
export function useDrill(): Drill | null {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => drillFromHash(hash), [hash]);
}
