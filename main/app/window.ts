/**
 * The one application window. Web preferences are spelled out even where they equal Electron's
 * defaults, so a reviewer (or a bank's security audit) can read the posture here without knowing which
 * defaults changed in which Electron release.
 */
import { BrowserWindow, type App } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { log } from '../log';
import { isLoopbackDevUrl } from './policy';

export interface AppLocation {
  /** What the window loads: a file: URL of out/renderer/index.html, or the dev server URL. */
  appUrl: string;
  /** Set when loading from disk (loadFile); null when loading the dev server. */
  rendererFile: string | null;
  dev: boolean;
}

/**
 * Where the renderer comes from. ELECTRON_RENDERER_URL is honoured only in an unpackaged build: in a
 * packaged app an environment variable must never be able to swap in a page that the IPC bridge would
 * then trust.
 */
export function resolveAppLocation(app: App, mainDir: string): AppLocation {
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && isLoopbackDevUrl(devUrl)) {
    return { appUrl: new URL(devUrl).href, rendererFile: null, dev: true };
  }
  if (!app.isPackaged && devUrl) log.warn('window: ignoring non-loopback ELECTRON_RENDERER_URL');
  // out/main/index.js -> out/renderer/index.html (inside app.asar when packaged; loadFile reads asar).
  const rendererFile = path.join(mainDir, '..', 'renderer', 'index.html');
  return { appUrl: pathToFileURL(rendererFile).href, rendererFile, dev: false };
}

export interface MainWindowOptions {
  location: AppLocation;
  preloadPath: string;
  /** Devtools only in unpackaged builds; a teller must not get a JS console next to customer data. */
  allowDevtools: boolean;
  /** Window/taskbar icon in dev; the packaged .exe carries build/icon.ico itself. */
  iconPath?: string;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1366,
    height: 860,
    // Branch PCs are often 1366x768 with a taskbar; this still fits.
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: '网点客户关系管理',
    backgroundColor: '#f5f7f8',
    autoHideMenuBar: false,
    ...(opts.iconPath ? { icon: opts.iconPath } : {}),
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      devTools: opts.allowDevtools,
      // Lists of thousands of customers: keep rendering when the window is behind another one.
      backgroundThrottling: false,
    },
  });

  win.once('ready-to-show', () => {
    win.show();
    win.focus();
  });

  win.webContents.on('render-process-gone', (_event, details) => {
    log.error('window: renderer gone', { reason: details.reason, exitCode: details.exitCode });
  });
  win.webContents.on('unresponsive', () => log.warn('window: renderer unresponsive'));
  win.webContents.on('did-fail-load', (_event, code, description, _url, isMainFrame) => {
    if (isMainFrame) log.error('window: load failed', { code, description });
  });

  const { location } = opts;
  const loading = location.rendererFile ? win.loadFile(location.rendererFile) : win.loadURL(location.appUrl);
  loading.catch((err: unknown) => log.error('window: load rejected', { error: String(err) }));
  return win;
}

/** Brings an existing window to the front (second-instance launch, or a click on the tray/shortcut). */
export function focusWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}
