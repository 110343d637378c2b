/**
 * build/scripts/launch.mjs: the Electron-or-browser decision, and the fallback run end to end with stub
 * executables standing in for Electron and for out/main/{host,cli}.js (the real host is never started).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_STARTUP_FAILED } from '../../../main/app/startup-error';

const ROOT = path.resolve(__dirname, '..', '..', '..');

type ElectronLookup = { ok: true; path: string } | { ok: false; reason: string };
interface LaunchResult {
  mode: 'electron' | 'browser';
  code: number;
  fallback: string | null;
}
interface LaunchModule {
  EXIT_STARTUP_FAILED: number;
  DEMO_DB: string;
  parseLauncherArgs(args: string[]): { browser: boolean; forward: string[] };
  resolveElectronBinary(opts?: {
    projectDir?: string;
    env?: NodeJS.ProcessEnv;
    exists?: (p: string) => boolean;
    readText?: (p: string) => string;
  }): ElectronLookup;
  chooseInitialMode(input: {
    browserFlag?: boolean;
    env?: NodeJS.ProcessEnv;
    platform?: string;
    electron: ElectronLookup;
  }): { mode: string; reason?: string; electronPath?: string };
  fallbackReason(r: {
    spawnError?: Error | null;
    code: number | null;
    signal?: string | null;
    elapsedMs: number;
    earlyExitMs?: number;
  }): string | null;
  launch(opts: Record<string, unknown>): Promise<LaunchResult>;
  splitDemoArgs(args: string[]): { dbPath: string; demo: string[]; start: string[] };
  withBuildEnv(env: NodeJS.ProcessEnv, projectDir: string): NodeJS.ProcessEnv;
  runDemo(opts: Record<string, unknown>): Promise<{ code: number; seeded: boolean; mode?: string }>;
}

let L: LaunchModule;
beforeAll(async () => {
  // Variable specifier: the script is plain JS without a .d.ts; the interface above is its contract.
  L = (await import(pathToFileURL(path.join(ROOT, 'build/scripts/launch.mjs')).href)) as LaunchModule;
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'crm-launch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An executable Node script that records its argv and selected env, then exits with `code` after `delayMs`. */
function stub(
  name: string,
  code: number,
  delayMs = 0,
): { file: string; calls: () => { argv: string[]; demo?: string; runAsNode?: string }[] } {
  const file = path.join(dir, name);
  const log = `${file}.log`;
  writeFileSync(
    file,
    `#!${process.execPath}\n` +
      `require('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), demo: process.env.CRM_DEMO, runAsNode: process.env.ELECTRON_RUN_AS_NODE }) + '\\n');\n` +
      `setTimeout(() => process.exit(${code}), ${delayMs});\n`,
  );
  chmodSync(file, 0o755);
  return {
    file,
    calls: () => {
      try {
        return readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { argv: string[] });
      } catch {
        return [];
      }
    },
  };
}

const display = { DISPLAY: ':0', PATH: process.env.PATH };

