import type { Database } from 'better-sqlite3';
import { query } from '../sql';

/**
 * What the customer 360 shows beside the profile: accounts, holdings, loans, the deposit trend,
 * managers of record, profile changes and transactions, as stored rows. The caller has checked the
 * customer is in the user's scope (customerDetail) before any of these run; the handler
 * (main/handlers/customer360.ts) turns the rows into the API shape. Every statement is keyed by
 * customer_id, so each is one index range per customer.
 */

export interface AccountRow {
  id: number;
  account_no: string;
  product: string;
  kind: string;
  status: string;
  opened_on: string;
  balance_fen: number;
  frozen_fen: number;
}

export interface TermDepositRow {
  deposit_no: string;
  product: string;
  principal_fen: number;
  rate_ppm: number;
  start_on: string;
  maturity_on: string;
  status: string;
}

export interface WealthHoldingRow {
  holding_no: string;
  product: string;
  cost_fen: number;
  market_value_fen: number;
  purchased_on: string;
  maturity_on: string | null;
  status: string;
}

export interface LoanRow {
  loan_no: string;
  product: string;
  principal_fen: number;
  balance_fen: number;
  rate_ppm: number;
  disbursed_on: string;
  maturity_on: string;
  next_due_on: string | null;
  next_due_fen: number | null;
  overdue_days: number;
  classification: string;
  status: string;
}

export interface ManagerOfRecordRow {
  name: string;
  from: string;
  to: string | null;
}

export interface ProfileChangeRow {
  field: string;
  old_value: string | null;
  new_value: string | null;
  changed_at: string;
}

export interface TransactionRow {
  id: number;
  txn_at: string;
  account_no: string;
  direction: 'D' | 'C';
  amount_fen: number;
  balance_after_fen: number | null;
  channel: string;
  txn_type: string;
  counterparty_name: string | null;
  memo: string | null;
}

const ACCOUNTS = query<[customerId: number], AccountRow>(
  `SELECT a.id, a.account_no, p.name AS product, a.kind, a.status, a.opened_on, a.balance_fen, a.frozen_fen
   FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.customer_id = ? ORDER BY a.status = 'closed', a.balance_fen DESC`,
);
const LATEST_DEPOSIT_BALANCE_DAY = query<[customerId: number], { d: string | null }>(
  `SELECT MAX(d.on_date) AS d FROM daily_balances d WHERE d.account_id IN (SELECT id FROM accounts WHERE customer_id = ? AND kind IN ('demand', 'term'))`,
);
// The month the branch's reports run to (the latest balance extract's month), not after the given month.
const REPORT_MONTH = query<[month: string], { m: string | null }>(
  'SELECT MAX(month) AS m FROM report_months WHERE month <= ?',
);
// When the customer's last deposit account was closed, if every one of them is (a customer who left).
const DEPOSITS_CLOSED_ON = query<[customerId: number], { closed: string | null; open: number }>(
  `SELECT MAX(closed_on) AS closed, SUM(closed_on IS NULL AND status <> 'closed') AS open
   FROM accounts WHERE customer_id = ? AND kind IN ('demand', 'term')`,
);
// Month-end balance per deposit account (the last row of each month), summed per month.
const MONTH_END_DEPOSITS = query<[customerId: number, fromDay: string], { m: string; s: number }>(
  `SELECT m, SUM(balance_fen) AS s FROM (
     SELECT substr(d.on_date, 1, 7) AS m, d.balance_fen,
            ROW_NUMBER() OVER (PARTITION BY d.account_id, substr(d.on_date, 1, 7) ORDER BY d.on_date DESC) AS rn
     FROM daily_balances d JOIN accounts a ON a.id = d.account_id
     WHERE a.customer_id = ? AND a.kind IN ('demand', 'term') AND d.on_date >= ?)
   WHERE rn = 1 GROUP BY m ORDER BY m`,
);
const TERM_DEPOSITS = query<[customerId: number], TermDepositRow>(
  `SELECT t.deposit_no, p.name AS product, t.principal_fen, t.rate_ppm, t.start_on, t.maturity_on, t.status
   FROM term_deposits t JOIN products p ON p.id = t.product_id WHERE t.customer_id = ? ORDER BY t.status <> 'active', t.maturity_on`,
);
const WEALTH_HOLDINGS = query<[customerId: number], WealthHoldingRow>(
  `SELECT h.holding_no, p.name AS product, h.cost_fen, h.market_value_fen, h.purchased_on, h.maturity_on, h.status
   FROM wealth_holdings h JOIN products p ON p.id = h.product_id WHERE h.customer_id = ? ORDER BY h.status <> 'active', h.maturity_on`,
);
const LOANS = query<[customerId: number], LoanRow>(
  `SELECT l.loan_no, p.name AS product, l.principal_fen, l.balance_fen, l.rate_ppm, l.disbursed_on, l.maturity_on, l.next_due_on, l.next_due_fen,
          l.overdue_days, l.classification, l.status
   FROM loans l JOIN products p ON p.id = l.product_id WHERE l.customer_id = ? ORDER BY l.status <> 'active', l.maturity_on`,
);
const MANAGERS_OF_RECORD = query<[customerId: number], ManagerOfRecordRow>(
  `SELECT s.name, m.from_date AS "from", m.to_date AS "to" FROM manager_assignments m JOIN staff s ON s.id = m.staff_id WHERE m.customer_id = ? ORDER BY m.from_date DESC, m.id DESC`,
);
const PROFILE_CHANGES = query<[customerId: number], ProfileChangeRow>(
  'SELECT field, old_value, new_value, changed_at FROM customer_changes WHERE customer_id = ? ORDER BY changed_at DESC, id DESC LIMIT 50',
);
const IS_FAVORITE = query<[userId: number, customerId: number], unknown>(
  'SELECT 1 FROM customer_favorites WHERE user_id = ? AND customer_id = ?',
);
const TRANSACTION_COUNT = query<[customerId: number], { n: number }>(
  'SELECT COUNT(*) AS n FROM transactions WHERE customer_id = ?',
);
const TRANSACTIONS = query<[customerId: number, limit: number, offset: number], TransactionRow>(
  `SELECT t.id, t.txn_at, a.account_no, t.direction, t.amount_fen, t.balance_after_fen, t.channel, t.txn_type, t.counterparty_name, t.memo
   FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE t.customer_id = ? ORDER BY t.txn_at DESC, t.id DESC LIMIT ? OFFSET ?`,
);

