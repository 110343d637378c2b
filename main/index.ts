/**
 * Electron entry (out/main/index.js). Two ways in, decided from argv before anything else happens:
 *
 *   CLI  `BranchCRM.exe -- <command> ...` / `BranchCRM.exe cli <command> ...` (main/app/argv.ts):
 *        runs main/cli without a window and without the single-instance lock, so a scheduled import can
 *        run while a teller has the app open (the store is WAL, so both handles coexist).
 *   GUI  everything else: single-instance lock, open the store, register the IPC bridge, one window.
 *
 * Services, registry and CLI are loaded with import() rather than at the top: a broken native module
 * (better-sqlite3 built for Node instead of Electron) then fails inside our try/catch and gets the
 * bilingual dialog, instead of Electron's generic "A JavaScript error occurred in the main process".
 */
import { app, clipboard, dialog, ipcMain, session, shell, type BrowserWindow } from 'electron';
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { describeForLog, parseCliArgs } from './app/argv';
import { safeStorageProtector } from './app/key-protector';
import { appVersion, installMenu } from './app/menu';
import { installAppGuards, installSessionGuards } from './app/security';
import { describeStartupError, EXIT_STARTUP_FAILED } from './app/startup-error';
import { createMainWindow, focusWindow, resolveAppLocation } from './app/window';
import { createUpgradeWindow, type UpgradeWindow } from './app/upgrade-window';
import { registerBridge } from './ipc/bridge';
import { log } from './log';
import { defaultDbPath } from './paths';

/** Must equal electron-builder.yml `appId`: Windows groups taskbar buttons and shortcuts by it. */
const APP_USER_MODEL_ID = 'cn.branchcrm.workstation';

function errorFields(err: unknown): Record<string, unknown> {
  const code = (err as { code?: unknown } | null)?.code;
  return { code: typeof code === 'string' ? code : undefined, error: err instanceof Error ? err.stack : String(err) };
}

/** Waits until stdout/stderr have handed their buffers to the OS; app.exit() would otherwise cut a report short. */
function flushStdio(): Promise<void> {
  const flush = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write('', () => resolve()));
  return Promise.all([flush(process.stdout), flush(process.stderr)]).then(() => undefined);
}

async function runCliMode(args: string[], dbFromArgs: string | null): Promise<void> {
  // The packaged CLI works on the same store as the GUI unless told otherwise (`--db`, or CRM_DB).
  // Windows note: the .exe is a GUI-subsystem program, so an interactive cmd.exe neither waits for it nor
  // shows its output. Batch files and scheduled tasks do wait; redirect output to see it:
  //   "BranchCRM.exe" -- import customers.csv > import.log 2>&1   (interactively: start /wait ...)
  // No window will ever exist: do not start a GPU process for nothing.
  app.disableHardwareAcceleration();
  if (dbFromArgs) process.env.CRM_DB = path.resolve(dbFromArgs);
  else if (!process.env.CRM_DB) process.env.CRM_DB = defaultDbPath(app.getPath('userData'));
  let code = 1;
  try {
    // The store key is unwrapped by safeStorage (DPAPI), which works once the app is ready.
    await app.whenReady();
    (await import('./store-key')).setKeyProtector(safeStorageProtector);
    const { runCli } = await import('./cli');
    code = await runCli(args);
  } catch (err) {
    log.error('cli: failed', errorFields(err));
    code = 1;
  }
  await flushStdio();
  app.exit(code);
}

function fail(err: unknown, dbPath: string): void {
  log.error('startup: failed', errorFields(err));
  const text = describeStartupError(err, dbPath);
  dialog.showErrorBox(text.title, text.message);
  // A distinct code tells build/scripts/launch.mjs "the user has been told": do not fall back to browser mode.
  app.exit(EXIT_STARTUP_FAILED);
}

/**
 * A new store has one administrator with a one-time password (main/bootstrap.ts). Browser mode prints it
 * on the console; here there is no console, so it is shown once, with a copy button, over the window.
 */
