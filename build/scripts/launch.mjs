/**
 * Shared launcher for `npm start` (start.mjs) and `npm run demo` (demo.mjs), run after `npm run build`.
 *
 * Electron first, browser mode as the fallback. Electron counts as unavailable when:
 *   - CRM_BROWSER_MODE=1 or `--browser` asks for browser mode;
 *   - Linux without DISPLAY / WAYLAND_DISPLAY (nowhere to put a window);
 *   - the binary is not on disk. We read node_modules/electron/path.txt ourselves instead of calling
 *     require('electron'): that module *downloads* the binary when it is missing (spawnSync, no timeout),
 *     which on an offline branch PC or behind a proxy that drops packets can hang the launcher;
 *   - spawning it fails (ENOENT, EACCES, a binary for another platform), or it exits non-zero within
 *     EARLY_EXIT_MS (missing shared libraries, no GPU/sandbox support). EXIT_STARTUP_FAILED is the
 *     exception: main/index.ts already showed a dialog (e.g. a damaged store), and browser mode would
 *     only fail the same way.
 * Every decision is an exported function taking its inputs as arguments, so test/unit/build/launch.test.ts
 * checks them without a display, an Electron binary or the real host.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Mirrors EXIT_STARTUP_FAILED in main/app/startup-error.ts (a test keeps the two equal). */
export const EXIT_STARTUP_FAILED = 3;

/** An Electron that is going to work has opened its window long before this. */
export const EARLY_EXIT_MS = 3000;

/** How long a terminal's own Ctrl+C gets to reach the child before we forward the signal ourselves. */
export const SIGNAL_GRACE_MS = 300;

/**
 * Splits launcher flags from the arguments that go to the app. `--browser` is ours; everything else
 * (`--db`, `--port`, ...) is forwarded untouched to Electron or to out/main/host.js.
 * @param {string[]} args
 */
export function parseLauncherArgs(args) {
  const forward = [];
  let browser = false;
  for (const a of args) {
    if (a === '--browser') browser = true;
    else forward.push(a);
  }
  return { browser, forward };
}

/**
 * Where the Electron binary would be, without side effects (see the header on require('electron')).
 * Follows node_modules/electron/index.js: path.txt names the executable inside dist/, and
 * ELECTRON_OVERRIDE_DIST_PATH replaces dist/.
 * @param {{ projectDir?: string, env?: NodeJS.ProcessEnv, exists?: (p: string) => boolean, readText?: (p: string) => string }} [opts]
 * @returns {{ ok: true, path: string } | { ok: false, reason: string }}
 */
