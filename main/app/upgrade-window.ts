/**
 * Electron's upgrade window (issue 18.2): a small window shown from the first event of a start that
 * upgrades (or encrypts) the store, with the same page browser mode serves (main/upgrade/page.ts). It
 * has no preload and no script of its own: the main process writes each new state's body into it.
 * Sandboxed like the main window; it closes when the store has opened, and on a failure it stays
 * behind the error dialog with how to go back.
 */
import { BrowserWindow } from 'electron';
import type { UpgradeState } from '../../db/upgrade-progress';
import { log } from '../log';
import type { TextLang } from '../store-messages';
import { upgradeBodyHtml, upgradeDocumentHtml } from '../upgrade/page';

export interface UpgradeWindow {
  update(s: UpgradeState): void;
  close(): void;
}

/** At most this often a new body is written (the worker can report many times a second). */
const REPAINT_MS = 250;

/**
 * `onCloseRequest` hears the user closing the window; when it returns true the window stays open (the
 * caller asks whether to stop the upgrade, main/upgrade/close-guard.ts). `close()` always closes it.
 */
export function createUpgradeWindow(
  first: UpgradeState,
  lang: TextLang,
  iconPath?: string,
  onCloseRequest?: (win: BrowserWindow) => boolean,
): UpgradeWindow {
  const win = new BrowserWindow({
    width: 720,
    height: 560,
    resizable: true,
    minimizable: true,
    maximizable: false,
    title: lang === 'en' ? 'Branch CRM' : '网点客户关系管理',
    backgroundColor: '#f3f5f6',
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      javascript: true,
      webSecurity: true,
      spellcheck: false,
      navigateOnDragDrop: false,
      devTools: false,
    },
  });
  let latest = first;
  let timer: NodeJS.Timeout | null = null;
  let loaded = false;
  let closing = false;
  win.on('close', (e) => {
    if (closing || !onCloseRequest) return;
    if (onCloseRequest(win)) e.preventDefault();
  });
  const paint = () => {
    timer = null;
    if (win.isDestroyed() || !loaded) return;
    const body = JSON.stringify(upgradeBodyHtml(latest, lang));
    // The body is built from escaped text only (page.ts); this writes it, nothing else runs.
    win.webContents
      .executeJavaScript(`document.getElementById('upgrade').innerHTML = ${body}; void 0;`, false)
      .catch((err: unknown) => log.warn('upgrade window: repaint failed', { error: String(err) }));
  };
  win.webContents.once('did-finish-load', () => {
    loaded = true;
    paint();
  });
  win
    .loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(upgradeDocumentHtml(first, lang))}`)
    .catch((err: unknown) => log.error('upgrade window: load rejected', { error: String(err) }));
  return {
    update(s) {
      latest = s;
      // A failure is shown at once; progress at most every REPAINT_MS.
      if (s.phase === 'failed') paint();
      else if (!timer) timer = setTimeout(paint, REPAINT_MS);
    },
    close() {
      closing = true;
      if (timer) clearTimeout(timer);
      if (!win.isDestroyed()) win.close();
    },
  };
}