async function showFirstAdmin(win: BrowserWindow, first: { username: string; password: string }): Promise<void> {
  const { response } = await dialog.showMessageBox(win, {
    type: 'info',
    title: '首次启动 / First run',
    message: `管理员账号 / Administrator: ${first.username}\n临时密码 / One-time password: ${first.password}`,
    detail:
      '请记下临时密码，首次登录时须修改。此密码只显示这一次。\n' +
      'Note the one-time password; it must be changed at first sign-in and is shown only this once.',
    buttons: ['复制密码 / Copy password', '已记下 / Done'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  if (response === 0) clipboard.writeText(first.password);
}

function startGui(dbFromArgs: string | null): void {
  // One window per PC is the whole app, and tellers double-click shortcuts impatiently: a second launch
  // only brings the first window forward. Exit code 0, so the dev launcher does not see it as a failure.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const location = resolveAppLocation(app, __dirname);
  const ctx = { appUrl: location.appUrl, dev: location.dev, allowDevtools: !app.isPackaged };
  installAppGuards(app, ctx);
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

  let mainWindow: BrowserWindow | null = null;
  app.on('second-instance', () => focusWindow(mainWindow));
  // One window is the whole app; closing it quits, on macOS too (there is nothing to keep running).
  app.on('window-all-closed', () => app.quit());

  const dbPath = path.resolve(dbFromArgs ?? defaultDbPath(app.getPath('userData')));
  // Closing the upgrade window and choosing to stop cancels a conversion to the encrypted format here.
  const cancelUpgrade = new AbortController();

  async function onReady(): Promise<void> {
    installSessionGuards(session.defaultSession, ctx);
    installMenu({ developer: !app.isPackaged, getWindow: () => mainWindow, version: appVersion() });

    const [
      { createServices },
      { createRegistry },
      { ensureFirstAdmin },
      { setKeyProtector },
      { UpgradeTracker },
      { upgradeCloseChoice },
    ] = await Promise.all([
      import('./services'),
      import('./registry'),
      import('./bootstrap'),
      import('./store-key'),
      import('../db/upgrade-progress'),
      import('./upgrade/close-guard'),
    ]);
    // The store is encrypted at rest; its key file is wrapped by the OS for this Windows user.
    setKeyProtector(safeStorageProtector);
    // A start that upgrades (or encrypts) the store shows a window with its progress from the first event
    // (the upgrade runs in a worker, so this thread keeps painting it); it closes when the store is open.
    let upgradeWindow: UpgradeWindow | null = null;
    const upgradeLang = app.getLocale().toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
    // Closing the window mid-way asks first; true keeps it open while the question is up.
    const askToStop = (win: BrowserWindow): boolean => {
      const choice = upgradeCloseChoice(upgrade.current, upgradeLang);
      if (choice.kind === 'close') return false;
      void dialog
        .showMessageBox(win, {
          type: 'question',
          title: choice.title,
          message: choice.title,
          detail: choice.message,
          buttons: choice.buttons,
          defaultId: 0,
          cancelId: 0,
          noLink: true,
        })
        .then(({ response }) => {
          if (response !== 1) return;
          // The phase may have moved on while the question was up: decide on the latest.
          const now = upgradeCloseChoice(upgrade.current, upgradeLang);
          if (now.kind === 'ask' && now.action === 'cancel-encrypt') {
            log.info('upgrade window: encryption cancelled by the user');
            cancelUpgrade.abort();
          } else if (now.kind === 'ask') {
            log.info('upgrade window: upgrade stopped by the user; the store keeps its previous version', {
              phase: upgrade.current.phase,
            });
            app.exit(0);
          }
        });
      return true;
    };
    const upgrade = new UpgradeTracker((s) => {
      if (!upgradeWindow) {
        upgradeWindow = createUpgradeWindow(
          s,
          upgradeLang,
          app.isPackaged ? undefined : path.join(app.getAppPath(), 'build', 'icon.png'),
          askToStop,
        );
      }
      upgradeWindow.update(s);
    });
    // On a failure the window stays up behind the error dialog (how to go back is on both).
    const services = await createServices({
      dbPath,
      mode: 'electron',
      exclusive: true,
      encrypt: true,
      upgrade,
      signal: cancelUpgrade.signal,
    });
    (upgradeWindow as UpgradeWindow | null)?.close();
    services.platform.openFolder = async (dir) => (await shell.openPath(dir)) === '';
    // Exports reach the user through a native save dialog (renderer downloads are refused).
    services.platform.saveAs = async (file, defaultName) => {
      const options = { defaultPath: path.join(app.getPath('documents'), defaultName) };
      const r = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return false;
      await copyFile(file, r.filePath);
      return true;
    };
    let closed = false;
    const closeServices = (): void => {
      if (closed) return;
      closed = true;
      // Cancels a running import (it rolls back) before the store closes.
      services.close().catch((err: unknown) => log.error('shutdown: store close failed', errorFields(err)));
    };

    let unregister: () => void = () => undefined;
    let firstAdmin: { username: string; password: string } | null = null;
    try {
      firstAdmin = await ensureFirstAdmin(services);
      const registry = createRegistry(services);
      unregister = registerBridge({
        ipcMain,
        registry,
        appUrl: location.appUrl,
        // Compare ids, not wrapper objects: only the live main window's contents may call.
        isAppWebContents: (wc) =>
          mainWindow !== null && !mainWindow.isDestroyed() && wc.id === mainWindow.webContents.id,
      });
    } catch (err) {
      closeServices();
      throw err;
    }

    app.on('will-quit', () => {
      unregister();
      // Closing checkpoints the WAL, so the .db file alone is a complete copy for the nightly backup.
      closeServices();
    });

    mainWindow = createMainWindow({
      location,
      preloadPath: path.join(__dirname, '..', 'preload', 'index.js'),
      allowDevtools: ctx.allowDevtools,
      ...(app.isPackaged ? {} : { iconPath: path.join(app.getAppPath(), 'build', 'icon.png') }),
    });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    if (firstAdmin) {
      const win = mainWindow;
      const credentials = firstAdmin;
      win.once('ready-to-show', () => void showFirstAdmin(win, credentials));
    }
    log.info('app: ready', {
      mode: 'electron',
      dev: location.dev,
      packaged: app.isPackaged,
      schema: services.info.schemaVersion,
    });
  }

  app
    .whenReady()
    .then(onReady)
    .catch((err: unknown) => {
      // Stopped from the upgrade window: the conversion cleaned up after itself (the original store is
      // unchanged); exit without the windows' close events (the upgrade window would ask again).
      if (cancelUpgrade.signal.aborted) app.exit(0);
      else fail(err, dbPath);
    });
}

process.on('unhandledRejection', (reason) => log.error('main: unhandled rejection', errorFields(reason)));

// The build copies db/migrations beside this bundle (out/main/migrations, inside app.asar when packaged).
// Say so explicitly: the store code that reads them may sit in a shared chunk (out/main/chunks/), where
// its own __dirname-relative guesses would miss.
const bundledMigrations = path.join(__dirname, 'migrations');
if (!process.env.CRM_MIGRATIONS_DIR && existsSync(bundledMigrations))
  process.env.CRM_MIGRATIONS_DIR = bundledMigrations;

const launch = parseCliArgs(process.argv, { defaultApp: process.defaultApp === true });
log.debug('main: launch', describeForLog(launch));
if (launch.kind === 'cli') void runCliMode(launch.args, launch.dbPath);
else startGui(launch.dbPath);
