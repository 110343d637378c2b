import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CallEnvelope } from '../../shared/api';
import type { CallResult, ErrorCode } from '../../shared/errors';
import { CONTENT_SECURITY_POLICY } from '../app/csp';
import { log } from '../log';
import type { Registry } from '../registry';
import type { UpgradeState } from '../../db/upgrade-progress';
import { parseTextLang, UPGRADE_PAGE_SCRIPT, upgradeBodyHtml, upgradeDocumentHtml } from '../upgrade/page';
import { storeText } from '../store-messages';

/**
 * Browser mode: the same registry as the Electron IPC bridge, behind HTTP on 127.0.0.1 only.
 * Guards: a random per-run token in a custom header on every API call (a foreign page cannot
 * set it without a CORS preflight, which this host never answers), the Host header must name the
 * loopback address (defeats DNS rebinding), and a present Origin must be our own.
 */
export interface HostOptions {
  /**
   * The app's calls. Absent while the store is still opening (an upgrade: issue 18.2): the host then
   * serves the upgrade progress page at the app's own URL and `/api/upgrade`, and calls are refused as
   * busy until `ready(registry)`; the page reloads into the app by itself.
   */
  registry?: Registry;
  /** What the store's upgrade is doing, while there is no registry. */
  upgrade?: () => UpgradeState;
  rendererDir: string;
  port?: number;
  /** Tests may inject a token; a real run always gets a fresh random one. */
  token?: string;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  /** The store is open: serve the app from now on. */
  ready(registry: Registry): void;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sendJson(res: ServerResponse, status: number, body: CallResult<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, code: ErrorCode): void {
  sendJson(res, status, { ok: false, error: { code } });
}

function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit keep draining (so the client can read our 413) but store nothing.
      if (size > MAX_BODY) {
        tooBig = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseEnvelope(text: string): CallEnvelope | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.method !== 'string') return null;
  if (o.session != null && typeof o.session !== 'string') return null;
  return { method: o.method, input: o.input, session: (o.session as string | null | undefined) ?? null };
}

export function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = path.resolve(opts.rendererDir);
  let allowedHosts: Set<string> = new Set();
  let origin = '';
  let registry: Registry | null = opts.registry ?? null;
  const upgradeState = (): UpgradeState | null => (registry ? null : (opts.upgrade?.() ?? null));

  /** The upgrade page's state for its poll: the body to show, or `ready` to reload into the app. */
  function handleUpgrade(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') return void refuse(res, 405, 'HOST_FORBIDDEN');
    if (!tokenMatches(req.headers['x-crm-token'], token)) return void refuse(res, 401, 'HOST_TOKEN');
    const lang = parseTextLang(new URL(req.url ?? '/', origin).searchParams.get('lang'));
    const state = upgradeState();
    const body = state
      ? {
          ready: false,
          failed: state.phase === 'failed',
          state,
          html: upgradeBodyHtml(state, lang),
          other: storeText(lang, 'upgrade.language'),
        }
      : { ready: true };
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    res.end(JSON.stringify(body));
  }

  function sendUpgradePage(req: IncomingMessage, res: ServerResponse, state: UpgradeState): void {
    const lang = parseTextLang(new URL(req.url ?? '/', origin).searchParams.get('lang'));
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
    res.end(req.method === 'HEAD' ? undefined : upgradeDocumentHtml(state, lang, { script: '/upgrade/page.js' }));
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      refuse(res, 405, 'HOST_FORBIDDEN');
      return;
    }
    if (!tokenMatches(req.headers['x-crm-token'], token)) {
      refuse(res, 401, 'HOST_TOKEN');
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      refuse(res, 415, 'VALIDATION');
      return;
    }
    const body = await readBody(req);
    if (body === null) {
      refuse(res, 413, 'VALIDATION');
      return;
    }
    const envelope = parseEnvelope(body);
    if (!envelope) {
      refuse(res, 400, 'VALIDATION');
      return;
    }
    // Still opening (an upgrade): nothing can be served yet; the page says how far it is.
    if (!registry) return refuse(res, 503, 'IMPORT_STORE_BUSY');
    sendJson(res, 200, await registry.dispatch(envelope, { adapter: 'http' }));
  }

  /** A finished export for its owner: token and session headers required (no link works by itself). */
  function handleFile(req: IncomingMessage, res: ServerResponse, id: string): void {
    if (req.method !== 'GET') {
      refuse(res, 405, 'HOST_FORBIDDEN');
      return;
    }
    if (!tokenMatches(req.headers['x-crm-token'], token)) {
      refuse(res, 401, 'HOST_TOKEN');
      return;
    }
    const session = req.headers['x-crm-session'];
    const f = registry?.file(typeof session === 'string' ? session : null, id);
    if (!f) {
      refuse(res, 404, 'NOT_FOUND');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename="export"; filename*=UTF-8''${encodeURIComponent(f.name)}`,
      'Content-Length': statSync(f.path).size,
      'Cache-Control': 'no-store',
    });
    createReadStream(f.path).pipe(res);
  }

  function handleStatic(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, 'HOST_FORBIDDEN');
      return;
    }
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', origin).pathname);
    const rel = urlPath === '/' ? 'index.html' : urlPath.replace(/^\/+/, '');
    const upgrading = upgradeState();
    if (upgrading && rel === 'index.html') return void sendUpgradePage(req, res, upgrading);
    if (rel === 'upgrade/page.js') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': TYPES['.js']!, 'Cache-Control': 'no-store' });
      return void res.end(req.method === 'HEAD' ? undefined : UPGRADE_PAGE_SCRIPT);
    }
    const file = path.resolve(root, rel);
    // No path may leave the renderer folder (../, encoded or not).
    if (file !== root && !file.startsWith(root + path.sep)) {
      refuse(res, 404, 'NOT_FOUND');
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      refuse(res, 404, 'NOT_FOUND');
      return;
    }
    const ext = path.extname(file);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Cache-Control': ext === '.html' ? 'no-store' : 'max-age=3600',
      ...(ext === '.html' ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (!allowedHosts.has(host)) {
      refuse(res, 403, 'HOST_FORBIDDEN');
      return;
    }
    const reqOrigin = req.headers.origin;
    if (reqOrigin !== undefined && !allowedHosts.has(reqOrigin.replace(/^http:\/\//, ''))) {
      refuse(res, 403, 'HOST_FORBIDDEN');
      return;
    }
    // Never answer a CORS preflight: without it, no other origin can send the token header.
    if (req.method === 'OPTIONS') {
      refuse(res, 405, 'HOST_FORBIDDEN');
      return;
    }
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (pathname === '/api/call') {
      handleApi(req, res).catch((err: unknown) => {
        log.error('host request failed', { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) refuse(res, 500, 'INTERNAL');
      });
      return;
    }
    if (pathname.startsWith('/api/file/')) return handleFile(req, res, pathname.slice('/api/file/'.length));
    if (pathname === '/api/upgrade') return handleUpgrade(req, res);
    if (pathname.startsWith('/api/')) {
      refuse(res, 404, 'UNKNOWN_METHOD');
      return;
    }
    try {
      handleStatic(req, res);
    } catch {
      refuse(res, 400, 'VALIDATION');
    }
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
      origin = `http://127.0.0.1:${port}`;
      resolve({
        url: `${origin}/#token=${token}`,
        port,
        token,
        ready: (r) => {
          registry = r;
        },
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
