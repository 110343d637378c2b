import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../main/app/csp';
import {
  buildCsp,
  CSP_DIRECTIVES,
  isAllowedNavigation,
  isAllowedPermission,
  isAllowedRequest,
  isLoopbackDevUrl,
  isSameAppDocument,
  isTrustedSender,
} from '../../../main/app/policy';

// A Windows install path with a Chinese user name, as pathToFileURL renders it.
const WIN_APP =
  'file:///C:/Users/%E5%BC%A0%E4%B8%89/AppData/Local/Programs/Branch%20CRM/resources/app.asar/out/renderer/index.html';
const POSIX_APP = 'file:///opt/branch-crm/resources/app.asar/out/renderer/index.html';
const DEV_APP = 'http://localhost:5173/';
const cs = { caseInsensitive: false };
const ci = { caseInsensitive: true };

describe('isAllowedNavigation', () => {
  it('allows reloading the app page, with any hash or query (hash routing)', () => {
    expect(isAllowedNavigation(POSIX_APP, POSIX_APP, cs)).toBe(true);
    expect(isAllowedNavigation(`${POSIX_APP}#/customers/42`, POSIX_APP, cs)).toBe(true);
    expect(isAllowedNavigation(`${POSIX_APP}?lang=en#/`, POSIX_APP, cs)).toBe(true);
    expect(
      isAllowedNavigation('file://localhost/opt/branch-crm/resources/app.asar/out/renderer/index.html', POSIX_APP, cs),
    ).toBe(true);
  });

  it('treats Chromium and Node percent-encoding of non-ASCII folders as the same file', () => {
    const raw = 'file:///C:/Users/张三/AppData/Local/Programs/Branch CRM/resources/app.asar/out/renderer/index.html';
    expect(isAllowedNavigation(raw, WIN_APP, ci)).toBe(true);
    expect(isAllowedNavigation(WIN_APP.replace('%E5%BC%A0', '%e5%bc%a0'), WIN_APP, ci)).toBe(true);
  });

  it('is case-insensitive only when asked (Windows)', () => {
    const upper = WIN_APP.replace('/out/renderer/', '/OUT/Renderer/');
    expect(isAllowedNavigation(upper, WIN_APP, ci)).toBe(true);
    expect(isAllowedNavigation(upper, WIN_APP, cs)).toBe(false);
  });

  it('refuses other local files, including traversal tricks', () => {
    expect(isAllowedNavigation('file:///etc/passwd', POSIX_APP, cs)).toBe(false);
    expect(
      isAllowedNavigation('file:///opt/branch-crm/resources/app.asar/out/renderer/other.html', POSIX_APP, cs),
    ).toBe(false);
    expect(
      isAllowedNavigation(
        'file:///opt/branch-crm/resources/app.asar/out/renderer/../renderer/index.html',
        POSIX_APP,
        cs,
      ),
    ).toBe(true); // resolved by the URL parser: same file
    expect(
      isAllowedNavigation('file:///opt/branch-crm/resources/app.asar/out/renderer/..%2F..%2Findex.html', POSIX_APP, cs),
    ).toBe(false);
    expect(
      isAllowedNavigation('file:///opt/branch-crm/resources/app.asar/out/renderer%5C..%5Cindex.html', POSIX_APP, cs),
    ).toBe(false);
    expect(
      isAllowedNavigation('file:///opt/branch-crm/resources/app.asar/out/renderer/index.html%00.png', POSIX_APP, cs),
    ).toBe(false);
    expect(
      isAllowedNavigation('file:///opt/branch-crm/resources/app.asar/out/renderer/index.html%', POSIX_APP, cs),
    ).toBe(false);
  });

  it('refuses UNC-style file URLs that name another host', () => {
    expect(
      isAllowedNavigation(
        'file://evil-server/opt/branch-crm/resources/app.asar/out/renderer/index.html',
        POSIX_APP,
        cs,
      ),
    ).toBe(false);
    expect(
      isAllowedNavigation(
        'file://evil-server/C:/Users/%E5%BC%A0%E4%B8%89/AppData/Local/Programs/Branch%20CRM/resources/app.asar/out/renderer/index.html',
        WIN_APP,
        ci,
      ),
    ).toBe(false);
  });

  it('refuses javascript:, data:, about:, blob: and remote pages', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'about:blank',
      'blob:file:///0a1b',
      'https://evil.example/',
      'http://127.0.0.1:8080/index.html',
      'chrome://settings',
      'not a url',
      '',
    ]) {
      expect(isAllowedNavigation(url, POSIX_APP, cs), url).toBe(false);
    }
  });

  it('in dev, allows only the dev server origin', () => {
    expect(isAllowedNavigation('http://localhost:5173/#/customers', DEV_APP)).toBe(true);
    expect(isAllowedNavigation('http://localhost:5174/', DEV_APP)).toBe(false);
    expect(isAllowedNavigation('https://localhost:5173/', DEV_APP)).toBe(false);
    expect(isAllowedNavigation('http://localhost.evil.example:5173/', DEV_APP)).toBe(false);
    expect(isAllowedNavigation(POSIX_APP, DEV_APP)).toBe(false);
  });

  it('refuses everything when the app URL itself is unusable', () => {
    expect(isSameAppDocument(POSIX_APP, 'garbage')).toBe(false);
    expect(isSameAppDocument('data:text/html,x', 'data:text/html,x')).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const main = { url: `${POSIX_APP}#/home`, isMainFrame: true, fromAppWindow: true };

  it('trusts the main frame of our window showing our page', () => {
    expect(isTrustedSender(main, POSIX_APP, cs)).toBe(true);
  });

  it('refuses a missing frame, sub-frames, other windows and other documents', () => {
    expect(isTrustedSender(null, POSIX_APP, cs)).toBe(false);
    expect(isTrustedSender(undefined, POSIX_APP, cs)).toBe(false);
    expect(isTrustedSender({ ...main, isMainFrame: false }, POSIX_APP, cs)).toBe(false);
    expect(isTrustedSender({ ...main, fromAppWindow: false }, POSIX_APP, cs)).toBe(false);
    expect(isTrustedSender({ ...main, url: 'file:///tmp/evil.html' }, POSIX_APP, cs)).toBe(false);
    expect(isTrustedSender({ ...main, url: 'https://evil.example/' }, POSIX_APP, cs)).toBe(false);
    expect(isTrustedSender({ ...main, url: 'about:blank' }, POSIX_APP, cs)).toBe(false);
    expect(isTrustedSender({ ...main, url: 'data:text/html,x' }, POSIX_APP, cs)).toBe(false);
  });
});

