/**
 * How the Electron entry was launched, decided from process.argv alone (no 'electron' import, so it is
 * unit tested in Node: test/unit/app/argv.test.ts).
 *
 * The shapes we must tell apart:
 *   packaged GUI      BranchCRM.exe                                  argv = [exe]
 *   packaged GUI+db   BranchCRM.exe --db D:\crm\crm.db               argv = [exe, '--db', path]
 *   packaged CLI      BranchCRM.exe -- import a.csv                  argv = [exe, '--', 'import', 'a.csv']
 *   packaged CLI      BranchCRM.exe cli import a.csv                 argv = [exe, 'cli', 'import', 'a.csv']
 *   dev               electron . [--db x] [-- import a.csv]          argv = [electron, '.', ...]
 *   dev + switches    electron --inspect=9229 out/main/index.js ...  argv = [electron, '--inspect=9229', path, ...]
 *
 * In a dev run (`process.defaultApp === true`) argv[1] is not a user argument but the app path, possibly
 * after Chromium/Node switches; treating '.' as a positional would be harmless, but treating an app path
 * named e.g. "cli" as the subcommand would not, so the app path is removed first.
 *
 * Why `--` matters beyond convenience: Chromium parses switches anywhere on the command line, but stops at
 * `--` (the fix for CVE-2018-1000006-style injection). Everything after it is ours alone, so the CLI form
 * that is documented for branch IT scripts is `BranchCRM.exe -- <command> ...`.
 *
 * Anything else (a stray positional such as a file dragged onto the shortcut) opens the GUI: a teller
 * double-clicking must never end up in a windowless CLI run.
 */

export type LaunchMode =
  | {
      kind: 'gui';
      /** `--db PATH` / `--db=PATH` given before any `--`; null means "CRM_DB or the user-data default". */
      dbPath: string | null;
    }
  | {
      kind: 'cli';
      /** Arguments for runCli(), without the `--` / `cli` marker. */
      args: string[];
      /**
       * `--db` given *before* the marker (`BranchCRM.exe --db D:\x.db -- import a.csv`). main/index.ts
       * hands it to the CLI as CRM_DB; a `--db` after the marker is the CLI's own and wins there.
       */
      dbPath: string | null;
    };

export interface ArgvContext {
  /** `process.defaultApp`: true when run as `electron <path>` rather than as the packaged executable. */
  defaultApp: boolean;
}

/** The subcommand word accepted in place of `--` (easier to type in a shortcut's target field). */
export const CLI_WORD = 'cli';

/** GUI switches that take the next argument as their value, so that value is not read as a positional. */
const VALUE_SWITCHES = new Set(['--db']);

function isSwitch(arg: string): boolean {
  return arg.startsWith('-') && arg !== '--';
}

/** argv without the executable and, in a dev run, without the app path (and the switches before it). */
export function userArgs(argv: readonly string[], ctx: ArgvContext): string[] {
  const rest = argv.slice(1);
  if (!ctx.defaultApp) return rest;
  const appPathAt = rest.findIndex((a) => !isSwitch(a));
  // `electron --` or `electron` alone: nothing that looks like an app path; keep everything.
  if (appPathAt === -1 || rest[appPathAt] === '--') return rest;
  return [...rest.slice(0, appPathAt), ...rest.slice(appPathAt + 1)];
}

function stripCliWord(args: string[]): string[] {
  return args[0] === CLI_WORD ? args.slice(1) : args;
}

/** Reads `--db` from the GUI part of the command line. The last occurrence wins, as with most tools. */
function findDbPath(args: readonly string[]): string | null {
  let found: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) continue;
    if (a === '--db') {
      const next = args[i + 1];
      if (next !== undefined && next !== '--' && !isSwitch(next) && next.length > 0) {
        found = next;
        i++;
      }
    } else if (a.startsWith('--db=')) {
      const v = a.slice('--db='.length);
      if (v.length > 0) found = v;
    }
  }
  return found;
}

export function parseCliArgs(argv: readonly string[], ctx: ArgvContext): LaunchMode {
  const args = userArgs(argv, ctx);

  const dashAt = args.indexOf('--');
  if (dashAt !== -1) {
    const after = stripCliWord(args.slice(dashAt + 1));
    // A bare trailing `--` (some launchers append one) is not a request for the CLI.
    const dbPath = findDbPath(args.slice(0, dashAt));
    if (after.length > 0 || args[dashAt + 1] === CLI_WORD) return { kind: 'cli', args: after, dbPath };
    return { kind: 'gui', dbPath };
  }

  // `cli` counts only as the first positional, so `--db cli` (a file called "cli") stays a GUI launch.
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) continue;
    if (VALUE_SWITCHES.has(a)) {
      i++;
      continue;
    }
    if (isSwitch(a)) continue;
    if (a === CLI_WORD) return { kind: 'cli', args: args.slice(i + 1), dbPath: findDbPath(args.slice(0, i)) };
    break;
  }
  return { kind: 'gui', dbPath: findDbPath(args) };
}

/**
 * Chromium/Electron switches that Node-style CLI parsing would choke on are never forwarded: runCli sees
 * only what followed the marker. This helper exists for the log line, which must not echo a password
 * someone typed on the command line (`users reset --password ...`).
 */
export function describeForLog(mode: LaunchMode): Record<string, unknown> {
  if (mode.kind === 'gui') return { kind: 'gui', db: mode.dbPath !== null };
  return { kind: 'cli', command: mode.args[0] ?? null, argc: mode.args.length, db: mode.dbPath !== null };
}
