import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureBranch, issueEnrolCode } from '../../db/hub/enrol';
import { ensureAppLogin, migrateHub } from '../../db/hub/migrate';
import { listUsers } from '../../db/repos/users';
import { syncJoined } from '../../db/sync/schema';
import { embeddedAppPassword, openEmbeddedPg } from '../hub/embedded';
import { openAppStore } from '../store-key';
import { startHub } from '../hub/service';
import { joinHub, leaveHub } from '../sync/join';
import { HubRefused, HubUnreachable } from '../sync/hub-client';
import { CliArgError, type OptionSpecs, type OptionValues, parseCommandOptions, usageAnswer } from './args';
import { log as logEvent } from '../log';
import { cliLang, type Lang, num, say } from './i18n';

/**
 * The branch network from the command line:
 *   crm join --hub URL --branch B01 --code CODE --name NAME [--db PATH] [--ca bank-root.pem] [--lang zh-CN|en]
 *       joins a workstation's store to a hub (what the administrator's 网点协同 screen does), in the
 *       name of the store's first administrator;
 *   crm branch-demo [--dir .data/branch] [--customers N] [--fresh] [--lang zh-CN|en]
 *       `npm run demo -- --branch`: a hub on an embedded PostgreSQL and two workstation hosts on copies
 *       of one demo branch (each PC imports the same extracts), both joined to it; prints two URLs, in
 *       the language of main/cli/i18n.ts (passed on to the `demo` and `join` it runs).
 */
const JOIN_OPTIONS = {
  hub: { type: 'string' },
  branch: { type: 'string' },
  code: { type: 'string' },
  name: { type: 'string' },
  db: { type: 'string' },
  ca: { type: 'string' },
  rejoin: { type: 'boolean' },
} as const satisfies OptionSpecs;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Why joining failed, as the 网点协同 screen words it (shared/i18n/domains/sync.json). */
function joinFailure(err: unknown): string {
  if (err instanceof HubUnreachable) return 'hub_unreachable';
  if (err instanceof HubRefused && err.status === 403) return 'enrol_refused';
  return 'hub_error';
}

/** Text in the language of main/cli/i18n.ts (--lang, CRM_LANG, zh-CN). */
export async function runJoinCommand(args: string[]): Promise<number> {
  const lang = cliLang(args);
  const usage = say(lang, 'cli.join.usage');
  let values: OptionValues<typeof JOIN_OPTIONS>;
  try {
    values = parseCommandOptions('join', args, JOIN_OPTIONS);
    for (const o of ['hub', 'branch', 'code', 'name'] as const)
      if (!values[o]) throw new CliArgError('required', { command: 'join', option: `--${o}` });
  } catch (e) {
    return usageAnswer(e, lang, 'join', usage);
  }
  const { hub, branch, code, name } = values as Required<Pick<typeof values, 'hub' | 'branch' | 'code' | 'name'>>;
  let caPem: string | undefined;
  if (values.ca) {
    try {
      caPem = readFileSync(values.ca, 'utf8');
    } catch {
      log(say(lang, 'cli.join.caUnreadable', { file: path.resolve(values.ca) }));
      return 1;
    }
  }
  const dbPath = path.resolve(values.db ?? path.join('.data', 'crm.db'));
  const { db } = await openAppStore(dbPath);
  try {
    if (syncJoined(db) && values.rejoin) await leaveHub(db);
    if (syncJoined(db)) {
      log(say(lang, 'cli.join.already'));
      return 1;
    }
    const admin = listUsers(db).find((u) => u.role === 'admin' && !u.disabled);
    if (!admin) {
      log(say(lang, 'cli.join.noAdmin'));
      return 1;
    }
    let r: Awaited<ReturnType<typeof joinHub>>;
    try {
      r = await joinHub(
        db,
        { hubUrl: hub.replace(/\/+$/, ''), branch, code, name, ...(caPem ? { caPem } : {}) },
        { userId: admin.username, role: 'admin' },
      );
    } catch (e) {
      log(say(lang, 'cli.join.refused', { reason: say(lang, `sync.membership.fail.${joinFailure(e)}`) }));
      return 1;
    }
    // One cycle now, so the administrator sees the outcome; the app's worker takes over from here.
    const status = await r.worker?.syncNow();
    await r.worker?.stop();
    const line = say(lang, 'cli.join.joined', {
      branch,
      pcId: r.pcId,
      seeded: num(r.seeded),
      sync: say(lang, `cli.join.sync.${status?.state ?? 'none'}`),
    });
    process.stdout.write(`${line}\n`);
    return status?.state === 'synced' ? 0 : 1;
  } finally {
    db.close();
  }
}

