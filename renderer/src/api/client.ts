/**
 * The renderer's single way to the services. In Electron the preload exposes `window.crm`; in
 * browser mode there is no preload and a fetch-based client is installed here instead. Everything
 * else calls `api(method, input)`, which returns the typed result or throws an ApiError.
 */
import type { z } from 'zod';
import { contract, type CrmClient, type Input, type MethodName, type Output } from '../../../shared/api';
import { type CallResult, type ErrorCode, type ErrorDetails, isWireError } from '../../../shared/errors';
import {
  createFetchClient,
  HOST_TOKEN_KEY,
  resolveHostToken,
  SESSION_KEY,
  TOKEN_HEADER,
  type KeyValueStore,
} from './transport';

/** A failed call as the renderer handles it: only the code and the safe details, never raw text. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, details?: ErrorDetails) {
    super(code);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
}

/** Anything thrown becomes an ApiError; unknown throwables are INTERNAL. */
export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError('INTERNAL');
}

/** Codes after which the renderer must return to the sign-in screen. */
export function isSessionLost(code: ErrorCode): boolean {
  return code === 'UNAUTHENTICATED' || code === 'SESSION_EXPIRED';
}

let client: CrmClient | null = null;
let session: string | null = null;
const lostListeners = new Set<(code: ErrorCode) => void>();

/** sessionStorage, or a memory stand-in when storage is unavailable (privacy settings, sandbox). */
function sessionStore(): KeyValueStore {
  try {
    const s = window.sessionStorage;
    const probe = '__crm_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    const mem = new Map<string, string>();
    return {
      getItem: (k) => mem.get(k) ?? null,
      setItem: (k, v) => void mem.set(k, v),
      removeItem: (k) => void mem.delete(k),
    };
  }
}

const store = sessionStore();

/**
 * Installs the client once, at start-up, before the first render. Browser mode: takes the host
 * token from `#token=...`, keeps it in sessionStorage and scrubs it from the visible URL.
 */
export function installClient(): CrmClient {
  if (client) return client;
  if (window.crm) {
    client = window.crm;
  } else {
    const { token, fragmentHadToken } = resolveHostToken(window.location.hash, store);
    if (fragmentHadToken) {
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
    }
    client = createFetchClient({
      token,
      store,
      fetchFn: (url, init) => window.fetch(url, init),
    });
    window.crm = client;
  }
  // A reload keeps the user signed in: the session string survives in sessionStorage.
  session = store.getItem(SESSION_KEY);
  client.setSession(session);
  return client;
}

function getClient(): CrmClient {
  return client ?? installClient();
}

export function clientMode(): 'electron' | 'browser' {
  return getClient().mode;
}

/** The session remembered from before a reload, if any. */
export function currentSession(): string | null {
  return session;
}

/** Remember the session for every later call (and across a reload); null signs the client out. */
export function setSession(next: string | null): void {
  session = next;
  if (next) store.setItem(SESSION_KEY, next);
  else store.removeItem(SESSION_KEY);
  getClient().setSession(next);
}

/** Called when any call reports UNAUTHENTICATED / SESSION_EXPIRED while a session was held. */
export function onSessionLost(listener: (code: ErrorCode) => void): () => void {
  lostListeners.add(listener);
  return () => {
    lostListeners.delete(listener);
  };
}

/** Calls one API method: the typed result, or a thrown ApiError with the code and safe details. */
export async function api<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> {
  let result: CallResult<Output<M>>;
  try {
    result = await getClient().call(method, input);
  } catch {
    throw new ApiError('INTERNAL');
  }
  if (result && typeof result === 'object' && result.ok === true) return result.value;
  const wire = result && typeof result === 'object' && result.ok === false ? result.error : undefined;
  const error = isWireError(wire) ? new ApiError(wire.code, wire.details) : new ApiError('INTERNAL');
  if (isSessionLost(error.code) && session !== null && method !== 'auth.signIn') {
    setSession(null);
    for (const l of lostListeners) l(error.code);
  }
  throw error;
}

/**
 * Checks an input against the method's own contract schema before sending it, so a form can name
 * the offending fields at once. Failures look exactly like the server's VALIDATION error.
 */
export function validateInput<M extends MethodName>(
  method: M,
  input: Input<M>,
): { ok: true; value: Input<M> } | { ok: false; error: ApiError } {
  const schema: z.ZodType = contract[method].input;
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data as Input<M> };
  return {
    ok: false,
    error: new ApiError('VALIDATION', {
      // the path, what broke and its bound, so the message can say what is wrong with each field
      issues: parsed.error.issues.map((i) => {
        const b = i as { minimum?: unknown; maximum?: unknown; origin?: unknown };
        return {
          path: i.path,
          code: i.code,
          ...(typeof b.minimum === 'number' ? { minimum: b.minimum } : {}),
          ...(typeof b.maximum === 'number' ? { maximum: b.maximum } : {}),
          ...(typeof b.origin === 'string' ? { origin: b.origin } : {}),
        };
      }),
    }),
  };
}

/**
 * Hands a finished file (an export) to the user. Electron: the main process shows a save dialog.
 * Browser mode: fetched from the host with the token and session headers, then saved by the browser.
 * Returns false when the user cancelled the dialog.
 */
export async function downloadFile(id: string, name: string): Promise<boolean> {
  const r = await api('files.save', { id });
  if (r.via === 'dialog') return r.saved;
  const headers: Record<string, string> = { 'X-CRM-Session': session ?? '' };
  const token = store.getItem(HOST_TOKEN_KEY);
  if (token) headers[TOKEN_HEADER] = token;
  const res = await window.fetch(`/api/file/${encodeURIComponent(id)}`, {
    headers,
    cache: 'no-store',
    credentials: 'same-origin',
  });
  if (!res.ok) throw new ApiError(res.status === 404 ? 'NOT_FOUND' : 'INTERNAL');
  saveBlob(await res.blob(), name);
  return true;
}

/** Saves bytes the page holds as a file (a blob: download; Electron asks where). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
