/**
 * A page's own view state (tab, filter, page, chosen row) kept in its history entry, so Back from a
 * customer 360 or a drill returns to the list as it was left, not to its defaults. The state rides in
 * `history.state` under the page's key (replaceState: no new Back step per change), next to the scroll
 * position that scroll-memory.ts keeps; a new visit (a new entry) starts from the initial value.
 */
import { useEffect, useState } from 'react';

function stored<T>(key: string): T | undefined {
  const state = window.history.state as Record<string, unknown> | null;
  return state && `ui:${key}` in state ? (state[`ui:${key}`] as T) : undefined;
}

export function useHistoryState<T>(key: string, initial: T | (() => T)): [T, (v: T | ((prev: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => {
    const s = stored<T>(key);
    if (s !== undefined) return s;
    return typeof initial === 'function' ? (initial as () => T)() : initial;
  });
  useEffect(() => {
    const state = (window.history.state ?? {}) as Record<string, unknown>;
    window.history.replaceState({ ...state, [`ui:${key}`]: value }, '');
  }, [key, value]);
  return [value, setValue];
}
