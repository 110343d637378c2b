import { useCallback, useEffect, useRef, useState } from 'react';
import type { Input, MethodName, Output } from '../../../shared/api';
import { api, toApiError, type ApiError } from './client';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Runs the call again with the same input. */
  reload: () => void;
}

/**
 * Reads of what the branch's PCs share (queues, contacts, opportunities, lists, reminders, users): they
 * reload when the hub's changes arrive. Not editors' sources (desktops, templates, settings: what the
 * user is editing must not be replaced under them) nor customer reads (those are audited or rate-limited).
 */
const LIVE = /^(referrals|contacts|opportunities|campaigns|reminders|lists|queries|users|sync)\./;

/**
 * Loads `method(input)` whenever the method or the input (compared by value) changes. Out-of-order
 * answers are dropped: only the latest request may set the state. Pass `enabled: false` to wait.
 */
export function useApi<M extends MethodName>(
  method: M,
  input: Input<M>,
  options: { enabled?: boolean } = {},
): ApiState<Output<M>> {
  const enabled = options.enabled ?? true;
  const key = `${method}\u0000${JSON.stringify(input)}`;
  const inputRef = useRef(input);
  inputRef.current = input;
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ data?: Output<M>; error?: ApiError; loading: boolean }>({ loading: enabled });

  // `key` stands for method + input by value (the input object is new on every render); `tick` is reload().
  // biome-ignore lint/correctness/useExhaustiveDependencies: key and tick are the deliberate triggers
  useEffect(() => {
    if (!enabled) {
      setState((s) => (s.loading ? { ...s, loading: false } : s));
      return;
    }
    let live = true;
    setState((s) => ({ data: s.data, loading: true }));
    api(method, inputRef.current).then(
      (data) => {
        if (live) setState({ data, loading: false });
      },
      (e: unknown) => {
        if (live) setState({ error: toApiError(e), loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [key, tick, enabled]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  // On a PC joined to a branch hub, what other PCs did arrives in the background: views of shared work
  // reload when it does (pages/sync/SyncIndicator.tsx), keeping what they show meanwhile.
  const live = LIVE.test(method);
  useEffect(() => {
    if (!enabled || !live) return;
    window.addEventListener('crm:sync-changed', reload);
    return () => window.removeEventListener('crm:sync-changed', reload);
  }, [enabled, live, reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Runs a mutating call with a busy flag and a last error; the caller decides what to do next. */
export function useAction(): {
  busy: boolean;
  error: ApiError | undefined;
  run: <T>(work: () => Promise<T>) => Promise<T | undefined>;
  clearError: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await work();
    } catch (e) {
      setError(toApiError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => setError(undefined), []);
  return { busy, error, run, clearError };
}
