/**
 * A store as an earlier release left it (issue 18's upgrade test): a demo branch's raw data at schema
 * version `version`. The releases' own code is not in this tree, so the fixture is built the way an
 * older release's store looks to the upgrade: the migrations up to `version` only, then every table
 * that schema has filled with the columns it has, copied from a demo branch the generator made at the
 * newest schema. The derived reporting tables are left as an older release could have left them
 * (empty here): what the upgrade must do is refill them to exactly what a rebuild gives.
 *
 * Version 17 is the default: the last schema before 0018, whose upgrade asks for the reporting refill
 * that keeps a million-customer store busy for minutes (every later migration also runs on the way up).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { Database } from 'better-sqlite3';
import { migrate } from '../../../db/migrate';

export const OLD_STORE_VERSION = 17;

/** Tables an upgrade recomputes: not copied (an older release may have left anything there). */
const DERIVED = /^(report_|summary_months|summary_products|summary_txn_|summary_teller_)/;

/**
 * A copy of the store's migrations from 0001 up to the first gap, for tests that must not trip over a
 * migration another change is still adding (a half-written file, a number left free for a moment).
 */
export function contiguousMigrations(
  into: string,
  extra: { name: string; sql: string }[] = [],
  src = path.join(__dirname, '..', '..', '..', 'db', 'migrations'),
): string {
  mkdirSync(into, { recursive: true });
  const files = readdirSync(src)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  let n = 0;
  for (const f of files) {
    if (Number(f.slice(0, 4)) !== n + 1) break;
    copyFileSync(path.join(src, f), path.join(into, f));
    n++;
  }
  for (const e of extra) writeFileSync(path.join(into, `${String(++n).padStart(4, '0')}_${e.name}.sql`), e.sql);
  return into;
}

function columnsOf(db: Database, schema: string, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).all(table, schema) as { name: string }[]).map(
    (r) => r.name,
  );
}

/** Writes `file` at schema `version` holding the raw data of the (newest-schema) store at `from`. */
export function makeOldStore(file: string, from: string, version = OLD_STORE_VERSION): void {
  if (existsSync(file)) throw new Error(`${file} exists`);
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    migrate(db, { upTo: version });
    db.pragma('foreign_keys = OFF');
    db.prepare('ATTACH DATABASE ? AS src').run(from);
    const tables = db
      .prepare(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    db.transaction(() => {
      for (const t of tables) {
        if (DERIVED.test(t)) continue;
        const have = new Set(columnsOf(db, 'src', t));
        if (have.size === 0) continue;
        const cols = columnsOf(db, 'main', t).filter((c) => have.has(c));
        const list = cols.map((c) => `"${c}"`).join(', ');
        db.exec(`DELETE FROM main."${t}"`);
        db.exec(`INSERT INTO main."${t}" (${list}) SELECT ${list} FROM src."${t}"`);
      }
    })();
    db.exec('DETACH DATABASE src');
    db.pragma('foreign_keys = ON');
    const bad = db.pragma('foreign_key_check') as unknown[];
    if (bad.length > 0) throw new Error(`old store fixture breaks ${bad.length} foreign keys`);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
