import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { type Column, computeFeatures, computeTarget, type Snapshot } from '../../../db/lab/features';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';

/**
 * No look-ahead (issue 20.2): the features at a cut-off are computed from what was known by then.
 * Every kind of row dated after the cut-off is altered, added or deleted — transactions, month-end
 * balances, accounts closed, loans, wealth and term deposits, tier changes, contacts — and so is every
 * current-state column (customers' status, tier and balances; statuses of holdings): the features must
 * not move by one bit. The same alteration before the cut-off does move them (the check can fail), and
 * the target over the window after the cut-off does see the post-cut-off changes.
 */
const CUTOFF = '2026-07-31';
let db: Database;
let before: Snapshot;

function sameColumns(a: Column[], b: Column[]): string[] {
  const diffs: string[] = [];
  a.forEach((ca, j) => {
    const cb = b[j]!;
    if (ca.name !== cb.name) diffs.push(`${ca.name} vs ${cb.name}`);
    const va = ca.kind === 'numeric' ? ca.values : ca.codes;
    const vb = cb.kind === 'numeric' ? cb.values : cb.kind === 'categorical' ? cb.codes : null;
    if (!vb || va.length !== vb.length) {
      diffs.push(`${ca.name}: length`);
      return;
    }
    let n = 0;
    for (let i = 0; i < va.length; i++) if (!Object.is(va[i], vb[i])) n++;
    if (n) diffs.push(`${ca.name}: ${n} rows differ`);
  });
  return diffs;
}

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1200, seed: 31 });
  db = demo.db;
  before = computeFeatures(db, CUTOFF);
}, 120_000);
afterAll(() => {
  db.close();
  removeTempDirs();
});

