/**
 * Electron-side enforcement of main/app/policy.ts. Two layers, on purpose:
 *  - app-wide: every webContents that is ever created (ours, a devtools window, anything a future bug
 *    creates) gets the navigation / window-open / webview guards via 'web-contents-created';
 *  - session-wide: permission requests, network requests and the CSP header on the default session.
 * Either layer alone would leave a gap if the other were misconfigured.
 */
import type { App, Session, WebContents } from 'electron';
import { log } from '../log';
import { buildCsp, isAllowedNavigation, isAllowedPermission, isAllowedRequest } from './policy';

export interface SecurityContext {
  /** The URL the main window loads; navigation and IPC trust are pinned to it. */
  appUrl: string;
  /** Unpackaged build loading from the electron-vite dev server. */
  dev: boolean;
  /** Unpackaged build: the window may open devtools, so their devtools:// requests must pass. */
  allowDevtools: boolean;
}

/** Logs a refused action once per (kind, url) so a page stuck in a loop does not flood the log. */
const reported = new Set<string>();
function refused(kind: string, url: string): void {
  // Only scheme and host: a URL may carry a customer name or ID in its query string.
  let where = 'unparseable';
  try {
    const u = new URL(url);
    where = `${u.protocol}//${u.host}`;
  } catch {
    /* keep 'unparseable' */
  }
  const key = `${kind} ${where}`;
  if (reported.has(key)) return;
  reported.add(key);
  log.warn('security: refused', { kind, where });
}

/** Guards for one webContents; installed by installAppGuards for every webContents the app creates. */
export function guardWebContents(contents: WebContents, ctx: SecurityContext): void {
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url, ctx.appUrl)) {
      event.preventDefault();
      refused('navigate', event.url);
    }
  });
  contents.on('will-frame-navigate', (event) => {
    // Sub-frames too: an injected <iframe src="https://..."> must not load even though CSP would also stop it.
    if (!event.isMainFrame && !isAllowedNavigation(event.url, ctx.appUrl)) {
      event.preventDefault();
      refused('frame-navigate', event.url);
    }
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url, ctx.appUrl)) {
      event.preventDefault();
      refused('redirect', event.url);
    }
  });
  // No second windows and no "open in the default browser": a link in imported data must not launch a
  // browser on a bank PC. Nothing here calls shell.openExternal.
  contents.setWindowOpenHandler(({ url }) => {
    refused('window-open', url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    refused('webview', 'about:webview');
  });
}

/** Called before app 'ready'. */
export function installAppGuards(app: App, ctx: SecurityContext): void {
  // Forces the sandbox on every renderer, even one created without webPreferences.sandbox.
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, ctx));
}

/** Called after 'ready', on session.defaultSession (the only session the app uses). */
export function installSessionGuards(ses: Session, ctx: SecurityContext): void {
  // Everything but clipboard writes from our own page is refused (policy.ts, isAllowedPermission).
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const ok = isAllowedPermission(permission, details, ctx.appUrl);
    if (!ok) refused(`permission:${permission}`, details.requestingUrl || 'about:permission');
    callback(ok);
  });
  ses.setPermissionCheckHandler((_wc, permission, _origin, details) =>
    isAllowedPermission(
      permission,
      { requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame },
      ctx.appUrl,
    ),
  );
  // WebHID / WebSerial / WebUSB: no device is ever handed to the page.
  ses.setDevicePermissionHandler(() => false);

  const devOrigin = ctx.dev ? new URL(ctx.appUrl).origin : undefined;
  const csp = buildCsp(devOrigin ? { devOrigin } : {});
  const requestPolicy = { appUrl: ctx.appUrl, allowDevtools: ctx.allowDevtools };

  ses.webRequest.onBeforeRequest((details, callback) => {
    const ok = isAllowedRequest(details.url, requestPolicy);
    if (!ok) refused(`request:${details.resourceType}`, details.url);
    callback({ cancel: !ok });
  });

  // Belt and braces: the renderer's <meta> CSP is what protects a file:// page (Chromium may not run
  // this hook for file: responses); the header covers the dev server and anything this hook does see.
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });

  // The only downloads allowed are files the page itself built from data it received through the
  // audited API (blob: URLs, e.g. a rejects file); Electron then asks where to save. Anything else
  // (a link to some URL) is refused.
  ses.on('will-download', (event, item) => {
    if (item.getURL().startsWith('blob:')) return;
    event.preventDefault();
    refused('download', item.getURL());
  });
}
