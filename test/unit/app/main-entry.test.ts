/**
 * The Electron entry (main/index.ts) run in Node against a fake 'electron' module and the real services on
 * a temp store. Electron's binary cannot run on this machine, so this is the check that the wiring holds:
 * lock -> store -> bridge -> window, the error dialog, the CLI path and the second-instance path.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (event: unknown, raw: unknown) => Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;

function fakeElectron(opts: { lock: boolean; userData: string }) {
  let nextId = 1;
  const app = Object.assign(new EventEmitter(), {
    isPackaged: true,
    requestSingleInstanceLock: vi.fn(() => opts.lock),
    enableSandbox: vi.fn(),
    whenReady: () => Promise.resolve(),
    getPath: vi.fn(() => opts.userData),
    setAppUserModelId: vi.fn(),
    disableHardwareAcceleration: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
    getAppPath: () => process.cwd(),
    getVersion: () => '0.1.0',
    getLocale: () => 'zh-CN',
  });
  class WebContents extends EventEmitter {
    readonly id = nextId++;
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
      this.openHandler = fn;
    }
  }
  const windows: BrowserWindow[] = [];
  class BrowserWindow extends EventEmitter {
    readonly webContents = new WebContents();
    loadFile = vi.fn(async (_file: string) => undefined);
    loadURL = vi.fn(async (_url: string) => undefined);
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      windows.push(this);
      // Real Electron announces every new webContents; security.ts hooks in there.
      app.emit('web-contents-created', {}, this.webContents);
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    isVisible = () => true;
  }
  const ipcHandlers = new Map<string, Handler>();
  const electron = {
    app,
    BrowserWindow,
    session: {
      defaultSession: {
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
        setDevicePermissionHandler: vi.fn(),
        webRequest: { onBeforeRequest: vi.fn(), onHeadersReceived: vi.fn() },
        on: vi.fn(),
      },
    },
    ipcMain: {
      handle: vi.fn((channel: string, fn: Handler) => void ipcHandlers.set(channel, fn)),
      removeHandler: vi.fn((channel: string) => void ipcHandlers.delete(channel)),
    },
    dialog: { showErrorBox: vi.fn(), showMessageBox: vi.fn(async () => ({ response: 0 })) },
    clipboard: { writeText: vi.fn() },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
    // DPAPI stand-in: the store key file must hold only what this returns, never the key itself.
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(`dpapi:${[...s].reverse().join('')}`),
      decryptString: (b: Buffer) => [...b.toString().slice('dpapi:'.length)].reverse().join(''),
    },
  };
  return { electron, app, windows, ipcHandlers };
}

let dir: string;
const saved = { argv: process.argv, db: process.env.CRM_DB, log: process.env.CRM_LOG };

async function boot(argv: string[], lock = true) {
  const fake = fakeElectron({ lock, userData: dir });
  vi.resetModules();
  vi.doMock('electron', () => fake.electron);
  process.argv = argv;
  await import('../../../main/index');
  return fake;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crm-main-'));
  delete process.env.CRM_DB;
  process.env.CRM_LOG = 'silent';
});

afterEach(() => {
  process.argv = saved.argv;
  for (const [key, value] of [
    ['CRM_DB', saved.db],
    ['CRM_LOG', saved.log],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.doUnmock('electron');
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('main/index.ts with a fake electron', () => {
  it('opens the store, registers one channel, creates a locked-down window', async () => {
    const db = path.join(dir, 'branch.db');
    const fake = await boot(['BranchCRM.exe', '--db', db]);
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1), { timeout: 20_000 });

    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    expect(existsSync(db)).toBe(true);
    // The store is encrypted at rest, its key wrapped by the OS (safeStorage / DPAPI) in the key file.
    expect(readFileSync(db).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
    const keyRecord = JSON.parse(readFileSync(`${db}.key`, 'utf8')) as { protection: string; key: string };
    expect(keyRecord.protection).toBe('safeStorage');
    expect(Buffer.from(keyRecord.key, 'base64').toString()).toMatch(/^dpapi:[0-9a-f]{64}$/);

    const win = fake.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      devTools: false,
    });
    expect(String(win.options.webPreferences.preload)).toMatch(/[\\/]preload[\\/]index\.js$/);
    const rendererFile = win.loadFile.mock.calls[0]?.[0] ?? '';
    expect(rendererFile).toMatch(/[\\/]renderer[\\/]index\.html$/);

    // Guards were attached through 'web-contents-created'.
    expect(win.webContents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const nav = { url: 'https://evil.example/', preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', nav);
    expect(nav.preventDefault).toHaveBeenCalled();

    expect([...fake.ipcHandlers.keys()]).toEqual(['crm:call']);
    const handler = fake.ipcHandlers.get('crm:call')!;
    const appUrl = pathToFileURL(rendererFile).href;
    const trusted = { sender: { id: win.webContents.id }, senderFrame: { url: `${appUrl}#/`, parent: null } };
    const info = await handler(trusted, { method: 'system.info', input: {}, session: null });
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron' } });
    const stranger = { sender: { id: 999 }, senderFrame: { url: appUrl, parent: null } };
    expect(await handler(stranger, { method: 'system.info', input: {}, session: null })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });

    // First run: the one-time admin password is shown once the window is up, with a copy button.
    win.emit('ready-to-show');
    await vi.waitFor(() => expect(fake.electron.dialog.showMessageBox).toHaveBeenCalled());
    const [, box] = fake.electron.dialog.showMessageBox.mock.calls[0] as unknown as [unknown, { message: string }];
    expect(box.message).toContain('admin');
    await vi.waitFor(() => expect(fake.electron.clipboard.writeText).toHaveBeenCalledTimes(1));

    fake.app.emit('will-quit');
    expect(fake.ipcHandlers.size).toBe(0);
  });

  it('shows a bilingual dialog naming the file and exits with EXIT_STARTUP_FAILED on a damaged store', async () => {
    const db = path.join(dir, 'crm.db'); // the user-data default
    writeFileSync(db, Buffer.alloc(8192, 'not a database, definitely not SQLite '));
    const logged: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation(
      ((chunk: unknown) => logged.push(String(chunk)) > 0) as typeof process.stderr.write,
    );
    const fake = await boot(['BranchCRM.exe']);
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalled(), { timeout: 20_000 });
    expect(fake.app.exit).toHaveBeenCalledWith(3);
    expect(fake.windows).toHaveLength(0);
    const [title, message] = fake.electron.dialog.showErrorBox.mock.calls[0] as unknown as [string, string];
    expect(title).toContain('Branch CRM');
    expect(message).toContain('STORE_DAMAGED');
    expect(message).toContain(db);
    expect(message).toMatch(/损坏/);
    // The stack goes to the log, once; the dialog has none.
    expect(logged.filter((l) => l.includes('startup: failed'))).toHaveLength(1);
    expect(message).not.toContain('at openStore');
  });

  it('runs the CLI without a window or the single-instance lock', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, a?: unknown, b?: unknown) => {
      out.push(String(chunk));
      const cb = typeof a === 'function' ? a : b;
      if (typeof cb === 'function') (cb as () => void)();
      return true;
    }) as typeof process.stdout.write);
    const fake = await boot(['BranchCRM.exe', '--', 'help']);
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalled(), { timeout: 20_000 });
    expect(fake.app.exit).toHaveBeenCalledWith(0);
    // The command list in the CLI's default language (zh-CN without --lang or CRM_LANG).
    expect(out.join('')).toMatch(/^用法：crm <命令>/);
    expect(fake.app.requestSingleInstanceLock).not.toHaveBeenCalled();
    expect(fake.windows).toHaveLength(0);
    // The packaged CLI works on the GUI's store by default.
    expect(process.env.CRM_DB).toBe(path.join(dir, 'crm.db'));
  });

  it('quits quietly as a second instance', async () => {
    const fake = await boot(['BranchCRM.exe'], false);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.app.quit).toHaveBeenCalled();
    expect(fake.app.exit).not.toHaveBeenCalled();
    expect(fake.windows).toHaveLength(0);
    expect(fake.ipcHandlers.size).toBe(0);
  });
});
