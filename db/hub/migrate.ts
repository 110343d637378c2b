import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ClientBase, Pool } from 'pg';
import { loadMigrations, type Migration } from '../migrate';

/**
 * The hub's PostgreSQL schema, as numbered SQL files in db/hub/migrations, with the habits of the
 * workstation's db/migrate.ts: an applied-ids table with checksums (line endings folded), all pending
 * steps in one transaction, and refusal of a database written by a newer hub or whose history was edited.
 */
export type HubMigration = Migration;

export type HubSchemaProblem = 'too_new' | 'too_old' | 'mismatch';

export class HubSchemaError extends Error {
  constructor(
    readonly problem: HubSchemaProblem,
    readonly details: Record<string, unknown>,
  ) {
    super(`hub schema ${problem}: ${JSON.stringify(details)}`);
    this.name = 'HubSchemaError';
  }
}

// Any constant works: it only keeps two hub processes started at once from migrating side by side.
const MIGRATION_LOCK = 0x68756221;

export function hubMigrationsDir(): string {
  const candidates = [
    process.env.CRM_HUB_MIGRATIONS_DIR,
    path.join(__dirname, 'migrations'),
    path.join(__dirname, '..', '..', 'db', 'hub', 'migrations'),
    // bundled (out/main/chunks: the branch demo run from the built app in the source tree)
    path.join(__dirname, '..', '..', '..', 'db', 'hub', 'migrations'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`hub migrations directory not found (looked in ${candidates.join(', ')})`);
  return found;
}

export function loadHubMigrations(dir = hubMigrationsDir()): HubMigration[] {
  return loadMigrations(dir, 'hub migration');
}

async function appliedRows(c: ClientBase): Promise<{ version: number; checksum: string }[]> {
  const exists = await c.query("SELECT to_regclass('hub_schema_migrations') IS NOT NULL AS e");
  if (!exists.rows[0].e) return [];
  const r = await c.query('SELECT version, checksum FROM hub_schema_migrations ORDER BY version');
  return r.rows as { version: number; checksum: string }[];
}

function verify(applied: { version: number; checksum: string }[], all: HubMigration[]): void {
  const version = applied.at(-1)?.version ?? 0;
  if (version > all.length) throw new HubSchemaError('too_new', { schemaVersion: version, hubVersion: all.length });
  for (const row of applied) {
    if (all[row.version - 1]?.checksum !== row.checksum) throw new HubSchemaError('mismatch', { version: row.version });
  }
}

/**
 * Applies what is pending, as the owning (DDL) role, in one transaction: the schema reaches the newest
 * version or stays as it was. Returns the versions applied (none when already current).
 */
export async function migrateHub(pool: Pool, opts: { migrations?: HubMigration[] } = {}): Promise<number[]> {
  const all = opts.migrations ?? loadHubMigrations();
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const applied = await appliedRows(c);
    verify(applied, all);
    const pending = all.slice(applied.length);
    if (pending.length > 0) {
      await c.query(`CREATE TABLE IF NOT EXISTS hub_schema_migrations (
        version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      for (const m of pending) {
        await c.query(m.sql);
        await c.query('INSERT INTO hub_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
      }
    }
    await c.query('COMMIT');
    return pending.map((m) => m.version);
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** What the service checks at start (as the application role): the schema is exactly the one it knows. */
export async function checkHubSchema(pool: Pool, all = loadHubMigrations()): Promise<void> {
  const c = await pool.connect();
  try {
    const applied = await appliedRows(c);
    verify(applied, all);
    if (applied.length < all.length)
      throw new HubSchemaError('too_old', { schemaVersion: applied.length, hubVersion: all.length });
  } finally {
    c.release();
  }
}

const ROLE_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates (or re-keys) a login role that is a member of crm_hub_app and nothing else. Run by the owner;
 * a bank's DBA may do the same by hand. Names are checked and the password quoted by the driver, since
 * utility statements take no parameters.
 */
export async function ensureAppLogin(pool: Pool, user: string, password: string): Promise<void> {
  if (!ROLE_RE.test(user)) throw new Error(`bad role name ${user}`);
  const c = await pool.connect();
  try {
    const ident = c.escapeIdentifier(user);
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
    const verb = exists.rowCount ? 'ALTER' : 'CREATE';
    await c.query(
      `${verb} ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${c.escapeLiteral(password)}`,
    );
    await c.query(`GRANT crm_hub_app TO ${ident}`);
  } finally {
    c.release();
  }
}