describe('features as of a cut-off', () => {
  it('do not change when every row after the cut-off (and every current-state column) is altered', () => {
    const churn = { kind: 'churn', dropShare: 0.5, minBalance: 1000 } as const;
    const loan = { kind: 'loan' } as const;
    const targetBefore = computeTarget(db, before, churn, '2026-10-31');
    const loanBefore = computeTarget(db, before, loan, '2026-10-31');
    const userId = (db.prepare("SELECT id FROM users WHERE username = 'president'").get() as { id: number }).id;
    const ids = (db.prepare('SELECT id FROM customers ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    const changed = db.transaction(() => {
      let n = 0;
      // transactions after the cut-off: amounts, channels, types rewritten; some deleted; new ones added
      n += db
        .prepare(
          `UPDATE transactions SET amount_fen = amount_fen * 7 + 13, channel = 'counter', txn_type = 'transfer_out', direction = 'D'
           WHERE txn_at >= '2026-08-01'`,
        )
        .run().changes;
      n += db.prepare(`DELETE FROM transactions WHERE txn_at >= '2026-10-01' AND id % 2 = 0`).run().changes;
      n += db
        .prepare(
          `INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type)
           SELECT 'X' || a.id, a.id, a.customer_id, '2026-08-01 00:00:01', 999999, 'C', 'atm', 'salary' FROM accounts a WHERE a.kind = 'demand'`,
        )
        .run().changes;
      // month-end balances after the cut-off
      n += db
        .prepare(`UPDATE daily_balances SET balance_fen = balance_fen * 3 + 1 WHERE on_date > ?`)
        .run(CUTOFF).changes;
      // accounts closed after the cut-off
      n += db
        .prepare(
          `UPDATE accounts SET closed_on = '2026-09-01', status = 'closed' WHERE id % 3 = 0 AND (closed_on IS NULL OR closed_on > ?)`,
        )
        .run(CUTOFF).changes;
      // loans: paid off after the cut-off, new ones disbursed after it
      n += db
        .prepare(
          `UPDATE loans SET status = 'paid_off', paid_off_on = '2026-09-30', balance_fen = 0 WHERE status = 'active' AND id % 2 = 0`,
        )
        .run().changes;
      const product = (cat: string) =>
        (db.prepare('SELECT id FROM products WHERE category = ? ORDER BY id LIMIT 1').get(cat) as { id: number }).id;
      const insLoan = db.prepare(
        `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on, repayment_method)
         SELECT 'LX' || c.id, 'HX' || c.id, c.id, ?, c.branch_id, 5000000, 5000000, 40000, '2026-08-20', '2028-08-20', 'bullet' FROM customers c WHERE c.id % 5 = 0`,
      );
      n += insLoan.run(product('loan')).changes;
      // wealth: redeemed (status only), new purchases after the cut-off
      n += db
        .prepare(`UPDATE wealth_holdings SET status = 'redeemed', market_value_fen = 1 WHERE id % 2 = 1`)
        .run().changes;
      n += db
        .prepare(
          `INSERT INTO wealth_holdings (holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on, status)
           SELECT 'WX' || c.id, c.id, ?, 10000000, 10000000, '2026-09-09', 'active' FROM customers c WHERE c.id % 4 = 0`,
        )
        .run(product('wealth')).changes;
      // term deposits: withdrawn (status), a new one started after the cut-off
      n += db.prepare(`UPDATE term_deposits SET status = 'withdrawn' WHERE id % 2 = 0`).run().changes;
      n += db
        .prepare(
          `INSERT INTO term_deposits (deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm, term_months, start_on, maturity_on)
           SELECT 'TX' || a.id, a.id, a.customer_id, ?, 3000000, 20000, 12, '2026-08-08', '2027-08-08' FROM accounts a WHERE a.kind = 'demand' AND a.id % 3 = 1`,
        )
        .run(product('term')).changes;
      // current-state columns of the customer
      n += db
        .prepare(
          `UPDATE customers SET tier = 'exit', status = 'dormant', deposit_fen = 0, wealth_fen = 0, loan_fen = 7, aum_fen = 0, last_txn_on = '2026-10-30'`,
        )
        .run().changes;
      // tier changes and contacts after the cut-off
      const tierIns = db.prepare(
        `INSERT INTO customer_tier_changes (customer_id, from_tier, to_tier, changed_at) VALUES (?, 'gold', 'exit', '2026-08-15T08:00:00.000Z')`,
      );
      const contactIns = db.prepare(
        `INSERT INTO contacts (customer_id, user_id, channel, outcome, contacted_at, contacted_on) VALUES (?, ?, 'call', 'reached', '2026-09-01T02:00:00.000Z', '2026-09-01')`,
      );
      for (const id of ids) {
        n += tierIns.run(id).changes;
        n += contactIns.run(id, userId).changes;
      }
      return n;
    })();
    expect(changed).toBeGreaterThan(ids.length * 4);

    const after = computeFeatures(db, CUTOFF);
    expect([...after.ids]).toEqual([...before.ids]);
    expect(sameColumns(before.columns, after.columns)).toEqual([]);
    expect([...after.aumFen]).toEqual([...before.aumFen]);
    expect([...after.held]).toEqual([...before.held]);

    // ...while the outcomes after the cut-off did move
    const targetAfter = computeTarget(db, after, churn, '2026-10-31');
    const loanAfter = computeTarget(db, after, loan, '2026-10-31');
    expect([...targetAfter.y]).not.toEqual([...targetBefore.y]);
    expect([...loanAfter.y]).not.toEqual([...loanBefore.y]);
  });

  it('do change when the same kind of alteration is made before the cut-off (the check can fail)', () => {
    const base = computeFeatures(db, CUTOFF);
    db.prepare(
      `UPDATE transactions SET channel = 'counter' WHERE txn_at >= '2026-06-01' AND txn_at < '2026-07-31' AND channel <> 'counter'`,
    ).run();
    db.prepare(`UPDATE daily_balances SET balance_fen = balance_fen + 100000 WHERE on_date = ?`).run(CUTOFF);
    const moved = computeFeatures(db, CUTOFF);
    const diffs = sameColumns(base.columns, moved.columns);
    expect(diffs.some((d) => d.startsWith('txn_counter_3m'))).toBe(true);
    expect(diffs.some((d) => d.startsWith('aum:'))).toBe(true);
  });
});
