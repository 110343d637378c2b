import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerIdentifierMatches } from '../../../db/repos/customers';
import { scopeFor } from '../../../db/scope';
import type { Role } from '../../../shared/permissions';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { asMillionCustomers } from '../support/plans';

/**
 * The audit entry of an identifier look-up counts the customers it found (db/repos/customers.ts
 * identifierMatches): one more query per look-up, which must start from the last-four or whole-number
 * indexes like the search itself, never walk a branch. Statistics as in test/integration/grid/plans.test.ts:
 * sampled ANALYZE scaled to a million customers.
 */
let demo: DemoStore;

function plansOf(db: Database, run: () => void): string[] {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: unknown }).prepare = (sql: string) => {
    if (/^\s*SELECT/i.test(sql) && /FROM customers c/.test(sql)) seen.push(sql);
    return prepare(sql);
  };
  try {
    run();
  } finally {
    (db as { prepare: unknown }).prepare = prepare;
  }
  expect(seen).toHaveLength(1);
  const sql = seen[0]!;
  const n = (sql.match(/\?/g) ?? []).length;
  return (
    prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: n }, () => null)) as { detail: string }[]
  ).map((r) => r.detail);
}

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 3000, seed: 11 });
  asMillionCustomers(demo.db, [
    ['branches', 'sqlite_autoindex_branches_1', '6 1'],
    ['customers', 'customers_mobile_last4', '1000000 182'],
    ['customers', 'customers_mobile', '1000000 2'],
    ['customers', 'customers_manager', '1000000 1001 2'],
    ['customers', 'customers_id_no_last4', '1000000 41'],
    ['customers', 'customers_id_no', '1000000 1'],
    ['customers', 'customers_branch', '1000000 1001 1001'],
  ] as const);
}, 60_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('identifier look-up audit count', () => {
  for (const username of ['teller1', 'president', 'manager1'] as const) {
    it(`${username}: starts from the identifier indexes`, () => {
      const db = demo.db;
      const u = db
        .prepare('SELECT role, staff_id AS s, branch_id AS b FROM users WHERE username = ?')
        .get(username) as {
        role: Role;
        s: number;
        b: number;
      };
      const scope = scopeFor(db, { role: u.role, staffId: u.s, branchId: u.b }, '2026-10-31');
      for (const q of ['4369', '123X', '13812345678', '110101199001011234']) {
        const plan = plansOf(db, () => customerIdentifierMatches(db, scope, q, 20));
        const all = plan.join(' | ');
        // A branch holds most of the book: start from the identifier's own index. A manager's book is
        // small: walking it by id (the scope's subquery) is as good.
        const start =
          username === 'manager1'
            ? /^(SEARCH c USING (COVERING )?INDEX customers_(mobile|id_no)|MULTI-INDEX OR|SEARCH c USING INTEGER PRIMARY KEY)/
            : /^(SEARCH c USING (COVERING )?INDEX customers_(mobile|id_no)|MULTI-INDEX OR)/;
        expect(plan[0], `${q}: ${all}`).toMatch(start);
        expect(all, q).not.toMatch(/customers_branch|SCAN c\b|SCAN b\b/);
      }
    });
  }
});
