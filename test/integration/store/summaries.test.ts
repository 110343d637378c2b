import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beginAffected, markAffectedStatement, rebuildAll, refreshAffected, SummaryDelta } from '../../../db/summaries';
import { makeWorld, type World } from '../support/store';

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(() => w.close());

const summary = () => w.db.prepare('SELECT * FROM summary_customers ORDER BY branch_id, manager_staff_id, tier').all();
const figures = () =>
  w.db.prepare('SELECT id, deposit_fen, wealth_fen, loan_fen, aum_fen, last_txn_on FROM customers ORDER BY id').all();

function addHoldings(): void {
  const db = w.db;
  const c = w.ids.customers;
  db.exec(
    `INSERT INTO products (id, code, name, category) VALUES (1, 'D1', '活期', 'demand'), (2, 'W1', '理财', 'wealth'), (3, 'L1', '贷款', 'loan')`,
  );
  const acct =
    db.prepare(`INSERT INTO accounts (account_no, customer_id, product_id, branch_id, kind, opened_on, status, balance_fen)
                           VALUES (?, ?, 1, ?, ?, '2020-01-01', ?, ?)`);
  acct.run('A1', c.m1a, w.ids.branch, 'demand', 'active', 100_00);
  acct.run('A2', c.m1a, w.ids.branch, 'term', 'frozen', 250_00); // frozen money is still on deposit
  acct.run('A3', c.m1a, w.ids.branch, 'demand', 'closed', 999_00); // closed accounts are not
  acct.run('A4', c.m2a, w.ids.outlet, 'demand', 'active', 7_01);
  db.prepare(`INSERT INTO wealth_holdings (holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on, status)
              VALUES ('H1', ?, 2, 1000, 1234, '2026-01-01', 'active'), ('H2', ?, 2, 1000, 5000, '2026-01-01', 'redeemed')`).run(
    c.m2a,
    c.m2a,
  );
  db.prepare(`INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm,
              disbursed_on, maturity_on, repayment_method) VALUES ('L1', 'C1', ?, 3, ?, 100000, 80000, 43500, '2025-01-01', '2030-01-01', 'equal_installment')`).run(
    c.unassigned,
    w.ids.branch,
  );
  db.prepare(`INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type)
              VALUES ('S1', 1, ?, '2026-10-30 09:00:00', 100, 'C', 'counter', 'deposit')`).run(c.m1a);
}

describe('maintained figures and summaries', () => {
  it('refreshing the affected customers equals a full rebuild', () => {
    addHoldings();
    const c = w.ids.customers;
    w.db.transaction(() => {
      beginAffected(w.db);
      const mark = markAffectedStatement(w.db);
      for (const id of [c.m1a, c.m2a, c.unassigned]) mark.run(id);
      refreshAffected(w.db);
    })();
    const afterRefresh = { s: summary(), f: figures() };
    expect(
      w.db
        .prepare('SELECT deposit_fen, wealth_fen, loan_fen, aum_fen, last_txn_on FROM customers WHERE id = ?')
        .get(c.m1a),
    ).toEqual({
      deposit_fen: 350_00,
      wealth_fen: 0,
      loan_fen: 0,
      aum_fen: 350_00,
      last_txn_on: '2026-10-30',
    });
    expect(w.db.prepare('SELECT aum_fen, wealth_fen FROM customers WHERE id = ?').get(c.m2a)).toEqual({
      aum_fen: 7_01 + 1234,
      wealth_fen: 1234,
    });
    rebuildAll(w.db);
    // the other customers had no accounts: the rebuild zeroes their seeded figures, so compare the touched ones
    const rebuilt = figures() as { id: number }[];
    const touched = [c.m1a, c.m2a, c.unassigned];
    expect(rebuilt.filter((r) => touched.includes(r.id))).toEqual(
      (afterRefresh.f as { id: number }[]).filter((r) => touched.includes(r.id)),
    );
  });

  it('incremental summaries after a full rebuild match a second full rebuild exactly', () => {
    addHoldings();
    rebuildAll(w.db);
    const base = summary();
    // change some raw data, refresh incrementally, compare with a fresh rebuild
    w.db.prepare("UPDATE accounts SET balance_fen = balance_fen + 12345 WHERE account_no = 'A4'").run();
    w.db.prepare("UPDATE loans SET status = 'paid_off', balance_fen = 0").run();
    w.db.transaction(() => {
      beginAffected(w.db);
      const mark = markAffectedStatement(w.db);
      mark.run(w.ids.customers.m2a);
      mark.run(w.ids.customers.unassigned);
      refreshAffected(w.db);
    })();
    const incremental = summary();
    expect(incremental).not.toEqual(base);
    rebuildAll(w.db);
    expect(summary()).toEqual(incremental);
  });

  it('SummaryDelta moves a customer between managers and tiers', () => {
    rebuildAll(w.db);
    const row = w.db.prepare(
      'SELECT branch_id, manager_staff_id, tier, deposit_fen, wealth_fen, loan_fen, aum_fen FROM customers WHERE id = ?',
    );
    const before = row.get(w.ids.customers.m1a) as Parameters<SummaryDelta['move']>[0];
    w.db
      .prepare("UPDATE customers SET manager_staff_id = ?, tier = 'gold' WHERE id = ?")
      .run(w.ids.staff.manager2, w.ids.customers.m1a);
    const after = row.get(w.ids.customers.m1a) as Parameters<SummaryDelta['move']>[0];
    const d = new SummaryDelta();
    d.move(before, after);
    d.apply(w.db);
    const incremental = summary();
    rebuildAll(w.db);
    expect(summary()).toEqual(incremental);
  });
});