/** `name -> sources` for a policy string. */
function directives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

describe('CSP', () => {
  const csp = buildCsp();
  const d = directives(csp);

  it('is the shared policy from main/app/csp.ts, unchanged', () => {
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
  });

  it('locks down the directives the Electron shell relies on', () => {
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('never allows eval, inline script or remote hosts', () => {
    expect(csp).not.toContain('unsafe-eval');
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
    expect(csp).not.toMatch(/https?:|wss?:|\*/);
    for (const [, value] of CSP_DIRECTIVES) expect(value).not.toMatch(/https?:|\*/);
  });

  it('dev relaxes only what Vite needs, and still no eval', () => {
    const dev = buildCsp({ devOrigin: 'http://localhost:5173' });
    expect(dev).not.toContain('unsafe-eval');
    expect(directives(dev).get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    expect(directives(dev).get('object-src')).toEqual(["'none'"]);
  });
});

describe('isAllowedRequest', () => {
  const packaged = { appUrl: POSIX_APP, caseInsensitive: false };
  const dev = { appUrl: DEV_APP, allowDevtools: true };

  it('allows the renderer bundle and nothing else on disk', () => {
    expect(isAllowedRequest(POSIX_APP, packaged)).toBe(true);
    expect(
      isAllowedRequest('file:///opt/branch-crm/resources/app.asar/out/renderer/assets/index-abc.js', packaged),
    ).toBe(true);
    expect(isAllowedRequest('file:///opt/branch-crm/resources/app.asar/out/main/index.js', packaged)).toBe(false);
    expect(isAllowedRequest('file:///opt/branch-crm/resources/app.asar/out/renderer-evil/x.js', packaged)).toBe(false);
    expect(isAllowedRequest('file:///C:/Windows/win.ini', packaged)).toBe(false);
    expect(
      isAllowedRequest('file:///opt/branch-crm/resources/app.asar/out/renderer/..%2F..%2Fmain/index.js', packaged),
    ).toBe(false);
    expect(isAllowedRequest('file://host/opt/branch-crm/resources/app.asar/out/renderer/a.js', packaged)).toBe(false);
  });

  it('cancels all network schemes in a packaged build', () => {
    for (const url of [
      'https://cdn.example/x.js',
      'http://127.0.0.1:3000/api',
      'ws://localhost:5173/',
      'wss://x.example/',
      'ftp://x/',
    ]) {
      expect(isAllowedRequest(url, packaged), url).toBe(false);
    }
  });

  it('keeps data:/blob:, and devtools only when allowed', () => {
    expect(isAllowedRequest('data:image/png;base64,AAAA', packaged)).toBe(true);
    expect(isAllowedRequest('blob:file:///1234', packaged)).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', packaged)).toBe(false);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', dev)).toBe(true);
  });

  it('in dev, allows the dev server (page, modules, HMR socket) only', () => {
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/?token=x', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:9999/', dev)).toBe(false);
    expect(isAllowedRequest('https://localhost:5173/', dev)).toBe(false);
    expect(isAllowedRequest('https://fonts.example/a.woff2', dev)).toBe(false);
    expect(isAllowedRequest(POSIX_APP, dev)).toBe(false);
  });
});

