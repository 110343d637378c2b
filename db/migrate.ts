import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { AppError } from '../shared/errors';
import { chainExistingEntries } from './audit-chain';
import { isRefillName, type RefillName, requestRefill } from './refills';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** First line of a migration that must run with foreign key enforcement off (see migrate). */
const FK_OFF_RE = /^-- migrate: foreign_keys off\n/;
/**
 * Steps SQL cannot do, run right after their migration's SQL in the same transaction: hashing the audit
 * entries a store already holds into the chain 0024 creates (SQLite has no SHA-256).
 */
const AFTER_SQL: Record<string, (db: Database) => void> = {
  '24_audit_chain': (db) => {
    chainExistingEntries(db);
  },
};

/**
 * Derived tables a migration leaves to be refilled from the raw tables (db/refills.ts). The refill is
 * not run inside the upgrade: on a million customers it takes minutes, so the store opens first and a
 * worker refills while the figures it feeds say "updating". The request is recorded in the migration's
 * own transaction, so an exit before the refill ends leaves it requested for the next start.
 * Shipped migrations are named here (their text cannot change); a new one asks on a line of its own:
 * `-- migrate: refill reporting`.
 */
const REFILL_AFTER: Record<string, readonly RefillName[]> = {
  // 0012 creates the reporting summaries empty; 0018 changes what their tier columns mean.
  '12_reporting_summaries': ['reporting'],
  '18_reporting_tier_at_date': ['reporting'],
};
const REFILL_RE = /^-- migrate: refill ([a-z_ ]+)$/gm;

/** The refills a migration asks for (named above, or by its own `-- migrate: refill` line). */
export function refillsOf(m: Migration): RefillName[] {
  const named = new Set<RefillName>(REFILL_AFTER[`${m.version}_${m.name}`] ?? []);
  for (const match of m.sql.matchAll(REFILL_RE)) {
    for (const name of match[1]!.trim().split(/\s+/)) {
      if (!isRefillName(name)) throw new Error(`migration ${m.version}_${m.name} asks for an unknown refill "${name}"`);
      named.add(name);
    }
  }
  return [...named];
}

/** What migrate() reports before each migration: for a progress bar (db/upgrade.ts). */
export interface MigrationStep {
  migration: Migration;
  /** 0-based position among the migrations this run applies, and how many it applies. */
  index: number;
  count: number;
}

/**
 * Where the .sql files live: next to this module in the source tree (tests, CLI via tsx),
 * or copied beside the bundled main process by the build (out/main/migrations).
 */
export function migrationsDir(): string {
  const candidates = [
    process.env.CRM_MIGRATIONS_DIR,
    path.join(__dirname, 'migrations'),
    // bundled: shared code lands in out/main/chunks, the build copies SQL to out/main/migrations
    path.join(__dirname, '..', 'migrations'),
    path.join(__dirname, '..', 'db', 'migrations'),
    path.join(__dirname, '..', '..', 'db', 'migrations'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`migrations directory not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * The numbered .sql files of a folder, checksummed over their LF text, in order and without gaps: the
 * store's migrations, and the hub's PostgreSQL ones (db/hub/migrate.ts, `what` = 'hub migration').
 */
export function loadMigrations(dir = migrationsDir(), what = 'migration'): Migration[] {
  const list = readdirSync(dir)
    .filter((f) => FILE_RE.test(f))
    .sort()
    .map((f) => {
      const m = FILE_RE.exec(f)!;
      // LF whatever the checkout wrote (.gitattributes asks for LF; a CRLF copy must still match the
      // checksum a store recorded, or the store would be refused after an upgrade).
      const sql = readFileSync(path.join(dir, f), 'utf8').replace(/\r\n/g, '\n');
      return {
        version: Number(m[1]),
        name: m[2]!,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${what} numbering has a gap or duplicate at ${m.version}_${m.name}`);
  });
  return list;
}

export function currentVersion(db: Database): number {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!hasTable) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/** Migrations still to apply. Refuses a store written by a newer release or whose history was edited. */
export function pendingMigrations(db: Database, all: Migration[]): Migration[] {
  const version = currentVersion(db);
  if (version > all.length) {
    throw new AppError('STORE_TOO_NEW', { storeVersion: version, appVersion: all.length });
  }
  if (version > 0) {
    const applied = db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all() as {
      version: number;
      checksum: string;
    }[];
    for (const row of applied) {
      const known = all[row.version - 1];
      if (!known || known.checksum !== row.checksum) {
        throw new AppError('STORE_MIGRATION_MISMATCH', { version: row.version });
      }
    }
  }
  return all.slice(version);
}

/**
 * Applies pending migrations in one transaction: either the store reaches the newest schema or it
 * stays exactly as it was. `upTo` lets tests stop at an earlier version.
 */
export function migrate(
  db: Database,
  opts: { upTo?: number; migrations?: Migration[]; onStep?: (step: MigrationStep) => void } = {},
): number[] {
  const all = opts.migrations ?? loadMigrations();
  // A new store has nothing to refill: only an upgrade of a store that already holds data asks.
  const upgrading = currentVersion(db) > 0;
  const target = opts.upTo ?? all.length;
  const pending = pendingMigrations(db, all).filter((m) => m.version <= target);
  if (pending.length === 0) return [];
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const insert = db.prepare(
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
  );
  const apply = db.transaction(() => {
    pending.forEach((m, index) => {
      opts.onStep?.({ migration: m, index, count: pending.length });
      db.exec(m.sql);
      AFTER_SQL[`${m.version}_${m.name}`]?.(db);
      if (upgrading) for (const r of refillsOf(m)) requestRefill(db, r);
      insert.run(m.version, m.name, m.checksum);
    });
    db.pragma(`user_version = ${target}`);
    // Migrations may add or change foreign keys; prove the data still satisfies them before committing.
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0)
      throw new AppError('STORE_MIGRATION_FAILED', { reason: 'foreign_key_check', count: violations.length });
  });
  // A migration that rebuilds a parent table (SQLite's 12-step ALTER) says so on its first line:
  // enforcement must be off while the old table is dropped (on, the drop deletes child rows or fails).
  // PRAGMA foreign_keys cannot change inside a transaction, hence here; the check above still runs.
  const fkOff = pending.some((m) => FK_OFF_RE.test(m.sql)) && Number(db.pragma('foreign_keys', { simple: true })) === 1;
  if (fkOff) db.pragma('foreign_keys = OFF');
  try {
    apply();
  } finally {
    if (fkOff) db.pragma('foreign_keys = ON');
  }
  return pending.map((m) => m.version);
}