export const customerAccounts = (db: Database, customerId: number): AccountRow[] => ACCOUNTS.all(db, customerId);

/** The customer's latest deposit balance day (extracts lag the calendar), or null without balances. */
export const latestDepositBalanceDay = (db: Database, customerId: number): string | null =>
  LATEST_DEPOSIT_BALANCE_DAY.get(db, customerId)?.d ?? null;

/** The latest month the reports cover, up to `month` ('YYYY-MM'); null before any report was built. */
export const reportMonthUpTo = (db: Database, month: string): string | null => REPORT_MONTH.get(db, month)?.m ?? null;

/** The day the customer's deposit accounts were all closed (the last closing), or null while one is open. */
export function depositsClosedOn(db: Database, customerId: number): string | null {
  const r = DEPOSITS_CLOSED_ON.get(db, customerId);
  return r?.closed && !r.open ? r.closed : null;
}

/** Deposits (demand and term) at each month end from `fromDay` on, as month 'YYYY-MM' to fen. */
export function monthEndDeposits(db: Database, customerId: number, fromDay: string): Map<string, number> {
  return new Map(MONTH_END_DEPOSITS.all(db, customerId, fromDay).map((r) => [r.m, r.s]));
}

export const customerTermDeposits = (db: Database, customerId: number): TermDepositRow[] =>
  TERM_DEPOSITS.all(db, customerId);

export const customerWealthHoldings = (db: Database, customerId: number): WealthHoldingRow[] =>
  WEALTH_HOLDINGS.all(db, customerId);

export const customerLoans = (db: Database, customerId: number): LoanRow[] => LOANS.all(db, customerId);

/** Managers of record, latest first. */
export const managersOfRecord = (db: Database, customerId: number): ManagerOfRecordRow[] =>
  MANAGERS_OF_RECORD.all(db, customerId);

/** The 50 latest profile changes, identifiers unmasked (the caller masks them). */
export const profileChanges = (db: Database, customerId: number): ProfileChangeRow[] =>
  PROFILE_CHANGES.all(db, customerId);

export const isFavorite = (db: Database, userId: number, customerId: number): boolean =>
  IS_FAVORITE.get(db, userId, customerId) !== undefined;

/** One page of transactions, latest first, and how many the customer has. */
export function customerTransactions(
  db: Database,
  customerId: number,
  offset: number,
  limit: number,
): { rows: TransactionRow[]; total: number } {
  const total = TRANSACTION_COUNT.get(db, customerId)?.n ?? 0;
  return { rows: TRANSACTIONS.all(db, customerId, limit, offset), total };
}
