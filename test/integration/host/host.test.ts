import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../main/host/server';
import { makeWorld, TEST_PASSWORD, type World } from '../support/store';

let w: World;
let host: RunningHost;

beforeAll(async () => {
  w = await makeWorld();
  const dir = path.join(w.dir, 'renderer');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>CRM</title>');
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(w.dir, 'secret.txt'), 'outside the renderer folder');
  host = await startHost({ registry: w.registry, rendererDir: dir });
});
afterAll(async () => {
  await host.close();
  w.close();
});

/** Raw HTTP so the test controls every header, including Host. */
function request(opts: {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: host.port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { Host: `127.0.0.1:${host.port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

const apiCall = (body: unknown, headers: Record<string, string> = {}) =>
  request({
    method: 'POST',
    path: '/api/call',
    headers: { 'Content-Type': 'application/json', 'X-CRM-Token': host.token, ...headers },
    body: JSON.stringify(body),
  });

describe('browser-mode host', () => {
  it('listens on 127.0.0.1 with a random token in the URL fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers a valid call with the registry result', async () => {
    const r = await apiCall({ method: 'auth.signIn', input: { username: 'president', password: TEST_PASSWORD } });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(body.ok).toBe(true);
    const count = await apiCall({ method: 'customers.count', input: {}, session: body.value.session });
    expect(JSON.parse(count.body)).toEqual({ ok: true, value: { total: 6 } });
  });

  it('refuses an API call without the token, or with a wrong one', async () => {
    const none = await request({
      method: 'POST',
      path: '/api/call',
      headers: { 'Content-Type': 'application/json' },
      body: '{"method":"system.info"}',
    });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toEqual({ ok: false, error: { code: 'HOST_TOKEN' } });
    const wrong = await apiCall({ method: 'system.info', input: {} }, { 'X-CRM-Token': 'x'.repeat(host.token.length) });
    expect(wrong.status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    for (const h of ['evil.example:80', `evil.example:${host.port}`, `127.0.0.1.nip.io:${host.port}`, '127.0.0.1']) {
      const r = await apiCall({ method: 'system.info', input: {} }, { Host: h });
      expect(r.status, h).toBe(403);
      expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'HOST_FORBIDDEN' } });
    }
    const page = await request({ path: '/', headers: { Host: 'attacker.test' } });
    expect(page.status).toBe(403);
  });

  it('accepts localhost as the same host', async () => {
    const r = await apiCall({ method: 'system.info', input: {} }, { Host: `localhost:${host.port}` });
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { mode: 'browser' } });
  });

  it('refuses a foreign Origin and never answers CORS preflights', async () => {
    const r = await apiCall({ method: 'system.info', input: {} }, { Origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    const pre = await request({
      method: 'OPTIONS',
      path: '/api/call',
      headers: { Origin: `http://127.0.0.1:${host.port}`, 'Access-Control-Request-Method': 'POST' },
    });
    expect(pre.status).toBe(405);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses malformed bodies and non-JSON content types', async () => {
    const bad = await request({
      method: 'POST',
      path: '/api/call',
      headers: { 'Content-Type': 'application/json', 'X-CRM-Token': host.token },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    const form = await request({
      method: 'POST',
      path: '/api/call',
      headers: { 'Content-Type': 'text/plain', 'X-CRM-Token': host.token },
      body: '{}',
    });
    expect(form.status).toBe(415);
    const big = await apiCall({ method: 'system.info', input: { pad: 'x'.repeat(1_200_000) } });
    expect(big.status).toBe(413);
  });

  it('serves the renderer with a strict CSP and no path traversal', async () => {
    const index = await request({ path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect((await request({ path: '/assets/app.js' })).status).toBe(200);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const r = await request({ path: p });
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('outside the renderer');
    }
  });
});

describe('file downloads (exports)', () => {
  it('serve a finished file only with the token and the owner session', async () => {
    const signIn = async (u: string) =>
      JSON.parse((await apiCall({ method: 'auth.signIn', input: { username: u, password: TEST_PASSWORD } })).body).value
        .session as string;
    const owner = await signIn('president');
    const other = await signIn('manager1');
    const ownerId = (w.db.prepare(`SELECT id FROM users WHERE username = 'president'`).get() as { id: number }).id;
    const file = path.join(w.dir, 'export.csv');
    writeFileSync(file, '客户号\r\n0001\r\n');
    const id = w.services.vault.register(file, '客户清单.csv', ownerId);
    const get = (headers: Record<string, string>) => request({ path: `/api/file/${id}`, headers });
    const ok = await get({ 'X-CRM-Token': host.token, 'X-CRM-Session': owner });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('客户号\r\n0001\r\n');
    expect(ok.headers['content-disposition']).toContain(encodeURIComponent('客户清单.csv'));
    expect((await get({ 'X-CRM-Session': owner })).status).toBe(401);
    expect((await get({ 'X-CRM-Token': host.token, 'X-CRM-Session': other })).status).toBe(404);
    expect((await get({ 'X-CRM-Token': host.token })).status).toBe(404);
    expect(
      (
        await request({
          path: '/api/file/../../etc/passwd',
          headers: { 'X-CRM-Token': host.token, 'X-CRM-Session': owner },
        })
      ).status,
    ).toBe(404);
  });
});
