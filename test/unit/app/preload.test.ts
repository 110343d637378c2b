import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', '..');
// Comments are stripped so prose such as "may require() nothing" does not count as code.
const SOURCE = readFileSync(path.join(ROOT, 'main/preload/index.ts'), 'utf8')
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/^\s*\/\/.*$/gm, '');

describe('preload source (static)', () => {
  it('exposes exactly one key, "crm"', () => {
    const exposures = [...SOURCE.matchAll(/exposeInMainWorld\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(exposures).toEqual(['crm']);
    expect(SOURCE).not.toMatch(/exposeInIsolatedWorld|webFrame|process\.|require\(/);
  });

  it('imports only electron, types, and the channel constant', () => {
    const imports = [...SOURCE.matchAll(/^import\s+(type\s+)?[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => ({
      typeOnly: !!m[1],
      from: m[2],
    }));
    for (const imp of imports) {
      if (imp.typeOnly) continue;
      expect(['electron', '../ipc/channel']).toContain(imp.from);
    }
    // Anything from shared/ must be erased at build time, or the sandboxed bundle would drag in zod.
    expect(imports.filter((i) => i.from?.includes('shared/')).every((i) => i.typeOnly)).toBe(true);
  });
});

describe('preload behaviour (fake electron)', () => {
  const exposed = new Map<string, unknown>();
  const invoke = vi.fn(async (_channel: string, _envelope: unknown): Promise<unknown> => ({ ok: true, value: 1 }));

  beforeAll(async () => {
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: { invoke },
    }));
    await import('../../../main/preload/index');
  });

  it('exposes a CrmClient with mode, call and setSession only', () => {
    expect([...exposed.keys()]).toEqual(['crm']);
    const client = exposed.get('crm') as Record<string, unknown>;
    expect(Object.keys(client).sort()).toEqual(['call', 'mode', 'setSession']);
    expect(client.mode).toBe('electron');
  });

  it('sends {method, input, session} on the one channel and remembers the session', async () => {
    const client = exposed.get('crm') as {
      call: (m: string, i: unknown) => Promise<unknown>;
      setSession: (s: unknown) => void;
    };
    await client.call('system.info', {});
    client.setSession('tok-1');
    await client.call('customers.search', { q: '王' });
    client.setSession(null);
    await client.call('auth.me', {});
    client.setSession(42);
    await client.call('auth.me', {});
    expect(invoke.mock.calls).toEqual([
      ['crm:call', { method: 'system.info', input: {}, session: null }],
      ['crm:call', { method: 'customers.search', input: { q: '王' }, session: 'tok-1' }],
      ['crm:call', { method: 'auth.me', input: {}, session: null }],
      ['crm:call', { method: 'auth.me', input: {}, session: null }],
    ]);
  });

  it('turns a failed invoke into an error value', async () => {
    invoke.mockRejectedValueOnce(new Error('An object could not be cloned.'));
    const client = exposed.get('crm') as { call: (m: string, i: unknown) => Promise<unknown> };
    await expect(client.call('system.info', {})).resolves.toEqual({
      ok: false,
      error: { code: 'INTERNAL', details: { reason: 'ipc_transport' } },
    });
  });
});