describe('decisions', () => {
  it('keeps the exit code for "already reported" in step with main/app/startup-error.ts', () => {
    expect(L.EXIT_STARTUP_FAILED).toBe(EXIT_STARTUP_FAILED);
  });

  it('takes --browser for itself and forwards the rest untouched', () => {
    expect(L.parseLauncherArgs(['--db', 'x.db', '--browser', '--port', '5000'])).toEqual({
      browser: true,
      forward: ['--db', 'x.db', '--port', '5000'],
    });
  });

  it('finds the Electron binary from path.txt without downloading anything', () => {
    const files = new Map<string, string>();
    const pkg = path.join('/p', 'node_modules', 'electron');
    const fs = { exists: (p: string) => files.has(p), readText: (p: string) => files.get(p) ?? '' };
    expect(L.resolveElectronBinary({ projectDir: '/p', env: {}, ...fs })).toEqual({
      ok: false,
      reason: 'the electron package is not installed',
    });
    files.set(path.join(pkg, 'package.json'), '{}');
    expect(L.resolveElectronBinary({ projectDir: '/p', env: {}, ...fs })).toEqual({
      ok: false,
      reason: 'the Electron binary was never downloaded',
    });
    files.set(path.join(pkg, 'path.txt'), 'electron.exe\n');
    expect(L.resolveElectronBinary({ projectDir: '/p', env: {}, ...fs }).ok).toBe(false);
    files.set(path.join(pkg, 'dist', 'electron.exe'), '');
    expect(L.resolveElectronBinary({ projectDir: '/p', env: {}, ...fs })).toEqual({
      ok: true,
      path: path.join(pkg, 'dist', 'electron.exe'),
    });
    files.set(path.join('/opt/e', 'electron.exe'), '');
    expect(
      L.resolveElectronBinary({ projectDir: '/p', env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/e' }, ...fs }),
    ).toEqual({ ok: true, path: path.join('/opt/e', 'electron.exe') });
  });

  it('answers quickly for this project, whether or not the binary is present', () => {
    const started = Date.now();
    const r = L.resolveElectronBinary();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(typeof r.ok).toBe('boolean');
  });

  it('chooses the first mode', () => {
    const ok: ElectronLookup = { ok: true, path: '/e/electron' };
    expect(L.chooseInitialMode({ env: display, platform: 'linux', electron: ok })).toEqual({
      mode: 'electron',
      electronPath: '/e/electron',
    });
    expect(
      L.chooseInitialMode({ env: { ...display, CRM_BROWSER_MODE: '1' }, platform: 'linux', electron: ok }).mode,
    ).toBe('browser');
    expect(L.chooseInitialMode({ browserFlag: true, env: display, platform: 'win32', electron: ok }).mode).toBe(
      'browser',
    );
    expect(L.chooseInitialMode({ env: {}, platform: 'linux', electron: ok })).toMatchObject({
      mode: 'browser',
      reason: expect.stringContaining('DISPLAY'),
    });
    expect(L.chooseInitialMode({ env: {}, platform: 'win32', electron: ok }).mode).toBe('electron');
    expect(L.chooseInitialMode({ env: display, platform: 'linux', electron: { ok: false, reason: 'gone' } })).toEqual({
      mode: 'browser',
      reason: 'gone',
    });
  });

  it('falls back only for failures that mean "Electron cannot run here"', () => {
    const enoent = Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT' });
    expect(L.fallbackReason({ spawnError: enoent, code: null, elapsedMs: 0 })).toContain('ENOENT');
    expect(L.fallbackReason({ code: 1, elapsedMs: 200 })).toContain('code 1');
    expect(L.fallbackReason({ code: null, signal: 'SIGSEGV', elapsedMs: 200 })).toContain('SIGSEGV');
    expect(L.fallbackReason({ code: 0, elapsedMs: 200 })).toBeNull(); // second instance, or closed at once
    expect(L.fallbackReason({ code: EXIT_STARTUP_FAILED, elapsedMs: 200 })).toBeNull(); // dialog already shown
    expect(L.fallbackReason({ code: null, signal: 'SIGINT', elapsedMs: 200 })).toBeNull(); // Ctrl+C
    expect(L.fallbackReason({ code: 1, elapsedMs: 60_000 })).toBeNull(); // it ran; that is its real exit code
  });

  it('points children at the bundled migrations unless told otherwise', () => {
    expect(L.withBuildEnv({ A: '1' }, dir)).toEqual({ A: '1' }); // nothing built here
    mkdirSync(path.join(dir, 'out', 'main', 'migrations'), { recursive: true });
    expect(L.withBuildEnv({ A: '1' }, dir)).toEqual({
      A: '1',
      CRM_MIGRATIONS_DIR: path.join(dir, 'out', 'main', 'migrations'),
    });
    expect(L.withBuildEnv({ CRM_MIGRATIONS_DIR: '/x' }, dir)).toEqual({ CRM_MIGRATIONS_DIR: '/x' });
  });

  it('splits demo arguments between the generator and the launcher', () => {
    const def = L.splitDemoArgs(['--customers', '2000']);
    expect(def.dbPath).toBe(path.resolve(L.DEMO_DB));
    expect(def.demo).toEqual(['demo', '--db', def.dbPath, '--customers', '2000']);
    expect(def.start).toEqual(['--db', def.dbPath]);
    const custom = L.splitDemoArgs(['--db=/tmp/d.db', '--port', '5000', '--seed', '7', '--browser', '--fresh']);
    expect(custom.demo).toEqual(['demo', '--db', '/tmp/d.db', '--seed', '7', '--fresh']);
    expect(custom.start).toEqual(['--db', '/tmp/d.db', '--port', '5000', '--browser']);
  });
});

describe.skipIf(process.platform === 'win32')('launch() with stub executables', () => {
  const printed: string[] = [];
  const print = (line: string) => printed.push(line);
  beforeEach(() => {
    printed.length = 0;
  });

  it('falls back to browser mode when Electron dies at start-up, forwarding args and exit code', async () => {
    const electron = stub('electron', 1);
    const host = stub('host.js', 7);
    const r = await L.launch({
      args: ['--db', 'x.db'],
      env: { ...display, ELECTRON_RUN_AS_NODE: '1', CRM_DEMO: '1' },
      platform: 'linux',
      projectDir: dir,
      resolveElectron: () => ({ ok: true, path: electron.file }),
      hostEntry: host.file,
      print,
    });
    expect(r).toEqual({ mode: 'browser', code: 7, fallback: 'it exited during start-up (code 1)' });
    expect(printed).toEqual([
      'Electron is unavailable (it exited during start-up (code 1)); falling back to browser mode.',
    ]);
    expect(electron.calls()).toEqual([{ argv: [dir, '--db', 'x.db'], demo: '1' }]); // ELECTRON_RUN_AS_NODE removed
    expect(host.calls()).toEqual([{ argv: ['--db', 'x.db'], demo: '1', runAsNode: '1' }]);
  });

  it('falls back when the Electron binary cannot be spawned at all', async () => {
    const host = stub('host.js', 0);
    const r = await L.launch({
      args: [],
      env: display,
      platform: 'linux',
      resolveElectron: () => ({ ok: true, path: path.join(dir, 'no-such-electron') }),
      hostEntry: host.file,
      print,
    });
    expect(r.mode).toBe('browser');
    expect(r.fallback).toContain('ENOENT');
    expect(host.calls()).toHaveLength(1);
  });

  it('goes straight to browser mode when the binary is missing or browser mode is forced', async () => {
    const host = stub('host.js', 0);
    const missing = await L.launch({
      args: [],
      env: display,
      platform: 'linux',
      resolveElectron: () => ({ ok: false, reason: 'the Electron binary was never downloaded' }),
      hostEntry: host.file,
      print,
    });
    expect(missing).toEqual({ mode: 'browser', code: 0, fallback: 'the Electron binary was never downloaded' });
    expect(printed[0]).toMatch(
      /^Electron is unavailable \(the Electron binary was never downloaded\); falling back to browser mode\.$/,
    );
    const electron = stub('electron', 0);
    const forced = await L.launch({
      args: [],
      env: { ...display, CRM_BROWSER_MODE: '1' },
      platform: 'linux',
      resolveElectron: () => ({ ok: true, path: electron.file }),
      hostEntry: host.file,
      print,
    });
    expect(forced.mode).toBe('browser');
    expect(printed[1]).toBe('Starting in browser mode.');
    expect(electron.calls()).toHaveLength(0);
  });

  it('keeps Electron’s outcome when it reported the error itself, or ran past the start-up window', async () => {
    const host = stub('host.js', 0);
    const reported = stub('electron-reported', EXIT_STARTUP_FAILED);
    const a = await L.launch({
      args: [],
      env: display,
      platform: 'linux',
      resolveElectron: () => ({ ok: true, path: reported.file }),
      hostEntry: host.file,
      print,
    });
    expect(a).toEqual({ mode: 'electron', code: EXIT_STARTUP_FAILED, fallback: null });
    const late = stub('electron-late', 1, 150);
    const b = await L.launch({
      args: [],
      env: display,
      platform: 'linux',
      resolveElectron: () => ({ ok: true, path: late.file }),
      hostEntry: host.file,
      earlyExitMs: 50,
      print,
    });
    expect(b).toEqual({ mode: 'electron', code: 1, fallback: null });
    expect(host.calls()).toHaveLength(0);
    expect(printed).toEqual([]);
  });

  it('says what to do when the build output is missing', async () => {
    const r = await L.launch({
      args: [],
      env: display,
      platform: 'linux',
      resolveElectron: () => ({ ok: false, reason: 'x' }),
      hostEntry: path.join(dir, 'out/main/host.js'),
      print,
    });
    expect(r.code).toBe(1);
    expect(printed.at(-1)).toContain('npm run build');
  });

  it('runDemo seeds with the CLI, then launches on the same store with CRM_DEMO=1', async () => {
    mkdirSync(path.join(dir, 'out', 'main'), { recursive: true });
    const cli = stub(path.join('out', 'main', 'cli.js'), 0);
    const host = stub(path.join('out', 'main', 'host.js'), 0);
    const db = path.join(dir, 'demo.db');
    const r = await L.runDemo({
      args: ['--customers', '20', '--db', db, '--port', '5555'],
      env: { ...display, CRM_BROWSER_MODE: '1' },
      projectDir: dir,
      print,
    });
    expect(r).toEqual({ code: 0, seeded: true, mode: 'browser' });
    expect(cli.calls()).toEqual([{ argv: ['demo', '--db', db, '--customers', '20'], demo: '1' }]);
    expect(host.calls()).toEqual([{ argv: ['--db', db, '--port', '5555'], demo: '1' }]);
  });

  it('runDemo stops when seeding fails', async () => {
    mkdirSync(path.join(dir, 'out', 'main'), { recursive: true });
    stub(path.join('out', 'main', 'cli.js'), 5);
    const host = stub(path.join('out', 'main', 'host.js'), 0);
    const r = await L.runDemo({ args: [], env: { ...display, CRM_BROWSER_MODE: '1' }, projectDir: dir, print });
    expect(r).toEqual({ code: 5, seeded: false });
    expect(host.calls()).toHaveLength(0);
    expect(printed.at(-1)).toContain('exit code 5');
  });
});
