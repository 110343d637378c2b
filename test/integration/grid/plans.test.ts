import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridRows } from '../../../db/repos/customer-grid';
import { searchCustomers } from '../../../db/repos/customers';
import { scopeFor } from '../../../db/scope';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { asMillionCustomers } from '../support/plans';

/**
 * Query plans of the look-ups a teller and a manager type at the counter. A branch holds most of the
 * book, so a plan that starts from the branch (its index, or the branches table joined the ordinary
 * way) tests every customer; the search must start from its own index whatever the statistics say.
 * Checked with sampled statistics like the demo's (ANALYZE with analysis_limit), which once led SQLite
 * to the branch on a million customers (12 s per key stroke).
 */
let demo: DemoStore;

function plansOf(db: Database, run: () => void): string[][] {
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
  // Plans do not depend on the bound values here: bind NULLs, one per placeholder.
  return seen.map((sql) => {
    const n = (sql.match(/\?/g) ?? []).length;
    return (
      prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from({ length: n }, () => null)) as { detail: string }[]
    ).map((r) => r.detail);
  });
}

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 3000, seed: 11 });
  // The statistics a million-customer demo store got from sampled ANALYZE (analysis_limit = 1000),
  // under which the ordinary join started from the branches: the plans must not depend on them.
  // Indexes not listed keep their own averages, scaled to the same million rows.
  asMillionCustomers(demo.db, [
    ['branches', 'sqlite_autoindex_branches_1', '6 1'],
    ['customers', 'customers_tier', '1000000 1001 2'],
    ['customers', 'customers_name', '1000000 2'],
    ['customers', 'customers_mobile_last4', '1000000 182'],
    ['customers', 'customers_mobile', '1000000 2'],
    ['customers', 'customers_manager', '1000000 1001 2'],
    ['customers', 'customers_initials', '1000000 4'],
    ['customers', 'customers_id_no_last4', '1000000 41'],
    ['customers', 'customers_id_no', '1000000 1'],
    ['customers', 'customers_branch', '1000000 1001 1001'],
    ['customers', 'customers_aum', '1000000 3'],
    ['customers', 'sqlite_autoindex_customers_1', '1000000 1'],
  ] as const);
}, 60_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('look-up query plans', () => {
  const queries = ['4369', '王', '张伟', 'zw', '13812345678', '110101199001011234', 'C0000123'];

  it('the teller look-up starts from the search index, never from the branch', () => {
    const db = demo.db;
    const teller = db.prepare(`SELECT staff_id AS s, branch_id AS b FROM users WHERE username = 'teller1'`).get() as {
      s: number;
      b: number;
    };
    const scope = scopeFor(db, { role: 'teller', staffId: teller.s, branchId: teller.b }, '2026-10-31');
    for (const q of queries) {
      const plans = plansOf(db, () => searchCustomers(db, scope, q, 20));
      expect(plans.length, q).toBe(1);
      const first = plans[0]![0]!;
      expect(first, `${q}: ${plans[0]!.join(' | ')}`).toMatch(/^(SEARCH c USING (COVERING )?INDEX|MULTI-INDEX OR)/);
      expect(plans[0]!.join(' | '), q).not.toMatch(/customers_branch|SCAN c\b|SCAN b\b/);
    }
  });

  it("the grid's quick search does the same for the president", () => {
    const db = demo.db;
    const p = db.prepare(`SELECT staff_id AS s, branch_id AS b FROM users WHERE username = 'president'`).get() as {
      s: number;
      b: number;
    };
    const scope = scopeFor(db, { role: 'president', staffId: p.s, branchId: p.b }, '2026-10-31');
    for (const q of queries) {
      const plans = plansOf(db, () => gridRows(db, scope, { q }, [], 0, 20, '2026-10-31', 1));
      const ids = plans[0]!.join(' | ');
      expect(ids, q).toMatch(/^(SEARCH c USING (COVERING )?INDEX|MULTI-INDEX OR)/);
      expect(ids, q).not.toMatch(/customers_branch|SCAN c\b|SCAN b\b/);
    }
  });
});
