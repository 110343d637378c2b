import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentVersion, loadMigrations, migrate, migrationsDir } from '../../../db/migrate';
import { openStore } from '../../../db/open';
import { AppError } from '../../../shared/errors';
import { tempDir } from '../support/store';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir('crm-store-');
});
afterEach(() => t.cleanup());

const file = (name = 'crm.db') => path.join(t.dir, name);

/** Schema as text, minus the bookkeeping table, so two stores can be compared. */
function schemaOf(db: BetterSqlite3.Database): string[] {
  return (
    db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all() as {
      type: string;
      name: string;
      sql: string | null;
    }[]
  ).map((r) => `${r.type} ${r.name} ${r.sql ?? ''}`);
}

async function expectError(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected ${code}`);
}

/** Rows that are valid at (at least) the given schema version, so every step has data to carry. */
function seedAt(db: BetterSqlite3.Database, version: number): void {
  if (version >= 1) {
    db.exec(`INSERT INTO branches (id, code, name) VALUES (1, '3101', '示范支行');
      INSERT INTO staff (id, employee_no, name, branch_id, position) VALUES (1, 'E1', '李经理', 1, 'manager');
      INSERT INTO users (username, display_name, role, staff_id, branch_id, password_hash) VALUES ('m', '李经理', 'manager', 1, 1, 'x');
      INSERT INTO audit_log (action, outcome) VALUES ('seed', 'ok');`);
  }
  if (version >= 2) {
    db.exec(`INSERT INTO products (id, code, name, category) VALUES (1, 'P1', '活期储蓄', 'demand');
      INSERT INTO customers (id, customer_no, kind, name, id_type, branch_id, opened_on, manager_staff_id, deposit_fen, aum_fen)
        VALUES (1, '8000000001', 'individual', '张伟', 'resident_id', 1, '2020-01-01', 1, 12345, 12345);`);
  }
  if (version >= 3) {
    db.exec(`INSERT INTO accounts (id, account_no, customer_id, product_id, branch_id, kind, opened_on, balance_fen)
      VALUES (1, '6222000000000001', 1, 1, 1, 'demand', '2020-01-01', 12345);`);
  }
  if (version >= 4) {
    db.exec(`INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type)
      VALUES ('S1', 1, 1, '2026-01-02 10:00:00', 12345, 'C', 'counter', 'deposit');`);
  }
}

describe('migrations', () => {
  const all = loadMigrations();

  it('are numbered 1..n without gaps', () => {
    expect(all.map((m) => m.version)).toEqual(all.map((_, i) => i + 1));
    expect(all.length).toBeGreaterThanOrEqual(5);
  });

  it('bring an empty store to the newest version in one go, with WAL and foreign keys on', async () => {
    const { db, migrated, backupPath } = await openStore(file());
    expect(migrated).toEqual(all.map((m) => m.version));
    expect(backupPath).toBeNull();
    expect(currentVersion(db)).toBe(all.length);
    expect(db.pragma('user_version', { simple: true })).toBe(all.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    // opening again applies nothing and takes no backup
    const again = await openStore(file());
    expect(again.migrated).toEqual([]);
    expect(again.backupPath).toBeNull();
    again.db.close();
  });

  for (let from = 1; from < loadMigrations().length; from++) {
    it(`upgrade from version ${from}: backup first, data kept, same schema as a fresh store`, async () => {
      const old = new BetterSqlite3(file());
      migrate(old, { upTo: from });
      seedAt(old, from);
      old.close();

      const { db, migrated, backupPath } = await openStore(file(), { backupDir: path.join(t.dir, 'bk') });
      expect(migrated).toEqual(all.filter((m) => m.version > from).map((m) => m.version));
      expect(backupPath).not.toBeNull();
      expect(existsSync(backupPath!)).toBe(true);
      // the backup is the pre-migration store, intact
      const bk = new BetterSqlite3(backupPath!, { readonly: true });
      expect(currentVersion(bk)).toBe(from);
      expect(bk.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((bk.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n).toBe(1);
      bk.close();

      expect((db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n).toBe(1);
      if (from >= 2) expect(db.prepare('SELECT aum_fen FROM customers WHERE id = 1').get()).toEqual({ aum_fen: 12345 });
      const fresh = (await openStore(file('fresh.db'))).db;
      expect(schemaOf(db)).toEqual(schemaOf(fresh));
      fresh.close();
      db.close();
    });
  }

  it('0019 rebuilds the bulk-loaded tables with the same rules: every row and child row kept, bad values still refused, no IN list of 3+', async () => {
    const db = new BetterSqlite3(file());
    db.pragma('foreign_keys = ON');
    migrate(db, { upTo: 18 });
    seedAt(db, 18);
    db.exec(`INSERT INTO products (id, code, name, category) VALUES (2, 'W1', '理财一号', 'wealth'), (3, 'L1', '个人贷款', 'loan'), (4, 'T1', '整存整取', 'term');
      INSERT INTO customer_changes (customer_id, field, old_value, new_value, changed_at, source) VALUES (1, 'mobile', '138', '139', '2026-01-01', 'import:1');
      INSERT INTO manager_assignments (customer_id, staff_id, from_date) VALUES (1, 1, '2020-01-01');
      INSERT INTO term_deposits (deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm, term_months, start_on, maturity_on)
        VALUES ('D1', 1, 1, 4, 1000000, 17500, 12, '2026-01-01', '2027-01-01');
      INSERT INTO wealth_holdings (holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on) VALUES ('H1', 1, 2, 500000, 501234, '2026-02-01');
      INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on, repayment_method, guarantee_type)
        VALUES ('L1', 'C1', 1, 3, 1, 3000000, 2500000, 43500, '2025-01-01', '2028-01-01', 'equal_installment', 'mortgage');`);
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all() as string[]
    ).filter((n) => n !== 'schema_migrations');
    const dump = () =>
      Object.fromEntries(
        tables.map((n) => [
          n,
          db
            .prepare(`SELECT * FROM "${n}"`)
            .all()
            .map((r) => JSON.stringify(r))
            .sort(),
        ]),
      );
    const before = dump();
    expect(before.customer_changes).toHaveLength(1);
    expect(before.manager_assignments).toHaveLength(1);
    db.exec('ANALYZE');
    const stats = () => db.prepare('SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx').all();
    const statsBefore = stats();
    expect(statsBefore.filter((r) => (r as { tbl: string }).tbl === 'customers').length).toBeGreaterThan(5);

    expect(migrate(db, { upTo: 19 })).toEqual([19]);
    expect(dump()).toEqual(before);
    // the planner's statistics of the rebuilt tables are kept
    expect(stats()).toEqual(statsBefore);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    for (const t of ['customers', 'accounts', 'term_deposits', 'wealth_holdings', 'loans']) {
      const sql = db
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
        .pluck()
        .get(t) as string;
      expect(sql).not.toMatch(/IN \([^)]*,[^)]*,[^)]*\)/);
    }
    // The rules hold as before: an unknown tier, id type, status or repayment method is refused; NULL is allowed where it was.
    const bad = [
      "UPDATE customers SET tier = 'platinum' WHERE id = 1",
      "UPDATE customers SET id_type = 'driving_licence' WHERE id = 1",
      "UPDATE customers SET status = 'gone' WHERE id = 1",
      "UPDATE accounts SET kind = 'crypto' WHERE id = 1",
      "UPDATE term_deposits SET status = 'lost' WHERE id = 1",
      "UPDATE wealth_holdings SET status = 'lost' WHERE id = 1",
      "UPDATE loans SET classification = 'fine' WHERE id = 1",
    ];
    for (const sql of bad) expect(() => db.exec(sql), sql).toThrow(/CHECK constraint failed/);
    db.exec(
      "UPDATE customers SET tier = NULL WHERE id = 1; UPDATE customers SET tier = 'exit' WHERE id = 1; UPDATE loans SET guarantee_type = NULL WHERE id = 1",
    );
    // and the foreign keys are enforced again on the rebuilt tables
    expect(() =>
      db.exec("INSERT INTO customer_changes (customer_id, field, changed_at) VALUES (999, 'mobile', '2026-01-01')"),
    ).toThrow(/FOREIGN KEY/);
    db.exec('DELETE FROM customer_changes WHERE customer_id = 1');
    expect(() => db.exec('DELETE FROM customers WHERE id = 1')).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('a CRLF checkout of the migrations (git on Windows) has the same checksums, so stores still open', () => {
    const crlf = path.join(t.dir, 'crlf');
    mkdirSync(crlf);
    for (const f of readdirSync(migrationsDir()).filter((n) => n.endsWith('.sql'))) {
      writeFileSync(path.join(crlf, f), readFileSync(path.join(migrationsDir(), f), 'utf8').replace(/\n/g, '\r\n'));
    }
    expect(readFileSync(path.join(crlf, '0019_check_lists_as_comparisons.sql'), 'utf8')).toContain('\r\n');
    const fromCrlf = loadMigrations(crlf);
    expect(fromCrlf.map((m) => m.checksum)).toEqual(all.map((m) => m.checksum));
    const db = new BetterSqlite3(file());
    migrate(db, { migrations: fromCrlf });
    expect(currentVersion(db)).toBe(all.length);
    db.close();
  });

  it('roll back entirely when a migration fails, leaving the store as it was', async () => {
    const db = new BetterSqlite3(file());
    migrate(db, { upTo: 2 });
    const broken = all.map((m) =>
      m.version === 4
        ? { ...m, sql: 'CREATE TABLE transactions (id INTEGER PRIMARY KEY); SELECT * FROM no_such_table;' }
        : m,
    );
    expect(() => migrate(db, { migrations: broken })).toThrow(/no_such_table/);
    expect(currentVersion(db)).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('accounts','transactions')").all()).toEqual([]);
    db.close();
  });

  it('refuse a store written by a newer release', async () => {
    const db = new BetterSqlite3(file());
    migrate(db);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x', 'now')").run();
    db.close();
    const e = await expectError(openStore(file()), 'STORE_TOO_NEW');
    expect(e.details).toEqual({ storeVersion: 999, appVersion: all.length });
  });

  it('refuse a store whose applied migration differs from the shipped one', async () => {
    const db = new BetterSqlite3(file());
    migrate(db);
    db.prepare("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 2").run();
    db.close();
    await expectError(openStore(file()), 'STORE_MIGRATION_MISMATCH');
  });
});

describe('damaged stores', () => {
  /** A store with a few hundred pages of audit rows, in one file (no WAL); returns its page count. */
  async function filledStore(): Promise<number> {
    const { db } = await openStore(file());
    const ins = db.prepare("INSERT INTO audit_log (action, outcome, details) VALUES ('fill', 'ok', ?)");
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) ins.run('x'.repeat(200) + i);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.close();
    return pages;
  }

  it('a file that is not a database is refused with STORE_DAMAGED and left untouched', async () => {
    writeFileSync(file(), 'this is not sqlite, it is a spreadsheet someone renamed'.repeat(100));
    const before = readFileSync(file());
    const e = await expectError(openStore(file()), 'STORE_DAMAGED');
    expect(e.details).toMatchObject({ file: file(), reason: 'not_a_database' });
    expect(readFileSync(file()).equals(before)).toBe(true);
  });

  it('a database with corrupted pages is refused by the integrity check', async () => {
    await filledStore();
    // Overwrite a few interior pages (not the header) with garbage.
    const fd = openSync(file(), 'r+');
    const junk = Buffer.alloc(4096 * 3, 0xa5);
    writeSync(fd, junk, 0, junk.length, 4096 * 6);
    closeSync(fd);
    const e = await expectError(openStore(file()), 'STORE_DAMAGED');
    expect(['integrity_check', 'not_a_database']).toContain(e.details!.reason);
  });

  it('a big store opens on structural checks; the full check (before migrating, and `crm check`) finds deep damage', async () => {
    const pages = await filledStore();
    // Damage a page near the end (an audit_log leaf, not a root page the structural check reads).
    const fd = openSync(file(), 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * (pages - 3));
    closeSync(fd);
    const opened = await openStore(file(), { fullCheckMaxBytes: 0 });
    opened.db.close();
    const { runCheckCommand } = await import('../../../main/cli/check');
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    try {
      expect(await runCheckCommand(['--db', file(), '--lang', 'en'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(out.join('')).toMatch(/^store damaged: /);
    await expectError(openStore(file()), 'STORE_DAMAGED'); // small enough for the full check at open
  });

  it('a backup taken before migration can be restored and opened', async () => {
    const old = new BetterSqlite3(file());
    migrate(old, { upTo: 3 });
    seedAt(old, 3);
    old.close();
    const { db, backupPath } = await openStore(file(), { backupDir: path.join(t.dir, 'bk') });
    db.close();
    expect(readdirSync(path.join(t.dir, 'bk'))).toHaveLength(1);
    copyFileSync(backupPath!, file('restored.db'));
    const restored = await openStore(file('restored.db'), { backupDir: path.join(t.dir, 'bk2') });
    expect(restored.db.prepare('SELECT balance_fen FROM accounts').get()).toEqual({ balance_fen: 12345 });
    restored.db.close();
  });
});