export function resolveElectronBinary(opts = {}) {
  const projectDir = opts.projectDir ?? PROJECT_DIR;
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? existsSync;
  const readText = opts.readText ?? ((p) => readFileSync(p, 'utf8'));
  const pkgDir = path.join(projectDir, 'node_modules', 'electron');
  if (!exists(path.join(pkgDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = exists(pathFile) ? readText(pathFile).trim() : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return exists(p) ? { ok: true, path: p } : { ok: false, reason: `no Electron binary at ${p}` };
  }
  if (!relative) return { ok: false, reason: 'the Electron binary was never downloaded' };
  const p = path.join(pkgDir, 'dist', relative);
  return exists(p) ? { ok: true, path: p } : { ok: false, reason: `no Electron binary at ${p}` };
}

/**
 * What to try first.
 * @param {{ browserFlag?: boolean, env?: NodeJS.ProcessEnv, platform?: string, electron: ReturnType<typeof resolveElectronBinary> }} input
 * @returns {{ mode: 'electron', electronPath: string } | { mode: 'browser', reason: string }}
 */
export function chooseInitialMode(input) {
  const env = input.env ?? process.env;
  const platform = input.platform ?? process.platform;
  if (input.browserFlag || env.CRM_BROWSER_MODE === '1') return { mode: 'browser', reason: 'browser mode requested' };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { mode: 'browser', reason: 'no display (DISPLAY is not set)' };
  if (!input.electron.ok) return { mode: 'browser', reason: input.electron.reason };
  return { mode: 'electron', electronPath: input.electron.path };
}

/**
 * After an Electron attempt ends (or fails to start): fall back to browser mode?
 * @param {{ spawnError?: Error | null, code: number | null, signal?: string | null, elapsedMs: number, earlyExitMs?: number }} r
 * @returns {string | null} why we fall back, or null to keep Electron's outcome
 */
export function fallbackReason(r) {
  if (r.spawnError)
    return `it could not be started (${/** @type {any} */ (r.spawnError).code ?? r.spawnError.message})`;
  const early = r.elapsedMs < (r.earlyExitMs ?? EARLY_EXIT_MS);
  if (!early) return null;
  if (r.code === 0 || r.code === EXIT_STARTUP_FAILED) return null;
  // Killed by a signal we forwarded (Ctrl+C during start-up) is the user quitting, not a broken Electron.
  if (r.code === null && (r.signal === 'SIGINT' || r.signal === 'SIGTERM')) return null;
  return `it exited during start-up (${r.code === null ? `signal ${r.signal}` : `code ${r.code}`})`;
}

/** The line printed when we switch; one line, so it reads well above the host's URL line. */
export function fallbackMessage(reason) {
  return `Electron is unavailable (${reason}); falling back to browser mode.`;
}

/**
 * Runs one child with inherited stdio, forwarding SIGINT/SIGTERM, and reports how it ended.
 * @param {typeof nodeSpawn} spawn
 * @returns {Promise<{ spawnError: Error | null, code: number | null, signal: string | null, elapsedMs: number }>}
 */
export function runChild(spawn, command, args, options) {
  const started = Date.now();
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, { stdio: 'inherit', ...options });
    } catch (err) {
      resolve({ spawnError: /** @type {Error} */ (err), code: null, signal: null, elapsedMs: 0 });
      return;
    }
    // Ctrl+C in a terminal already reaches the child (same process group); forwarding at once would
    // deliver it twice. So forward each signal once, after a short grace, only if the child is still
    // running: that covers `kill <launcher pid>` and service managers without doubling the terminal case.
    const forwarded = new Set();
    const forward = (sig) => {
      if (forwarded.has(sig)) return;
      forwarded.add(sig);
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      }, SIGNAL_GRACE_MS).unref();
    };
    const onInt = () => forward('SIGINT');
    const onTerm = () => forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    let settled = false;
    const done = (result) => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve({ ...result, elapsedMs: Date.now() - started });
    };
    child.once('error', (err) => done({ spawnError: err, code: null, signal: null }));
    child.once('exit', (code, signal) => done({ spawnError: null, code, signal }));
  });
}

/**
 * The build copies db/migrations to out/main/migrations, but the store code may run from a shared chunk
 * (out/main/chunks/) whose own relative lookup misses it: name the folder for every child we start.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} projectDir
 */
export function withBuildEnv(env, projectDir) {
  const migrations = path.join(projectDir, 'out', 'main', 'migrations');
  if (env.CRM_MIGRATIONS_DIR || !existsSync(migrations)) return env;
  return { ...env, CRM_MIGRATIONS_DIR: migrations };
}

/**
 * Electron with browser-mode fallback. Returns the exit code to use and which mode ran last.
 * @param {{
 *   args: string[], env?: NodeJS.ProcessEnv, projectDir?: string, platform?: string,
 *   spawn?: typeof nodeSpawn, resolveElectron?: () => ReturnType<typeof resolveElectronBinary>,
 *   hostEntry?: string, nodePath?: string, earlyExitMs?: number, print?: (line: string) => void,
 * }} opts
 * @returns {Promise<{ mode: 'electron' | 'browser', code: number, fallback: string | null }>}
 */