describe('isLoopbackDevUrl', () => {
  it('accepts only loopback http URLs', () => {
    expect(isLoopbackDevUrl('http://localhost:5173')).toBe(true);
    expect(isLoopbackDevUrl('http://127.0.0.1:5173/')).toBe(true);
    expect(isLoopbackDevUrl('http://[::1]:5173/')).toBe(true);
    expect(isLoopbackDevUrl('https://localhost:5173')).toBe(false);
    expect(isLoopbackDevUrl('http://evil.example:5173')).toBe(false);
    expect(isLoopbackDevUrl('http://localhost.evil.example')).toBe(false);
    expect(isLoopbackDevUrl('')).toBe(false);
    expect(isLoopbackDevUrl(undefined)).toBe(false);
  });
});

describe('isAllowedPermission', () => {
  const main = { requestingUrl: `${POSIX_APP}#/customers/1`, isMainFrame: true };

  it('allows clipboard writes from our own main frame only', () => {
    expect(isAllowedPermission('clipboard-sanitized-write', main, POSIX_APP, cs)).toBe(true);
    expect(isAllowedPermission('clipboard-sanitized-write', { ...main, isMainFrame: false }, POSIX_APP, cs)).toBe(
      false,
    );
    expect(
      isAllowedPermission(
        'clipboard-sanitized-write',
        { ...main, requestingUrl: 'https://evil.example/' },
        POSIX_APP,
        cs,
      ),
    ).toBe(false);
    expect(isAllowedPermission('clipboard-sanitized-write', { ...main, requestingUrl: undefined }, POSIX_APP, cs)).toBe(
      false,
    );
  });

  it('refuses everything else, even from our page', () => {
    for (const p of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'hid',
      'serial',
      'usb',
      'fileSystem',
      'unknown',
    ]) {
      expect(isAllowedPermission(p, main, POSIX_APP, cs), p).toBe(false);
    }
  });
});

describe.runIf(existsSync(path.resolve(__dirname, '../../../renderer/index.html')))('renderer <meta> CSP', () => {
  // Several policies on one page are all enforced, so the <meta> may be stricter than the header, never
  // looser: every source it lists must also be allowed by the header for that directive.
  it('allows nothing the shared policy does not', () => {
    const html = readFileSync(path.resolve(__dirname, '../../../renderer/index.html'), 'utf8');
    const meta = /<meta[^>]+http-equiv=["']Content-Security-Policy["'][^>]*content=(?:"([^"]+)"|'([^']+)')/i.exec(html);
    expect(meta, 'renderer/index.html has no CSP <meta>').not.toBeNull();
    const page = directives(meta![1] ?? meta![2] ?? '');
    const header = directives(buildCsp());
    const fallback = header.get('default-src') ?? [];
    for (const [name, sources] of page) {
      const allowed = header.get(name) ?? fallback;
      for (const source of sources) expect(allowed, `${name} ${source}`).toContain(source);
    }
    for (const name of ['default-src', 'script-src', 'object-src', 'base-uri']) expect(page.has(name), name).toBe(true);
  });
});
