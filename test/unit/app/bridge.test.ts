import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallEnvelope } from '../../../shared/api';
import type { CallResult } from '../../../shared/errors';
import { handleCall, registerBridge, type BridgeOptions } from '../../../main/ipc/bridge';
import { CRM_CALL_CHANNEL } from '../../../main/ipc/channel';
import { checkEnvelope } from '../../../main/ipc/envelope';

const APP_URL = pathToFileURL('/opt/branch-crm/out/renderer/index.html').href;
const APP_WC_ID = 7;

type Handler = (event: unknown, raw: unknown) => Promise<CallResult<unknown>>;

function fakeIpc() {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle: vi.fn((channel: string, fn: Handler) => void handlers.set(channel, fn)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  };
}

function frame(url: string, parent: unknown = null) {
  return { url, parent };
}

function event(opts: { url?: string; parent?: unknown; wcId?: number; noFrame?: boolean; disposed?: boolean } = {}) {
  let senderFrame: unknown = frame(opts.url ?? `${APP_URL}#/customers`, opts.parent ?? null);
  if (opts.noFrame) senderFrame = null;
  if (opts.disposed) {
    senderFrame = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      parent: null,
    };
  }
  return { sender: { id: opts.wcId ?? APP_WC_ID }, senderFrame } as never;
}

function setup(dispatch?: (env: CallEnvelope) => Promise<CallResult<unknown>>) {
  const ipc = fakeIpc();
  const calls: { env: CallEnvelope; meta: unknown }[] = [];
  const opts: BridgeOptions = {
    ipcMain: ipc as never,
    appUrl: APP_URL,
    isAppWebContents: (wc) => wc.id === APP_WC_ID,
    registry: {
      dispatch: vi.fn(async (env: CallEnvelope, meta: unknown) => {
        calls.push({ env, meta });
        return dispatch ? dispatch(env) : { ok: true as const, value: { echoed: env.method } };
      }),
    },
  };
  return { ipc, opts, calls };
}

const good = { method: 'system.info', input: {}, session: null };

// Refusals are logged as warnings by design; keep the test output readable.
const savedLog = process.env.CRM_LOG;
beforeAll(() => {
  process.env.CRM_LOG = 'silent';
});
afterAll(() => {
  if (savedLog === undefined) delete process.env.CRM_LOG;
  else process.env.CRM_LOG = savedLog;
});
afterEach(() => vi.restoreAllMocks());

describe('registerBridge', () => {
  it('registers exactly one channel and can unregister it', () => {
    const { ipc, opts } = setup();
    const off = registerBridge(opts);
    expect(ipc.handle).toHaveBeenCalledTimes(1);
    expect([...ipc.handlers.keys()]).toEqual([CRM_CALL_CHANNEL]);
    off();
    expect(ipc.handlers.size).toBe(0);
  });

  it('dispatches a trusted, well-formed call with adapter "ipc"', async () => {
    const { ipc, opts, calls } = setup();
    registerBridge(opts);
    const result = await ipc.handlers.get(CRM_CALL_CHANNEL)!(event(), { ...good, session: 'abc' });
    expect(result).toEqual({ ok: true, value: { echoed: 'system.info' } });
    expect(calls).toEqual([{ env: { method: 'system.info', input: {}, session: 'abc' }, meta: { adapter: 'ipc' } }]);
  });
});

describe('handleCall: sender checks', () => {
  const forbidden = { ok: false, error: { code: 'FORBIDDEN' } };

  it.each([
    ['no frame', { noFrame: true }],
    ['a disposed frame', { disposed: true }],
    ['a sub-frame', { parent: frame(APP_URL) }],
    ['another webContents', { wcId: 99 }],
    ['another local file', { url: 'file:///tmp/evil.html' }],
    ['a remote page', { url: 'https://evil.example/' }],
    ['about:blank', { url: 'about:blank' }],
  ])('refuses %s without reaching the registry', async (_name, opts) => {
    const { opts: bridge, calls } = setup();
    expect(await handleCall(bridge, event(opts), good)).toEqual(forbidden);
    expect(calls).toHaveLength(0);
  });
});

describe('handleCall: envelope and errors', () => {
  it('refuses malformed envelopes with VALIDATION', async () => {
    const { opts, calls } = setup();
    for (const raw of [
      null,
      'system.info',
      [good],
      { method: 42 },
      { method: '' },
      { method: 'x'.repeat(101) },
      { method: 'a.b', session: 5 },
      { method: 'a.b', session: 'x'.repeat(513) },
    ]) {
      const r = await handleCall(opts, event(), raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('VALIDATION');
    }
    expect(calls).toHaveLength(0);
  });

  it('passes registry errors through as values', async () => {
    const { opts } = setup(async () => ({ ok: false, error: { code: 'UNKNOWN_METHOD', details: { method: 'nope' } } }));
    expect(await handleCall(opts, event(), { method: 'nope', input: null })).toEqual({
      ok: false,
      error: { code: 'UNKNOWN_METHOD', details: { method: 'nope' } },
    });
  });

  it('turns a throwing registry into INTERNAL without leaking the message', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { opts } = setup(async () => {
      throw new Error('SQLITE_ERROR: no such column secret_stuff');
    });
    const r = await handleCall(opts, event(), good);
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain('secret_stuff');
    expect(stderr).toHaveBeenCalled();
  });
});

describe('checkEnvelope', () => {
  it('keeps only method, input and session', () => {
    const c = checkEnvelope({ method: 'customers.search', input: { q: '张' }, session: undefined, extra: 'dropped' });
    expect(c).toEqual({ ok: true, envelope: { method: 'customers.search', input: { q: '张' }, session: null } });
  });
});
