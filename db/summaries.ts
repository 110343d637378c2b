import type { Database } from 'better-sqlite3';
import { noteCustomersChanged } from './customer-columns';

/**
 * Customers' maintained figures (deposit/wealth/loan/AUM, last transaction date) and the
 * summary_customers totals derived from them. Anything that changes accounts, holdings, loans,
 * transactions, or a customer's branch, manager or tier must, in the same transaction:
 *   1. markAffected() the customers it touched,
 *   2. call refreshAffected() once before committing.
 * refreshAffected() takes the affected customers' old contribution out of the summaries, recomputes
 * their figures from the raw tables, and adds the new contribution back: set-based, so a million
 * affected customers cost one pass, and a handful cost a handful.
 *
 * The definitions below are the single source of truth; rebuildAll() applies them to everyone.
 */

/** Deposits: balances of demand and term accounts that are not closed (frozen money is still on deposit). */
const DEPOSITS = `SELECT customer_id, SUM(balance_fen) AS s FROM accounts
  WHERE kind IN ('demand','term') AND status <> 'closed' AND customer_id IN (SELECT customer_id FROM temp.affected_customers)
  GROUP BY customer_id`;
const WEALTH = `SELECT customer_id, SUM(market_value_fen) AS s FROM wealth_holdings
  WHERE status = 'active' AND customer_id IN (SELECT customer_id FROM temp.affected_customers) GROUP BY customer_id`;
const LOANS = `SELECT customer_id, SUM(balance_fen) AS s FROM loans
  WHERE status = 'active' AND customer_id IN (SELECT customer_id FROM temp.affected_customers) GROUP BY customer_id`;
const LAST_TXN = `SELECT customer_id, MAX(substr(txn_at, 1, 10)) AS d FROM transactions
  WHERE customer_id IN (SELECT customer_id FROM temp.affected_customers) GROUP BY customer_id`;

export function beginAffected(db: Database): void {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS affected_customers (customer_id INTEGER PRIMARY KEY)');
  db.exec('DELETE FROM temp.affected_customers');
}

export function markAffectedStatement(db: Database) {
  return db.prepare('INSERT OR IGNORE INTO temp.affected_customers (customer_id) VALUES (?)');
}

function applySummaryDelta(db: Database, sign: 1 | -1): void {
  db.prepare(
    `INSERT INTO summary_customers (branch_id, manager_staff_id, tier, customers, deposit_fen, wealth_fen, loan_fen, aum_fen)
     SELECT c.branch_id, COALESCE(c.manager_staff_id, 0), COALESCE(c.tier, ''),
            ${sign} * COUNT(*), ${sign} * SUM(c.deposit_fen), ${sign} * SUM(c.wealth_fen), ${sign} * SUM(c.loan_fen), ${sign} * SUM(c.aum_fen)
     FROM customers c WHERE c.id IN (SELECT customer_id FROM temp.affected_customers)
     GROUP BY 1, 2, 3
     ON CONFLICT (branch_id, manager_staff_id, tier) DO UPDATE SET
       customers = customers + excluded.customers,
       deposit_fen = deposit_fen + excluded.deposit_fen,
       wealth_fen = wealth_fen + excluded.wealth_fen,
       loan_fen = loan_fen + excluded.loan_fen,
       aum_fen = aum_fen + excluded.aum_fen`,
  ).run();
}

/**
 * Takes the affected customers' current contribution out of the summaries. Call before changing a
 * customer row's branch, manager or tier directly (the figures themselves are recomputed here).
 */
export function subtractAffected(db: Database): void {
  noteCustomersChanged(db);
  applySummaryDelta(db, -1);
}

/** Recomputes affected customers' figures and adds their contribution back. */
export function recomputeAndAddAffected(db: Database, opts: { figures?: boolean } = {}): void {
  noteCustomersChanged(db);
  if (opts.figures !== false) {
    db.exec(
      `CREATE TEMP TABLE IF NOT EXISTS figures (customer_id INTEGER PRIMARY KEY, dep INTEGER, wlt INTEGER, lon INTEGER, last TEXT)`,
    );
    db.exec('DELETE FROM temp.figures');
    db.exec(`INSERT INTO temp.figures (customer_id, dep, wlt, lon, last)
      SELECT a.customer_id, COALESCE(d.s, 0), COALESCE(w.s, 0), COALESCE(l.s, 0), t.d
      FROM temp.affected_customers a
      LEFT JOIN (${DEPOSITS}) d ON d.customer_id = a.customer_id
      LEFT JOIN (${WEALTH}) w ON w.customer_id = a.customer_id
      LEFT JOIN (${LOANS}) l ON l.customer_id = a.customer_id
      LEFT JOIN (${LAST_TXN}) t ON t.customer_id = a.customer_id`);
    db.exec(`UPDATE customers SET
        deposit_fen = f.dep, wealth_fen = f.wlt, loan_fen = f.lon, aum_fen = f.dep + f.wlt,
        last_txn_on = COALESCE(f.last, customers.last_txn_on)
      FROM temp.figures f WHERE f.customer_id = customers.id
        AND (customers.deposit_fen, customers.wealth_fen, customers.loan_fen, customers.last_txn_on)
            IS NOT (f.dep, f.wlt, f.lon, COALESCE(f.last, customers.last_txn_on))`);
  }
  applySummaryDelta(db, 1);
  // Groups that emptied out are dropped so "no row" and "zero" never differ between paths.
  db.exec('DELETE FROM summary_customers WHERE customers = 0');
}

