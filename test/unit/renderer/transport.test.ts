import { describe, expect, it } from 'vitest';
import {
  createFetchClient,
  HOST_TOKEN_KEY,
  resolveHostToken,
  SESSION_KEY,
  toCallResult,
  tokenFromFragment,
  type FetchFn,
  type FetchInit,
  type KeyValueStore,
} from '../../../renderer/src/api/transport';

function memoryStore(init: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(init));
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function fakeFetch(status: number, body: string | Error) {
  const calls: { url: string; init: FetchInit }[] = [];
  const fn: FetchFn = async (url, init) => {
    calls.push({ url, init });
    if (body instanceof Error) throw body;
    return { status, text: async () => body };
  };
  return { fn, calls };
}

describe('host token hand-over', () => {
  it('reads the token from the fragment', () => {
    expect(tokenFromFragment('#token=XYZ')).toBe('XYZ');
    expect(tokenFromFragment('#token=a%2Bb&lang=en')).toBe('a+b');
    expect(tokenFromFragment('#/home')).toBeNull();
    expect(tokenFromFragment('')).toBeNull();
    expect(tokenFromFragment('#token=')).toBeNull();
  });

  it('keeps the token in storage and finds it again after a reload', () => {
    const store = memoryStore();
    expect(resolveHostToken('#token=T1', store)).toEqual({ token: 'T1', fragmentHadToken: true });
    expect(store.data.get(HOST_TOKEN_KEY)).toBe('T1');
    expect(resolveHostToken('#/customers', store)).toEqual({ token: 'T1', fragmentHadToken: false });
  });
});

describe('fetch client', () => {
  it('POSTs the envelope to /api/call with the host token header', async () => {
    const f = fakeFetch(200, JSON.stringify({ ok: true, value: { total: 3 } }));
    const client = createFetchClient({ token: 'HT', fetchFn: f.fn, store: memoryStore() });
    expect(client.mode).toBe('browser');
    const r = await client.call('customers.count', {});
    expect(r).toEqual({ ok: true, value: { total: 3 } });
    expect(f.calls).toHaveLength(1);
    const { url, init } = f.calls[0]!;
    expect(url).toBe('/api/call');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'Content-Type': 'application/json', 'X-CRM-Token': 'HT' });
    expect(JSON.parse(init.body)).toEqual({ method: 'customers.count', input: {}, session: null });
  });

  it('sends the session after setSession and keeps it in storage', async () => {
    const f = fakeFetch(200, JSON.stringify({ ok: true, value: { ok: true } }));
    const store = memoryStore();
    const client = createFetchClient({ token: 'HT', fetchFn: f.fn, store });
    client.setSession('S-1');
    expect(store.data.get(SESSION_KEY)).toBe('S-1');
    await client.call('auth.signOut', {});
    expect(JSON.parse(f.calls[0]!.init.body).session).toBe('S-1');
    client.setSession(null);
    expect(store.data.has(SESSION_KEY)).toBe(false);
  });

  it('starts with the session remembered from before a reload', async () => {
    const f = fakeFetch(200, JSON.stringify({ ok: true, value: {} }));
    const client = createFetchClient({ token: null, fetchFn: f.fn, store: memoryStore({ [SESSION_KEY]: 'S-old' }) });
    await client.call('auth.me', {});
    expect(JSON.parse(f.calls[0]!.init.body).session).toBe('S-old');
    expect(f.calls[0]!.init.headers['X-CRM-Token']).toBeUndefined();
  });

  it('parses error results also on HTTP 4xx', async () => {
    const f = fakeFetch(401, JSON.stringify({ ok: false, error: { code: 'BAD_CREDENTIALS' } }));
    const client = createFetchClient({ token: 'HT', fetchFn: f.fn, store: memoryStore() });
    expect(await client.call('auth.signIn', { username: 'a', password: 'b' })).toEqual({
      ok: false,
      error: { code: 'BAD_CREDENTIALS' },
    });
    const g = fakeFetch(
      403,
      JSON.stringify({ ok: false, error: { code: 'ACCOUNT_LOCKED', details: { lockedUntil: 'x' } } }),
    );
    const c2 = createFetchClient({ token: 'HT', fetchFn: g.fn, store: memoryStore() });
    expect(await c2.call('auth.me', {})).toEqual({
      ok: false,
      error: { code: 'ACCOUNT_LOCKED', details: { lockedUntil: 'x' } },
    });
  });

  it('maps unparsable bodies, unknown shapes and network failures to INTERNAL', async () => {
    for (const body of [
      '<html>502</html>',
      '',
      'null',
      '{"ok":false,"error":{"code":"NOPE"}}',
      '{"value":1}',
      new Error('offline'),
    ]) {
      const f = fakeFetch(502, body);
      const client = createFetchClient({ token: 'HT', fetchFn: f.fn, store: memoryStore() });
      expect(await client.call('system.info', {})).toEqual({ ok: false, error: { code: 'INTERNAL' } });
    }
  });

  it('drops non-object details', () => {
    expect(toCallResult({ ok: false, error: { code: 'FORBIDDEN', details: 'stack trace here' } })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
