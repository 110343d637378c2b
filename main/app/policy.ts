/**
 * Pure security decisions for the Electron shell. Nothing here imports 'electron', so every rule is unit
 * tested in plain Node (test/unit/app/policy.test.ts); main/app/security.ts and main/ipc/bridge.ts only
 * wire these answers into Electron events.
 *
 * The threat model: the renderer shows data imported from outside (customer names, notes, spreadsheet
 * cells). If any of that ever turned into markup or script, it must not be able to leave the app page,
 * open windows, reach the network, read other local files, or talk to the IPC bridge from a frame we did
 * not load ourselves.
 */

import { CONTENT_SECURITY_POLICY } from './csp';

/**
 * The renderer's CSP, split into directives. The text itself lives in ./csp.ts, shared with the
 * browser-mode host, so the Electron header and the loopback host cannot drift apart; the renderer's
 * <meta> copy is checked against it in test/unit/app/policy.test.ts.
 */
export const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = CONTENT_SECURITY_POLICY.split(';')
  .map((d) => d.trim())
  .filter((d) => d.length > 0)
  .map((d) => {
    const at = d.indexOf(' ');
    return at === -1 ? ([d, ''] as const) : ([d.slice(0, at), d.slice(at + 1).trim()] as const);
  });

export interface CspOptions {
  /**
   * Dev server origin (electron-vite dev only). Vite's HMR needs a websocket to it and the React refresh
   * preamble is an inline script, so dev relaxes exactly those two things; packaged builds never pass this.
   */
  devOrigin?: string;
}

export function buildCsp(opts: CspOptions = {}): string {
  return CSP_DIRECTIVES.map(([name, value]) => {
    if (opts.devOrigin) {
      const ws = opts.devOrigin.replace(/^http/, 'ws');
      if (name === 'script-src') return `${name} ${value} 'unsafe-inline'`;
      if (name === 'connect-src') return `${name} ${value} ${ws}`;
    }
    return value ? `${name} ${value}` : name;
  }).join('; ');
}

export interface PathCompare {
  /** Windows file systems are case-insensitive; a case-only difference must not let a path slip out. */
  caseInsensitive?: boolean;
}

const DEFAULT_CASE_INSENSITIVE = process.platform === 'win32';

function tryParse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The decoded path of a file: URL, or null when it hides something. Chromium and Node percent-encode
 * non-ASCII folder names differently (C:\Users\张三\...), so we compare decoded text; but a decoded
 * backslash, dot segment or NUL could re-introduce traversal the URL parser already resolved, so those
 * are refused outright rather than normalised.
 */
