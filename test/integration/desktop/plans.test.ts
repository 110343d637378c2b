import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, DEFAULT_LAYOUTS, WIDGETS } from '../../../main/desktop/widgets';
import { maturities } from '../../../db/repos/desktop-data';
import { scopeFor } from '../../../db/scope';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { capturePlans } from '../support/plans';

/**
 * Query plans of the desktop's own reads under the statistics of a million-customer store (sampled
 * ANALYZE, customers and holdings scaled as in the other plan tests): maturities come from the covering
 * maturity indexes (president) or from the manager's book by customer index, never a pass over
 * customers, term deposits, wealth holdings or loans; no widget of either default desktop scans customers.
 */
let demo: DemoStore;
const TODAY = '2026-10-31';

const plans = (db: Database, run: () => void) => capturePlans(db, /./, run);

const scopeOf = (db: Database, username: string) => {
  const u = db.prepare('SELECT id, role, staff_id, branch_id FROM users WHERE username = ?').get(username) as {
    id: number;
    role: 'president' | 'manager';
    staff_id: number;
    branch_id: number;
  };
  return { user: u, scope: scopeFor(db, { role: u.role, staffId: u.staff_id, branchId: u.branch_id }, TODAY) };
};
const noScan = (plan: string, table: string, label: string) =>
  expect(plan, label).not.toMatch(new RegExp(`SCAN (${table}|[a-z]+ USING (COVERING )?INDEX ${table}_)\\b`));

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 3000, seed: 37 });
  const db = demo.db;
  db.pragma('analysis_limit = 1000');
  db.exec('ANALYZE');
  const scale = (tbl: string, rows: number) =>
    db.exec(
      `UPDATE sqlite_stat1 SET stat = '${rows}' || substr(stat, instr(stat, ' ')) WHERE tbl = '${tbl}' AND instr(stat, ' ') > 0`,
    );
  scale('customers', 1_000_000);
  scale('term_deposits', 640_000);
  scale('wealth_holdings', 250_000);
  scale('loans', 100_000);
  scale('accounts', 1_700_000);
  db.exec('ANALYZE sqlite_schema');
}, 120_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('desktop query plans under a million customers', () => {
  it('the president’s maturities read the covering maturity indexes only', () => {
    const db = demo.db;
    const { scope } = scopeOf(db, 'president');
    const ps = plans(db, () => maturities(db, scope, TODAY, 30));
    expect(ps.length).toBeGreaterThanOrEqual(2);
    const all = ps.map((p) => p.plan).join('\n');
    for (const idx of ['term_deposits_maturing', 'wealth_holdings_maturing', 'loans_maturing'])
      expect(all).toMatch(new RegExp(`SEARCH x USING COVERING INDEX ${idx}`));
    for (const p of ps)
      for (const t of ['customers', 'term_deposits', 'wealth_holdings', 'loans', 'c', 'x'])
        noScan(p.plan, t, p.sql.slice(0, 60));
  });

  it('a manager’s maturities start from their book and each customer’s holdings by customer index', () => {
    const db = demo.db;
    const { scope } = scopeOf(db, 'manager1');
    const ps = plans(db, () => maturities(db, scope, TODAY, 30, 8, 'book'));
    const all = ps.map((p) => p.plan).join('\n');
    expect(all).toMatch(/customers_manager/);
    // Each holding table by the book's customers, or (the planner's choice when a table's window is the
    // smaller side) by its covering maturity index checked against the book: an index either way.
    for (const t of ['term_deposits', 'wealth_holdings', 'loans'])
      expect(all).toMatch(new RegExp(`SEARCH x USING (INDEX ${t}_customer|COVERING INDEX ${t}_maturing)`));
    expect(all).toMatch(/SEARCH x USING INDEX term_deposits_customer/);
    for (const p of ps)
      for (const t of ['customers', 'term_deposits', 'wealth_holdings', 'loans', 'c', 'x'])
        noScan(p.plan, t, p.sql.slice(0, 60));
  });

  it('no widget of either default desktop passes over the customers', () => {
    const db = demo.db;
    for (const who of ['president', 'manager1'] as const) {
      const { user, scope } = scopeOf(db, who);
      const layout = DEFAULT_LAYOUTS[who === 'president' ? 'president' : 'manager'];
      const ps = plans(db, () => {
        const env = makeEnv(db, scope, TODAY, user);
        for (const w of layout.widgets) WIDGETS[w.kind](w.config as never, env);
      });
      expect(ps.length).toBeGreaterThan(5);
      for (const p of ps) {
        noScan(p.plan, 'customers', `${who}: ${p.sql.slice(0, 80)}`);
        noScan(p.plan, 'c', `${who}: ${p.sql.slice(0, 80)}`);
      }
    }
  });
});
