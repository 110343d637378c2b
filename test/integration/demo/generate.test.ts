import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_AS_OF, DEMO_PASSWORD, DEMO_USERS, generateDemo, managerCount } from '../../../db/demo';
import { openStore } from '../../../db/open';
import { verifyPassword } from '../../../db/password';
import { dataTables, type DemoStore, makeDemoStore, removeTempDirs, tableDigest } from './helpers';
import {
  checkAll,
  checkBalances,
  checkManagers,
  checkMaintainedFigures,
  checkSummaries,
  checkTiers,
  checkTransactions,
} from './invariants';

const N = 2000;
let a: DemoStore;
let b: DemoStore;
let other: DemoStore;

beforeAll(async () => {
  a = await makeDemoStore({ customers: N, seed: 424242 });
  b = await makeDemoStore({ customers: N, seed: 424242 });
  other = await makeDemoStore({ customers: N, seed: 424243 });
}, 120_000);

afterAll(() => {
  for (const s of [a, b, other]) s?.close();
  removeTempDirs();
});

describe('determinism', () => {
  it('gives identical rows in every table for the same seed (password hashes aside)', () => {
    const tables = dataTables(a.db);
    expect(tables).toEqual(
      expect.arrayContaining(['customers', 'transactions', 'daily_balances', 'users', 'manager_assignments']),
    );
    for (const t of tables) {
      const skip = t === 'users' ? ['password_hash'] : [];
      expect({ t, ...tableDigest(b.db, t, skip) }).toEqual({ t, ...tableDigest(a.db, t, skip) });
    }
    const { seconds: _sa, ...sa } = a.summary;
    const { seconds: _sb, ...sb } = b.summary;
    expect(sb).toEqual(sa);
  });

  it('gives different customers for a different seed', () => {
    expect(tableDigest(other.db, 'customers').sha).not.toBe(tableDigest(a.db, 'customers').sha);
    expect(tableDigest(other.db, 'transactions').sha).not.toBe(tableDigest(a.db, 'transactions').sha);
  });

  it('salts every password hash', () => {
    const hashes = (a.db.prepare('SELECT password_hash FROM users').all() as { password_hash: string }[]).map(
      (r) => r.password_hash,
    );
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('a 2,000-customer branch', () => {
  it('holds together (FKs, maintained figures, managers, tiers, transactions, balances, holdings, identities)', () => {
    checkAll(a.db, DEFAULT_AS_OF);
  });

  it('reports its row counts truthfully', () => {
    const count = (t: string): number => (a.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect(a.summary).toMatchObject({
      branches: count('branches'),
      staff: count('staff'),
      users: count('users'),
      customers: N,
      accounts: count('accounts'),
      transactions: count('transactions'),
      loans: count('loans'),
      termDeposits: count('term_deposits'),
      wealthHoldings: count('wealth_holdings'),
      dailyBalances: count('daily_balances'),
    });
    expect(a.summary.seconds).toBeGreaterThan(0);
    expect(a.phases).toEqual(['organisation', 'customers', 'summaries', 'indexes', 'analyze', 'reporting']);
  });

  it('has one branch with 3-5 outlets and the right staff', () => {
    const branches = a.db.prepare('SELECT id, code, name, parent_id FROM branches ORDER BY id').all() as {
      id: number;
      code: string;
      name: string;
      parent_id: number | null;
    }[];
    expect(branches[0]).toMatchObject({ code: '3101', parent_id: null });
    expect(branches[0]!.name).toMatch(/支行$/);
    const outlets = branches.slice(1);
    expect(outlets.length).toBeGreaterThanOrEqual(3);
    expect(outlets.length).toBeLessThanOrEqual(5);
    for (const o of outlets) {
      expect(o.parent_id).toBe(branches[0]!.id);
      expect(o.name).toMatch(/^[\u4e00-\u9fa5]+网点$/);
    }
    const positions = Object.fromEntries(
      (
        a.db.prepare('SELECT position, COUNT(*) n FROM staff GROUP BY position').all() as {
          position: string;
          n: number;
        }[]
      ).map((r) => [r.position, r.n]),
    );
    expect(positions).toMatchObject({ president: 1, admin: 1, manager: managerCount(N) });
    const tellers = a.db
      .prepare("SELECT branch_id, COUNT(*) n FROM staff WHERE position = 'teller' GROUP BY branch_id")
      .all() as { branch_id: number; n: number }[];
    expect(tellers).toHaveLength(outlets.length);
    for (const t of tellers) expect(t.n).toBeGreaterThanOrEqual(2);
    for (const t of tellers) expect(t.n).toBeLessThanOrEqual(4);
    expect(
      a.db
        .prepare("SELECT COUNT(*) n FROM staff WHERE employee_no NOT GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'")
        .get(),
    ).toEqual({ n: 0 });
  });

  it('has a sign-in user per demo role with the demo password', async () => {
    const users = a.db
      .prepare(`SELECT u.*, s.position, s.branch_id AS staff_branch, s.name AS staff_name
      FROM users u LEFT JOIN staff s ON s.id = u.staff_id ORDER BY u.id`)
      .all() as Record<string, string | number | null>[];
    expect(users.map((u) => u.username)).toEqual(DEMO_USERS.map((u) => u.username));
    for (const [i, u] of users.entries()) {
      const spec = DEMO_USERS[i]!;
      expect(u).toMatchObject({ role: spec.role, display_name: spec.displayName, disabled: 0, locale: 'zh-CN' });
      expect(u.position).toBe(spec.role);
      expect(u.branch_id).toBe(u.staff_branch);
      expect(u.staff_name).toBe(spec.displayName);
    }
    const verified = await Promise.all(users.map((u) => verifyPassword(DEMO_PASSWORD, String(u.password_hash))));
    expect(verified.every(Boolean)).toBe(true);
    expect(await verifyPassword('wrong-password', String(users[0]!.password_hash))).toBe(false);
    const firstManagers = (
      a.db.prepare("SELECT id FROM staff WHERE position = 'manager' ORDER BY id LIMIT 3").all() as { id: number }[]
    ).map((r) => r.id);
    expect(users.filter((u) => u.role === 'manager').map((u) => u.staff_id)).toEqual(firstManagers);
  });

  it('looks like a real branch', () => {
    const q = <T>(sql: string): T => a.db.prepare(sql).get() as T;
    const share = q<{ s: number }>("SELECT AVG(kind = 'individual') s FROM customers").s;
    expect(share).toBeGreaterThan(0.94);
    expect(share).toBeLessThan(0.98);
    const tiers = Object.fromEntries(
      (
        a.db.prepare('SELECT tier, AVG(1.0) * COUNT(*) / 2000.0 s FROM customers GROUP BY tier').all() as {
          tier: string;
          s: number;
        }[]
      ).map((r) => [r.tier, r.s]),
    );
    expect(tiers.gold).toBeGreaterThan(0.003);
    expect(tiers.gold).toBeLessThan(0.03);
    expect(tiers.ordinary).toBeGreaterThan(0.6);
    expect(
      q<{ s: number }>("SELECT AVG(manager_staff_id IS NOT NULL) s FROM customers WHERE tier = 'ordinary'").s,
    ).toBeLessThan(0.35);
    expect(
      q<{ s: number }>("SELECT AVG(manager_staff_id IS NOT NULL) s FROM customers WHERE tier = 'key'").s,
    ).toBeGreaterThan(0.6);
    const txns = q<{ n: number }>('SELECT COUNT(*) n FROM transactions').n;
    // Heavy-tailed on purpose: a few busy corporate accounts move a 2,000-customer average by a few units.
    expect(txns / N).toBeGreaterThan(16);
    expect(txns / N).toBeLessThan(27);
    const perCustomer = q<{ zero: number; mx: number }>(
      'SELECT SUM(n = 0) zero, MAX(n) mx FROM (SELECT c.id, COUNT(t.id) n FROM customers c LEFT JOIN transactions t ON t.customer_id = c.id GROUP BY c.id)',
    );
    expect(perCustomer.zero).toBeGreaterThan(0);
    expect(perCustomer.mx).toBeGreaterThan(5 * 20);
    const channels = (
      a.db.prepare('SELECT channel FROM transactions GROUP BY channel ORDER BY COUNT(*) DESC').all() as {
        channel: string;
      }[]
    ).map((r) => r.channel);
    expect(channels[0]).toBe('online');
    expect(channels).toHaveLength(5);
    const evening = q<{ n: number }>(
      "SELECT COUNT(*) n FROM transactions WHERE channel = 'online' AND time(txn_at) BETWEEN '19:00:00' AND '22:59:59'",
    ).n;
    const night = q<{ n: number }>(
      "SELECT COUNT(*) n FROM transactions WHERE channel = 'online' AND time(txn_at) BETWEEN '03:00:00' AND '05:59:59'",
    ).n;
    expect(evening).toBeGreaterThan(5 * night);
    const medianDemand = q<{
      m: number;
    }>(`SELECT balance_fen m FROM accounts WHERE kind = 'demand' AND status = 'active'
      ORDER BY balance_fen LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM accounts WHERE kind = 'demand' AND status = 'active')`).m;
    expect(medianDemand / 100).toBeGreaterThan(8_000);
    expect(medianDemand / 100).toBeLessThan(45_000);
    const maturing = q<{
      d30: number;
      d90: number;
    }>(`SELECT SUM(maturity_on <= date('${DEFAULT_AS_OF}', '+30 days')) d30,
      SUM(maturity_on <= date('${DEFAULT_AS_OF}', '+90 days')) d90 FROM term_deposits WHERE status = 'active'`);
    expect(maturing.d30).toBeGreaterThan(0);
    expect(maturing.d90).toBeGreaterThan(maturing.d30);
    expect(
      q<{ s: number }>("SELECT COUNT(DISTINCT customer_id) / 2000.0 s FROM wealth_holdings WHERE status = 'active'").s,
    ).toBeGreaterThan(0.08);
    expect(q<{ s: number }>('SELECT COUNT(DISTINCT customer_id) / 2000.0 s FROM loans').s).toBeGreaterThan(0.05);
    expect(q<{ n: number }>("SELECT COUNT(*) n FROM loans WHERE classification <> 'normal'").n).toBeGreaterThan(0);
    expect(q<{ n: number }>("SELECT COUNT(*) n FROM loans WHERE status = 'paid_off'").n).toBeGreaterThan(0);
    expect(q<{ n: number }>('SELECT COUNT(*) n FROM customer_grants').n).toBeGreaterThan(0);
    expect(q<{ n: number }>('SELECT COUNT(*) n FROM customer_changes').n).toBeGreaterThan(0);
    expect(
      q<{ n: number }>(
        "SELECT COUNT(*) n FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = '代发工资'",
      ).n,
    ).toBeGreaterThan(0);
    expect(q<{ n: number }>("SELECT COUNT(*) n FROM customers WHERE status = 'dormant'").n).toBeGreaterThan(0);
    const wealthProducts = q<{ n: number }>(
      "SELECT COUNT(*) n FROM products WHERE category = 'wealth' AND status = 'on_sale'",
    ).n;
    expect(wealthProducts).toBeGreaterThanOrEqual(4);
    expect(wealthProducts).toBeLessThanOrEqual(6);
  });

  it('restores the schema: the same indexes as a freshly migrated store, and foreign keys back on', async () => {
    const fresh = await openStore(':memory:');
    const indexes = (db: BetterSqlite3.Database): unknown[] =>
      db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
    expect(indexes(a.db)).toEqual(indexes(fresh.db));
    fresh.db.close();
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(a.db.prepare("SELECT COUNT(*) n FROM sqlite_stat1 WHERE tbl = 'transactions'").get()).toEqual({
      n: expect.any(Number),
    });
  });

  it('refuses a store that is not empty', async () => {
    await expect(generateDemo(a.db, { customers: 10 })).rejects.toThrow(/empty store/);
    expect(a.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('the invariant checks themselves', () => {
  // Run last, on the store kept only for the different-seed comparison: each corruption must be caught.
  it('catch broken figures, managers, tiers, transactions and balances', () => {
    const db = other.db;
    const expectCaught = (sql: string, check: () => void): void => {
      db.exec('SAVEPOINT corrupt');
      try {
        db.exec(sql);
        expect(check).toThrow();
      } finally {
        db.exec('ROLLBACK TO corrupt');
        db.exec('RELEASE corrupt');
      }
    };
    checkAll(db, DEFAULT_AS_OF);
    expectCaught('UPDATE customers SET deposit_fen = deposit_fen + 1 WHERE id = 7', () => checkMaintainedFigures(db));
    expectCaught(
      "UPDATE customers SET last_txn_on = '2026-10-30' WHERE id = (SELECT MIN(id) FROM customers WHERE last_txn_on < '2026-10-01')",
      () => checkMaintainedFigures(db),
    );
    expectCaught(
      'UPDATE summary_customers SET aum_fen = aum_fen + 1 WHERE customers = (SELECT MAX(customers) FROM summary_customers)',
      () => checkSummaries(db),
    );
    expectCaught(
      'UPDATE customers SET manager_staff_id = NULL WHERE id = (SELECT MIN(customer_id) FROM manager_assignments WHERE to_date IS NULL)',
      () => checkManagers(db),
    );
    expectCaught(
      "UPDATE customers SET tier = 'gold' WHERE id = (SELECT MIN(id) FROM customers WHERE tier = 'ordinary')",
      () => checkTiers(db),
    );
    expectCaught(
      "UPDATE transactions SET txn_at = '2026-10-25 10:00:00' WHERE id = (SELECT MIN(id) FROM transactions WHERE channel = 'counter')",
      () => checkTransactions(db, DEFAULT_AS_OF),
    );
    expectCaught(
      "UPDATE transactions SET txn_type = 'salary' WHERE id = (SELECT MIN(id) FROM transactions WHERE direction = 'D')",
      () => checkTransactions(db, DEFAULT_AS_OF),
    );
    // Not the first row of an account: its opening balance is unknown, so only later rows can be checked.
    expectCaught(
      'UPDATE transactions SET amount_fen = amount_fen + 1 WHERE id = (SELECT MAX(id) FROM transactions WHERE balance_after_fen IS NOT NULL)',
      () => checkTransactions(db, DEFAULT_AS_OF),
    );
    expectCaught(
      "UPDATE daily_balances SET balance_fen = balance_fen + 1 WHERE on_date = '2026-03-31' AND account_id = (SELECT MIN(account_id) FROM daily_balances)",
      () => checkBalances(db, DEFAULT_AS_OF),
    );
  });
});
