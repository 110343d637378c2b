import type { Database } from 'better-sqlite3';
import { expect } from 'vitest';
import { addMonths, parseDay, formatDay } from '../../../db/demo/calendar';
import { TIER_FEN } from '../../../db/demo';
import { isValidResidentId, isValidUscc } from '../../../shared/id-numbers';
import { MOBILE_PREFIXES } from '../../../db/demo/people';
import { offenders } from './helpers';

/**
 * Properties every generated store must have, whatever its size: referential integrity, maintained
 * figures equal to the raw rows, consistent managers of record, and transactions that make sense.
 */
export function checkIntegrity(db: Database): void {
  expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  expect(db.pragma('foreign_key_check')).toEqual([]);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
}

export function checkMaintainedFigures(db: Database): void {
  expect(
    offenders(
      db,
      `
    SELECT c.id, c.deposit_fen, d.s AS dep, c.wealth_fen, w.s AS wealth, c.loan_fen, l.s AS loan, c.last_txn_on, t.d AS last
    FROM customers c
    LEFT JOIN (SELECT customer_id, SUM(balance_fen) s FROM accounts WHERE kind IN ('demand','term') AND status = 'active'
               GROUP BY customer_id) d ON d.customer_id = c.id
    LEFT JOIN (SELECT customer_id, SUM(market_value_fen) s FROM wealth_holdings WHERE status = 'active' GROUP BY customer_id) w
           ON w.customer_id = c.id
    LEFT JOIN (SELECT customer_id, SUM(balance_fen) s FROM loans WHERE status = 'active' GROUP BY customer_id) l ON l.customer_id = c.id
    LEFT JOIN (SELECT customer_id, MAX(substr(txn_at, 1, 10)) d FROM transactions GROUP BY customer_id) t ON t.customer_id = c.id
    WHERE c.deposit_fen <> COALESCE(d.s, 0) OR c.wealth_fen <> COALESCE(w.s, 0) OR c.loan_fen <> COALESCE(l.s, 0)
       OR c.aum_fen <> c.deposit_fen + c.wealth_fen OR c.last_txn_on IS NOT t.d`,
    ),
  ).toEqual([]);
  // Only active accounts hold money, so "active" and "not closed" give the same sums.
  expect(
    offenders(db, "SELECT id, status, balance_fen FROM accounts WHERE status <> 'active' AND balance_fen <> 0"),
  ).toEqual([]);
  expect(
    offenders(db, 'SELECT id FROM accounts WHERE balance_fen < 0 OR frozen_fen < 0 OR frozen_fen > balance_fen'),
  ).toEqual([]);
}