/** Both halves, for callers whose change is already written (figures come from raw tables). */
export function refreshAffected(db: Database): void {
  // The subtraction must see the old figures; recompute reads the raw tables, so order is safe.
  subtractAffected(db);
  recomputeAndAddAffected(db);
}

/** Repair: recompute every customer's figures and the summaries from scratch. */
export function rebuildAll(db: Database): void {
  db.transaction(() => {
    beginAffected(db);
    db.exec('INSERT INTO temp.affected_customers (customer_id) SELECT id FROM customers');
    recomputeAndAddAffected(db, { figures: true });
    rebuildSummaryTable(db);
    db.exec('DELETE FROM temp.affected_customers');
  })();
}

/** Recomputes summary_customers alone from customers' maintained figures. */
export function rebuildSummaryTable(db: Database): void {
  db.exec('DELETE FROM summary_customers');
  db.exec(`INSERT INTO summary_customers
    SELECT branch_id, COALESCE(manager_staff_id, 0), COALESCE(tier, ''), COUNT(*),
           SUM(deposit_fen), SUM(wealth_fen), SUM(loan_fen), SUM(aum_fen)
    FROM customers GROUP BY 1, 2, 3`);
}

export interface CustomerGroupRow {
  branch_id: number;
  manager_staff_id: number | null;
  tier: string | null;
  deposit_fen: number;
  wealth_fen: number;
  loan_fen: number;
  aum_fen: number;
}

/**
 * In-memory deltas for writers that change customer rows themselves (a CIF import moving a customer
 * to another branch or manager, re-tiering): record the row before and after, apply once at the end.
 */
export class SummaryDelta {
  private readonly groups = new Map<string, [number, number, string, number, number, number, number, number]>();

  private add(r: CustomerGroupRow, sign: number): void {
    const m = r.manager_staff_id ?? 0;
    const t = r.tier ?? '';
    const key = `${r.branch_id}|${m}|${t}`;
    let g = this.groups.get(key);
    if (!g) {
      g = [r.branch_id, m, t, 0, 0, 0, 0, 0];
      this.groups.set(key, g);
    }
    g[3] += sign;
    g[4] += sign * r.deposit_fen;
    g[5] += sign * r.wealth_fen;
    g[6] += sign * r.loan_fen;
    g[7] += sign * r.aum_fen;
  }

  /** A customer row changed from `before` (null: inserted) to `after` (null: deleted). */
  move(before: CustomerGroupRow | null, after: CustomerGroupRow | null): void {
    if (before) this.add(before, -1);
    if (after) this.add(after, 1);
  }

  /** `n` customer rows inserted into the same group (a fresh load counts them per branch and manager). */
  insertMany(r: CustomerGroupRow, n: number): void {
    if (n > 0) this.add(r, n);
  }

  get size(): number {
    return this.groups.size;
  }

  apply(db: Database): void {
    const up = db.prepare(
      `INSERT INTO summary_customers (branch_id, manager_staff_id, tier, customers, deposit_fen, wealth_fen, loan_fen, aum_fen)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (branch_id, manager_staff_id, tier) DO UPDATE SET
         customers = customers + excluded.customers, deposit_fen = deposit_fen + excluded.deposit_fen,
         wealth_fen = wealth_fen + excluded.wealth_fen, loan_fen = loan_fen + excluded.loan_fen, aum_fen = aum_fen + excluded.aum_fen`,
    );
    for (const g of this.groups.values())
      if (g[3] !== 0 || g[4] !== 0 || g[5] !== 0 || g[6] !== 0 || g[7] !== 0) up.run(...g);
    db.exec('DELETE FROM summary_customers WHERE customers = 0');
    this.groups.clear();
  }
}