/** Runs the host of one workstation (out/main/host.js, or main/host/index.ts under tsx) and waits for its URL. */
function startWorkstationHost(dbPath: string, name: string): Promise<{ url: string; child: ChildProcess }> {
  const bundled = path.join(__dirname, '..', 'host.js');
  const entry = existsSync(bundled) ? bundled : path.join(__dirname, '..', 'host', 'index.ts');
  const child = spawn(process.execPath, [...process.execArgv, entry, '--db', dbPath], {
    env: { ...process.env, CRM_DEMO: '1', CRM_LOG: process.env.CRM_LOG ?? 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Branch CRM \(browser mode\): (\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`${name}: the host exited (${code}) before it started: ${out}`)));
  });
}

/**
 * The demo users' password (db/demo/org.ts DEMO_PASSWORD, which this file may not import: production code
 * stays apart from the generator; test/integration/cli/languages.test.ts checks they agree).
 */
export const BRANCH_DEMO_PASSWORD = 'Demo@2026';

/** What `crm branch-demo` prints once all three run: the hub, each PC's address, how to sign in and stop. */
export function branchDemoLines(
  lang: Lang,
  o: { hubUrl: string; hubDir: string; branch: string; pcs: readonly { name: string; url: string }[] },
): string {
  return `${[
    say(lang, 'cli.branchDemo.hub', { url: o.hubUrl, dir: o.hubDir, branch: o.branch }),
    ...o.pcs.map((p) => say(lang, 'cli.branchDemo.pc', { pc: p.name, url: p.url })),
    say(lang, 'cli.branchDemo.signIn', { password: BRANCH_DEMO_PASSWORD }),
  ].join('\n')}\n`;
}

export async function runBranchDemoCommand(args: string[]): Promise<number> {
  const lang = cliLang(args);
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string' },
      customers: { type: 'string' },
      fresh: { type: 'boolean' },
      branch: { type: 'string' },
    },
    strict: false,
  });
  const dir = path.resolve(typeof values.dir === 'string' ? values.dir : path.join('.data', 'branch'));
  const branch = typeof values.branch === 'string' ? values.branch : 'DEMO';
  if (values.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pcs = [
    { name: 'PC-A', db: path.join(dir, 'pc-a.db') },
    { name: 'PC-B', db: path.join(dir, 'pc-b.db') },
  ];
  // Asynchronous for `join`: the hub it talks to runs in this process.
  const cliAsync = (...a: string[]) =>
    new Promise<number>((resolve) => {
      const c = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...a, '--lang', lang], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      c.on('exit', (code) => resolve(code ?? 1));
    });
  const cli = (...a: string[]) =>
    spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...a, '--lang', lang], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  if (!pcs.every((p) => existsSync(p.db))) {
    // Each PC's book is the same branch (the generator is deterministic), as if both imported the
    // branch's extracts; each store is its own file with its own key.
    const customers = typeof values.customers === 'string' ? values.customers : '500';
    for (const p of pcs) {
      const r = cli('demo', '--db', p.db, '--customers', customers, '--no-extracts', '--fresh');
      if (r.status !== 0) return r.status ?? 1;
    }
  }

  const hubDir = path.join(dir, 'hub');
  const embedded = await openEmbeddedPg(hubDir);
  const ownerPool = new pg.Pool({ connectionString: embedded.ownerUrl, max: 2 });
  await migrateHub(ownerPool);
  await ensureAppLogin(ownerPool, 'crm_hub', embeddedAppPassword(hubDir));
  await ensureBranch(ownerPool, branch, 'Demo branch');
  const hub = await startHub({ pg: embedded.appUrl, log: () => {} });

  // Each PC joins as the administrator would (`crm join`; the hub listens on a new port each run, so a
  // PC joined before leaves and joins again: its local work is kept), then runs as its own process.
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (const p of pcs) {
    const { code } = await issueEnrolCode(ownerPool, branch);
    const joined = await cliAsync(
      'join',
      '--rejoin',
      '--db',
      p.db,
      '--hub',
      hub.url,
      '--branch',
      branch,
      '--code',
      code,
      '--name',
      p.name,
    );
    if (joined !== 0) return joined;
    let h: Awaited<ReturnType<typeof startWorkstationHost>>;
    try {
      h = await startWorkstationHost(p.db, p.name);
    } catch (e) {
      logEvent.error('branch-demo: a workstation host did not start', {
        pc: p.name,
        file: p.db,
        error: e instanceof Error ? e.message : String(e),
      });
      log(say(lang, 'cli.branchDemo.hostFailed', { pc: p.name, file: p.db }));
      for (const c of children) c.kill('SIGTERM');
      await hub.close().catch(() => undefined);
      await embedded.stop().catch(() => undefined);
      return 1;
    }
    children.push(h.child);
    urls.push(h.url);
  }
  await ownerPool.end();
  process.stdout.write(
    branchDemoLines(lang, {
      hubUrl: hub.url,
      hubDir,
      branch,
      pcs: pcs.map((p, i) => ({ name: p.name, url: urls[i]! })),
    }),
  );

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise((r) => {
              if (c.exitCode !== null) return r(null);
              c.once('exit', r);
              c.kill('SIGTERM');
            }),
        ),
      );
      await hub.close().catch(() => undefined);
      await embedded.stop().catch(() => undefined);
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}
