/**
 * Browser-mode transport: a fetch-based CrmClient talking to the loopback host, plus the host-token
 * hand-over from the URL fragment. Pure (no DOM globals) so unit tests can drive it with fakes.
 */
import type { CallEnvelope, CrmClient, Input, MethodName, Output } from '../../../shared/api';
import { isWireError, type CallResult } from '../../../shared/errors';

/** Where the fetch client keeps its state (sessionStorage in the browser). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface FetchInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  credentials: 'same-origin';
  cache: 'no-store';
}

export interface FetchResponseLike {
  readonly status: number;
  text(): Promise<string>;
}

export type FetchFn = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

export const HOST_TOKEN_KEY = 'crm.hostToken';
export const SESSION_KEY = 'crm.session';
export const CALL_PATH = '/api/call';
export const TOKEN_HEADER = 'X-CRM-Token';

/** The one failure a broken transport may report: no internals ever reach the screen. */
export const INTERNAL_FAILURE: CallResult<never> = { ok: false, error: { code: 'INTERNAL' } };

/**
 * Reads `token=...` from a URL fragment such as `#token=XYZ` (other fragment parameters are
 * ignored). Returns null when the fragment carries no token.
 */
export function tokenFromFragment(hash: string): string | null {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!raw.includes('token=')) return null;
  const params = new URLSearchParams(raw.startsWith('/') ? '' : raw);
  const token = params.get('token');
  return token?.trim() ? token.trim() : null;
}

/**
 * Takes the host token from the fragment (remembering it in `store`) or, on a reload, from `store`.
 * `fragmentHadToken` tells the caller to scrub the token from the visible URL.
 */
export function resolveHostToken(
  hash: string,
  store: KeyValueStore,
): { token: string | null; fragmentHadToken: boolean } {
  const fromUrl = tokenFromFragment(hash);
  if (fromUrl) {
    store.setItem(HOST_TOKEN_KEY, fromUrl);
    return { token: fromUrl, fragmentHadToken: true };
  }
  return { token: store.getItem(HOST_TOKEN_KEY), fragmentHadToken: false };
}

/** Accepts only a well-formed CallResult; anything else becomes INTERNAL. */
export function toCallResult<T>(body: unknown): CallResult<T> {
  if (typeof body !== 'object' || body === null) return INTERNAL_FAILURE;
  const r = body as { ok?: unknown; value?: unknown; error?: unknown };
  if (r.ok === true && 'value' in r) return { ok: true, value: r.value as T };
  if (r.ok === false && isWireError(r.error)) {
    const details = (r.error as { details?: unknown }).details;
    return typeof details === 'object' && details !== null && !Array.isArray(details)
      ? { ok: false, error: { code: r.error.code, details: details as Record<string, unknown> } }
      : { ok: false, error: { code: r.error.code } };
  }
  return INTERNAL_FAILURE;
}

export interface FetchClientOptions {
  token: string | null;
  fetchFn: FetchFn;
  store: KeyValueStore;
  /** Defaults to the same-origin CALL_PATH. */
  url?: string;
}

/** A CrmClient for browser mode: POST /api/call with the host token; the session travels in the body. */
export function createFetchClient(opts: FetchClientOptions): CrmClient {
  let session: string | null = opts.store.getItem(SESSION_KEY);
  const url = opts.url ?? CALL_PATH;

  async function call<M extends MethodName>(method: M, input: Input<M>): Promise<CallResult<Output<M>>> {
    const envelope: CallEnvelope = { method, input, session };
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (opts.token) headers[TOKEN_HEADER] = opts.token;
    let text: string;
    try {
      const res = await opts.fetchFn(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(envelope),
        credentials: 'same-origin',
        cache: 'no-store',
      });
      text = await res.text();
    } catch {
      return INTERNAL_FAILURE;
    }
    try {
      return toCallResult<Output<M>>(JSON.parse(text));
    } catch {
      return INTERNAL_FAILURE;
    }
  }

  return {
    mode: 'browser',
    call,
    setSession(next: string | null): void {
      session = next;
      if (next) opts.store.setItem(SESSION_KEY, next);
      else opts.store.removeItem(SESSION_KEY);
    },
  };
}