export async function launch(opts) {
  const projectDir = opts.projectDir ?? PROJECT_DIR;
  const spawn = opts.spawn ?? nodeSpawn;
  const print = opts.print ?? ((line) => process.stderr.write(`${line}\n`));
  const env = withBuildEnv(opts.env ?? process.env, projectDir);
  const { browser, forward } = parseLauncherArgs(opts.args);
  const electron = (opts.resolveElectron ?? (() => resolveElectronBinary({ projectDir, env })))();
  const first = chooseInitialMode({ browserFlag: browser, env, platform: opts.platform, electron });

  let fallback = first.mode === 'browser' ? first.reason : null;
  if (first.mode === 'electron') {
    // ELECTRON_RUN_AS_NODE (left over from some tool) would make the binary a plain Node and run nothing.
    const electronEnv = { ...env };
    delete electronEnv.ELECTRON_RUN_AS_NODE;
    const r = await runChild(spawn, first.electronPath, [projectDir, ...forward], {
      cwd: process.cwd(),
      env: electronEnv,
    });
    fallback = fallbackReason({ ...r, earlyExitMs: opts.earlyExitMs });
    if (fallback === null) return { mode: 'electron', code: r.code ?? 1, fallback: null };
  }

  // The user asked for browser mode: say so plainly instead of calling Electron "unavailable".
  print(browser || env.CRM_BROWSER_MODE === '1' ? 'Starting in browser mode.' : fallbackMessage(fallback));
  const hostEntry = opts.hostEntry ?? path.join(projectDir, 'out', 'main', 'host.js');
  if (!existsSync(hostEntry)) {
    print(
      `Cannot start browser mode: ${path.relative(process.cwd(), hostEntry) || hostEntry} is missing. Run \`npm run build\` first.`,
    );
    return { mode: 'browser', code: 1, fallback };
  }
  const r = await runChild(spawn, opts.nodePath ?? process.execPath, [hostEntry, ...forward], {
    cwd: process.cwd(),
    env,
  });
  if (r.spawnError) {
    print(`Cannot start browser mode: ${r.spawnError.message}`);
    return { mode: 'browser', code: 1, fallback };
  }
  return { mode: 'browser', code: r.code ?? (r.signal === 'SIGINT' || r.signal === 'SIGTERM' ? 0 : 1), fallback };
}

/** For start.mjs / demo.mjs: run, then exit with the child's code. */
export async function main(args, env = process.env) {
  const { code } = await launch({ args, env });
  process.exit(code);
}

/** Where `npm run demo` keeps its store unless `--db` says otherwise (.data/ is git-ignored). */
export const DEMO_DB = path.join('.data', 'demo.db');

/**
 * `npm run demo -- --customers 2000 --port 5000`: which arguments go to the generator and which to the
 * launcher. `--db` goes to both (the generator fills the store the app then opens); `--port` and
 * `--browser` only to the launcher; everything else (`--customers`, `--seed`, `--fresh`) to the generator.
 * @param {string[]} args
 */
export function splitDemoArgs(args) {
  const demo = [];
  const start = [];
  let db = DEMO_DB;
  for (let i = 0; i < args.length; i++) {
    const a = /** @type {string} */ (args[i]);
    const next = args[i + 1];
    if (a === '--db' && next !== undefined) {
      db = next;
      i++;
    } else if (a.startsWith('--db=')) {
      db = a.slice('--db='.length);
    } else if (a === '--port' && next !== undefined) {
      start.push(a, next);
      i++;
    } else if (a.startsWith('--port=') || a === '--browser') {
      start.push(a);
    } else {
      demo.push(a);
    }
  }
  const dbPath = path.resolve(db);
  return { dbPath, demo: ['demo', '--db', dbPath, ...demo], start: ['--db', dbPath, ...start] };
}

/**
 * Seeds the demo store with the CLI (plain Node, never Electron: the generator needs no window), then
 * launches the app on it with CRM_DEMO=1 so the UI can label itself as demo data.
 * @param {{ args: string[], env?: NodeJS.ProcessEnv, projectDir?: string, spawn?: typeof nodeSpawn,
 *           print?: (line: string) => void, launchOptions?: Partial<Parameters<typeof launch>[0]> }} opts
 */
export async function runDemo(opts) {
  const projectDir = opts.projectDir ?? PROJECT_DIR;
  const spawn = opts.spawn ?? nodeSpawn;
  const print = opts.print ?? ((line) => process.stderr.write(`${line}\n`));
  const env = withBuildEnv({ ...(opts.env ?? process.env), CRM_DEMO: '1' }, projectDir);
  const { demo, start } = splitDemoArgs(opts.args);
  const cliEntry = path.join(projectDir, 'out', 'main', 'cli.js');
  if (!existsSync(cliEntry)) {
    print(`Cannot seed the demo: ${cliEntry} is missing. Run \`npm run build\` first.`);
    return { code: 1, seeded: false };
  }
  const seeded = await runChild(spawn, process.execPath, [cliEntry, ...demo], { cwd: process.cwd(), env });
  if (seeded.spawnError || seeded.code !== 0) {
    print(
      `Demo data generation failed (${seeded.spawnError ? seeded.spawnError.message : `exit code ${seeded.code}`}).`,
    );
    return { code: seeded.code || 1, seeded: false };
  }
  const r = await launch({ ...opts.launchOptions, args: start, env, projectDir, spawn, print });
  return { code: r.code, seeded: true, mode: r.mode };
}