/** The maintained branch x manager x tier totals match the customer rows they summarise. */
export function checkSummaries(db: Database): void {
  const fresh = db
    .prepare(`SELECT branch_id, COALESCE(manager_staff_id, 0) m, COALESCE(tier, '') t, COUNT(*) n,
      SUM(deposit_fen) d, SUM(wealth_fen) w, SUM(loan_fen) l, SUM(aum_fen) a FROM customers GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
    .raw()
    .all();
  const kept = db
    .prepare(`SELECT branch_id, manager_staff_id, tier, customers, deposit_fen, wealth_fen, loan_fen, aum_fen
      FROM summary_customers ORDER BY 1, 2, 3`)
    .raw()
    .all();
  expect(kept).toEqual(fresh);
}

export function checkManagers(db: Database): void {
  expect(
    offenders(
      db,
      `
    SELECT c.id, c.manager_staff_id, m.staff_id FROM customers c
    LEFT JOIN manager_assignments m ON m.customer_id = c.id AND m.to_date IS NULL
    WHERE c.manager_staff_id IS NOT m.staff_id`,
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `SELECT m.id FROM manager_assignments m JOIN staff s ON s.id = m.staff_id WHERE s.position <> 'manager'`,
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT m.id FROM manager_assignments m JOIN customers c ON c.id = m.customer_id
    WHERE m.from_date < c.opened_on OR (m.to_date IS NOT NULL AND m.to_date < m.from_date)`,
    ),
  ).toEqual([]);
  expect(
    offenders(db, "SELECT id, tier FROM customers WHERE tier IN ('gold','quality') AND manager_staff_id IS NULL"),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT g.id FROM customer_grants g JOIN customers c ON c.id = g.customer_id WHERE c.manager_staff_id IS g.staff_id`,
    ),
  ).toEqual([]);
}

export function checkTiers(db: Database): void {
  expect(
    offenders(
      db,
      `
    SELECT c.id, c.tier, c.status, c.aum_fen FROM customers c
    WHERE CASE
      WHEN c.status = 'closed' THEN c.tier <> 'exit'
      WHEN EXISTS (SELECT 1 FROM loans l WHERE l.customer_id = c.id AND l.status = 'active' AND l.overdue_days > 0) THEN c.tier <> 'restricted'
      WHEN c.status = 'dormant' AND c.aum_fen < @key THEN c.tier <> 'exit'
      WHEN c.aum_fen >= @gold THEN c.tier <> 'gold'
      WHEN c.aum_fen >= @quality THEN c.tier <> 'quality'
      WHEN c.aum_fen >= @key THEN c.tier <> 'key'
      ELSE c.tier <> 'ordinary' END`,
      TIER_FEN,
    ),
  ).toEqual([]);
}

const CREDIT_TYPES = "('salary','transfer_in','deposit','interest','refund')";
const DEBIT_TYPES = "('transfer_out','consumption','withdrawal','loan_repayment','fee')";

export function checkTransactions(db: Database, asOf: string): void {
  const asOfDay = parseDay(asOf);
  const windowStart = `${formatDay(addMonths(asOfDay, -11)).slice(0, 7)}-01`;
  expect(
    offenders(
      db,
      `
    SELECT t.id FROM transactions t JOIN accounts a ON a.id = t.account_id
    WHERE a.customer_id <> t.customer_id OR t.txn_at < a.opened_on OR a.kind NOT IN ('demand','card')`,
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT id, txn_type, direction FROM transactions
    WHERE NOT ((txn_type IN ${CREDIT_TYPES} AND direction = 'C') OR (txn_type IN ${DEBIT_TYPES} AND direction = 'D'))`,
    ),
  ).toEqual([]);
  expect(
    offenders(db, 'SELECT id FROM transactions WHERE txn_at < ? OR txn_at > ?', windowStart, `${asOf} 23:59:59`),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `SELECT id, txn_at FROM transactions WHERE txn_at NOT GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]'`,
    ),
  ).toEqual([]);
  // The counter works weekdays, 09:00-17:00, and a teller serves every counter transaction.
  expect(
    offenders(
      db,
      `
    SELECT t.id, t.txn_at, t.teller_staff_id FROM transactions t LEFT JOIN staff s ON s.id = t.teller_staff_id
    WHERE t.channel = 'counter' AND (strftime('%w', t.txn_at) IN ('0','6') OR time(t.txn_at) < '09:00:00'
      OR time(t.txn_at) >= '17:00:00' OR s.position IS NOT 'teller')`,
    ),
  ).toEqual([]);
  expect(
    offenders(db, "SELECT id FROM transactions WHERE channel <> 'counter' AND teller_staff_id IS NOT NULL"),
  ).toEqual([]);
  const serials = db.prepare('SELECT COUNT(*) n, COUNT(DISTINCT serial_no) d FROM transactions').get() as {
    n: number;
    d: number;
  };
  expect(serials.d).toBe(serials.n);
  // Running balances on demand accounts chain from row to row, never go negative, and end at the balance.
  expect(
    offenders(
      db,
      `
    SELECT id, b, prev, amt, d FROM (
      SELECT t.id, t.balance_after_fen b, t.amount_fen amt, t.direction d,
             LAG(t.balance_after_fen) OVER (PARTITION BY t.account_id ORDER BY t.txn_at, t.id) prev
      FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.kind = 'demand')
    WHERE b IS NULL OR b < 0 OR b - CASE d WHEN 'C' THEN amt ELSE -amt END < 0
       OR (prev IS NOT NULL AND b <> prev + CASE d WHEN 'C' THEN amt ELSE -amt END)`,
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT a.id FROM accounts a
    JOIN transactions t ON t.id = (SELECT id FROM transactions x WHERE x.account_id = a.id ORDER BY x.txn_at DESC, x.id DESC LIMIT 1)
    WHERE a.kind = 'demand' AND t.balance_after_fen <> a.balance_fen`,
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT t.id FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.kind = 'card' AND t.balance_after_fen IS NOT NULL`,
    ),
  ).toEqual([]);
}