export function decodedFilePath(u: URL, opts: PathCompare = {}): string | null {
  if (u.protocol !== 'file:') return null;
  let p: string;
  try {
    p = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (p.includes('\0') || p.includes('\\')) return null;
  if (p.split('/').some((seg) => seg === '..' || seg === '.')) return null;
  const ci = opts.caseInsensitive ?? DEFAULT_CASE_INSENSITIVE;
  return ci ? p.toLowerCase() : p;
}

function isHttp(u: URL): boolean {
  return u.protocol === 'http:' || u.protocol === 'https:';
}

/**
 * True when `url` is the same document as `appUrl`: the same file (hash and query ignored, since the
 * renderer routes with the hash), or, in dev, the same http origin as the dev server.
 */
export function isSameAppDocument(url: string, appUrl: string, opts: PathCompare = {}): boolean {
  const target = tryParse(url);
  const app = tryParse(appUrl);
  if (!target || !app) return false;
  if (app.protocol === 'file:') {
    if (target.protocol !== 'file:') return false;
    // file://server/share/... is a UNC path on Windows: a different machine, never our install folder.
    if (target.host !== app.host) return false;
    const a = decodedFilePath(app, opts);
    const t = decodedFilePath(target, opts);
    return a !== null && t !== null && a === t;
  }
  if (isHttp(app)) return isHttp(target) && target.origin === app.origin;
  return false;
}

/** `will-navigate` / `will-redirect`: only a reload of our own page may happen in the window. */
export function isAllowedNavigation(url: string, appUrl: string, opts: PathCompare = {}): boolean {
  return isSameAppDocument(url, appUrl, opts);
}

/** What the bridge knows about the frame that sent an IPC message. */
export interface SenderFrameInfo {
  url: string;
  /** `frame.parent === null`: iframes (even same-origin ones) never get the bridge. */
  isMainFrame: boolean;
  /** The sending webContents is our main window's, not some other one (devtools, a stray window). */
  fromAppWindow: boolean;
}

/** Whether an IPC call may reach the registry. A missing frame (navigated away, destroyed) is refused. */
export function isTrustedSender(
  frame: SenderFrameInfo | null | undefined,
  appUrl: string,
  opts: PathCompare = {},
): boolean {
  if (!frame) return false;
  if (!frame.isMainFrame || !frame.fromAppWindow) return false;
  return isSameAppDocument(frame.url, appUrl, opts);
}

/** The folder that holds the renderer bundle, as a decoded path ending in '/'. */
function appFolder(app: URL, opts: PathCompare): string | null {
  const p = decodedFilePath(app, opts);
  if (p === null) return null;
  return p.slice(0, p.lastIndexOf('/') + 1);
}

export interface RequestPolicy extends PathCompare {
  /** The page the window loads (file:///.../out/renderer/index.html, or the dev server URL). */
  appUrl: string;
  /** Allow devtools:// and chrome-extension:// (devtools front-end) — dev builds only. */
  allowDevtools?: boolean;
}

/**
 * `webRequest.onBeforeRequest`: the renderer works offline by design, so every network scheme is
 * cancelled. A file: page may otherwise read any local file Chromium can open (CSP 'self' on file: does
 * not stop it), so file: requests are confined to the renderer bundle's own folder.
 */
export function isAllowedRequest(url: string, policy: RequestPolicy): boolean {
  const target = tryParse(url);
  const app = tryParse(policy.appUrl);
  if (!target || !app) return false;
  switch (target.protocol) {
    case 'data:':
    case 'blob:':
      // Inline images/fonts and in-memory exports; CSP decides which of these a page may actually use.
      return true;
    case 'devtools:':
    case 'chrome-extension:':
      return policy.allowDevtools === true;
    case 'file:': {
      if (app.protocol !== 'file:' || target.host !== app.host) return false;
      const folder = appFolder(app, policy);
      const t = decodedFilePath(target, policy);
      return folder !== null && t?.startsWith(folder) === true;
    }
    case 'http:':
    case 'https:':
    case 'ws:':
    case 'wss:': {
      // Only the electron-vite dev server (page, modules, HMR socket) — and only when the app itself was
      // loaded from it, which security.ts allows solely in unpackaged builds.
      if (!isHttp(app)) return false;
      const asHttp = target.protocol === 'ws:' ? 'http:' : target.protocol === 'wss:' ? 'https:' : target.protocol;
      return asHttp === app.protocol && target.host === app.host;
    }
    default:
      return false;
  }
}

/**
 * Writing to the clipboard ("copy phone number", "copy account") is the one web permission the app
 * uses, and only from its own main-frame page. Reading the clipboard, camera, geolocation, notifications,
 * HID/serial/USB... are all refused: a CRM needs none of them, and a prompt the teller might click
 * "allow" on is itself a risk.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isAllowedPermission(
  permission: string,
  request: { requestingUrl: string | undefined; isMainFrame: boolean },
  appUrl: string,
  opts: PathCompare = {},
): boolean {
  if (!ALLOWED_PERMISSIONS.has(permission)) return false;
  if (!request.isMainFrame || !request.requestingUrl) return false;
  return isSameAppDocument(request.requestingUrl, appUrl, opts);
}

/**
 * In dev the page comes from ELECTRON_RENDERER_URL. Accept it only if it is a loopback http URL: a
 * packaged build ignores the variable entirely (window.ts), and even in dev a stray value pointing at a
 * remote host must not become a page that the bridge trusts.
 */
export function isLoopbackDevUrl(raw: string | undefined): raw is string {
  if (!raw) return false;
  const u = tryParse(raw);
  if (u?.protocol !== 'http:') return false;
  return u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
}