export function checkBalances(db: Database, asOf: string): void {
  expect(
    offenders(
      db,
      `
    SELECT a.id FROM accounts a LEFT JOIN daily_balances d ON d.account_id = a.id AND d.on_date = ?
    WHERE a.kind = 'demand' AND a.status <> 'closed' AND d.balance_fen IS NOT a.balance_fen`,
      asOf,
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT d.account_id FROM daily_balances d JOIN accounts a ON a.id = d.account_id
    WHERE a.kind <> 'demand' OR d.on_date < a.opened_on OR d.on_date > ?`,
      asOf,
    ),
  ).toEqual([]);
  expect(offenders(db, 'SELECT account_id, COUNT(*) n FROM daily_balances GROUP BY account_id HAVING n > 12')).toEqual(
    [],
  );
  // Each month-end balance is the running balance after that day's last transaction.
  expect(
    offenders(
      db,
      `
    SELECT d.account_id, d.on_date, d.balance_fen, t.balance_after_fen FROM daily_balances d
    JOIN transactions t ON t.id = (SELECT x.id FROM transactions x WHERE x.account_id = d.account_id
                                   AND x.txn_at < d.on_date || ' 24' ORDER BY x.txn_at DESC, x.id DESC LIMIT 1)
    WHERE t.balance_after_fen <> d.balance_fen`,
    ),
  ).toEqual([]);
}

export function checkHoldings(db: Database, asOf: string): void {
  expect(
    offenders(
      db,
      `
    SELECT td.id FROM term_deposits td JOIN accounts a ON a.id = td.account_id
    WHERE a.customer_id <> td.customer_id OR a.kind <> 'term' OR td.start_on >= td.maturity_on
       OR (td.status = 'active' AND (td.maturity_on <= @asOf OR a.status <> 'active' OR a.balance_fen <> td.principal_fen))
       OR (td.status <> 'active' AND (td.maturity_on > @asOf OR a.status <> 'closed' OR a.balance_fen <> 0))`,
      { asOf },
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT w.id FROM wealth_holdings w JOIN products p ON p.id = w.product_id
    WHERE p.category <> 'wealth' OR w.purchased_on < p.launched_on OR w.cost_fen <= 0 OR w.market_value_fen <= 0
       OR (w.status = 'active' AND w.maturity_on IS NOT NULL AND w.maturity_on <= @asOf)
       OR (w.status = 'matured' AND (w.maturity_on IS NULL OR w.maturity_on > @asOf))
       OR ((p.term_months IS NULL) <> (w.maturity_on IS NULL))`,
      { asOf },
    ),
  ).toEqual([]);
  expect(
    offenders(
      db,
      `
    SELECT l.id FROM loans l JOIN products p ON p.id = l.product_id
    WHERE p.category <> 'loan' OR l.balance_fen > l.principal_fen OR l.disbursed_on >= l.maturity_on OR l.disbursed_on > @asOf
       OR l.disbursed_on < p.launched_on
       OR (l.status = 'paid_off' AND (l.balance_fen <> 0 OR l.paid_off_on IS NULL OR l.next_due_on IS NOT NULL))
       OR (l.status = 'active' AND (l.next_due_on IS NULL OR l.next_due_fen <= 0 OR l.paid_off_on IS NOT NULL))
       OR ((l.overdue_days > 0) <> (l.classification <> 'normal'))
       OR (l.overdue_days > 0 AND julianday(@asOf) - julianday(l.next_due_on) <> l.overdue_days)`,
      { asOf },
    ),
  ).toEqual([]);
  expect(
    offenders(db, "SELECT id FROM loans WHERE status = 'active' AND overdue_days = 0 AND next_due_on <= ?", asOf),
  ).toEqual([]);
}

export function checkCustomers(db: Database, asOf: string): void {
  const rows = db
    .prepare(`SELECT id, customer_no, kind, name, name_initials, id_type, id_no, gender, birth_date, mobile,
    legal_rep, registered_capital_fen, opened_on FROM customers`)
    .all() as Record<string, string | number | null>[];
  const prefixes = new Set(MOBILE_PREFIXES);
  const asOfYear = Number(asOf.slice(0, 4));
  const bad: unknown[] = [];
  for (const c of rows) {
    const ok = (cond: boolean, why: string): void => {
      if (!cond) bad.push({ id: c.id, why, c });
    };
    ok(/^8\d{9}$/.test(String(c.customer_no)), 'customer_no');
    ok(/^[a-z]+$/.test(String(c.name_initials)), 'initials');
    ok(
      c.mobile === null || (/^1\d{10}$/.test(String(c.mobile)) && prefixes.has(String(c.mobile).slice(0, 3))),
      'mobile',
    );
    ok(String(c.opened_on) <= asOf && Number(String(c.opened_on).slice(0, 4)) >= asOfYear - 21, 'opened_on');
    if (c.kind === 'individual') {
      ok(String(c.name_initials).length === String(c.name).length, 'initials length');
      ok(c.gender === 'M' || c.gender === 'F', 'gender');
      const age = asOfYear - Number(String(c.birth_date).slice(0, 4));
      ok(age >= 17 && age <= 91, 'age');
      if (c.id_type === 'resident_id') {
        const id = String(c.id_no);
        ok(isValidResidentId(id), 'resident id');
        ok(id.slice(6, 14) === String(c.birth_date).replace(/-/g, ''), 'birth date in id');
        ok(Number(id[16]) % 2 === (c.gender === 'M' ? 1 : 0), 'gender parity');
      } else {
        ok(c.id_type === 'passport' || c.id_type === 'hk_mo_permit', 'id type');
      }
    } else {
      ok(c.id_type === 'uscc' && isValidUscc(String(c.id_no)), 'uscc');
      ok(c.gender === null && c.legal_rep !== null && Number(c.registered_capital_fen) > 0, 'corporate fields');
    }
  }
  expect(bad.slice(0, 5)).toEqual([]);
  const dup = db.prepare('SELECT COUNT(*) n, COUNT(DISTINCT customer_no) d FROM customers').get() as {
    n: number;
    d: number;
  };
  expect(dup.d).toBe(dup.n);
  expect(offenders(db, "SELECT id FROM customers WHERE status <> 'active' AND last_txn_on IS NOT NULL")).toEqual([]);
}

export function checkAll(db: Database, asOf: string): void {
  checkIntegrity(db);
  checkMaintainedFigures(db);
  checkSummaries(db);
  checkManagers(db);
  checkTiers(db);
  checkTransactions(db, asOf);
  checkBalances(db, asOf);
  checkHoldings(db, asOf);
  checkCustomers(db, asOf);
}
