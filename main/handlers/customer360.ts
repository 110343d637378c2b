import type { AccountRow, Customer360, HoldingRow, LoanRow, TxnRow } from '../../shared/api';
import { addMonths } from '../../shared/dates';
import { maskIdNo, maskPhone } from '../../shared/mask';
import { fenToYuan } from '../../shared/money';
import { customerDetail } from './customers';
import { handlers } from './types';

const rate = (ppm: number | null) => (ppm == null ? null : `${(ppm / 10_000).toFixed(2)}%`);
const yuanOrNull = (fen: number | null) => (fen == null ? null : fenToYuan(fen));
/** History of identifiers stays masked like the identifiers themselves. */
const MASKED_HISTORY: Record<string, (v: string | null) => string | null> = {
  id_no: maskIdNo,
  mobile: maskPhone,
  phone: maskPhone,
};

export const customer360Handlers = handlers({
  'customers.view': ({ id }, ctx): Customer360 => {
    // customerDetail checks scope first: nothing below runs for a customer the caller may not see.
    const customer = customerDetail(ctx, id);
    const db = ctx.services.db;
    const accounts = (
      db
        .prepare(
          `SELECT a.id, a.account_no, p.name AS product, a.kind, a.status, a.opened_on, a.balance_fen, a.frozen_fen
           FROM accounts a JOIN products p ON p.id = a.product_id WHERE a.customer_id = ? ORDER BY a.status = 'closed', a.balance_fen DESC`,
        )
        .all(id) as {
        id: number;
        account_no: string;
        product: string;
        kind: string;
        status: string;
        opened_on: string;
        balance_fen: number;
        frozen_fen: number;
      }[]
    ).map(
      (a): AccountRow => ({
        id: a.id,
        accountNo: a.account_no,
        productName: a.product,
        kind: a.kind,
        status: a.status,
        openedOn: a.opened_on,
        balance: fenToYuan(a.balance_fen),
        frozen: fenToYuan(a.frozen_fen),
      }),
    );
    // Month-end balance per deposit account (the last row of each month), summed per month.
    // The window ends at the customer's latest balance date (extracts lag the calendar), else today.
    const latest = db
      .prepare(
        `SELECT MAX(d.on_date) AS d FROM daily_balances d WHERE d.account_id IN (SELECT id FROM accounts WHERE customer_id = ? AND kind IN ('demand', 'term'))`,
      )
      .get(id) as { d: string | null };
    const today = ctx.services.clock.today();
    const end = latest.d && latest.d < today ? latest.d : today;
    const from = `${addMonths(end.slice(0, 7), -11)}-01`;
    const rows = db
      .prepare(
        `SELECT m, SUM(balance_fen) AS s FROM (
           SELECT substr(d.on_date, 1, 7) AS m, d.balance_fen,
                  ROW_NUMBER() OVER (PARTITION BY d.account_id, substr(d.on_date, 1, 7) ORDER BY d.on_date DESC) AS rn
           FROM daily_balances d JOIN accounts a ON a.id = d.account_id
           WHERE a.customer_id = ? AND a.kind IN ('demand', 'term') AND d.on_date >= ?)
         WHERE rn = 1 GROUP BY m ORDER BY m`,
      )
      .all(id, from) as { m: string; s: number }[];
    const byMonth = new Map(rows.map((r) => [r.m, r.s]));
    const trend = Array.from({ length: 12 }, (_, i) => addMonths(from.slice(0, 7), i)).map((month) => ({
      month,
      balance: fenToYuan(byMonth.get(month) ?? 0),
    }));

    const holdings: HoldingRow[] = [
      ...(
        db
          .prepare(
            `SELECT t.deposit_no, p.name AS product, t.principal_fen, t.rate_ppm, t.start_on, t.maturity_on, t.status
             FROM term_deposits t JOIN products p ON p.id = t.product_id WHERE t.customer_id = ? ORDER BY t.status <> 'active', t.maturity_on`,
          )
          .all(id) as {
          deposit_no: string;
          product: string;
          principal_fen: number;
          rate_ppm: number;
          start_on: string;
          maturity_on: string;
          status: string;
        }[]
      ).map(
        (t): HoldingRow => ({
          kind: 'term',
          no: t.deposit_no,
          productName: t.product,
          amount: fenToYuan(t.principal_fen),
          rate: rate(t.rate_ppm),
          marketValue: null,
          startOn: t.start_on,
          maturityOn: t.maturity_on,
          status: t.status,
        }),
      ),
      ...(
        db
          .prepare(
            `SELECT h.holding_no, p.name AS product, h.cost_fen, h.market_value_fen, h.purchased_on, h.maturity_on, h.status
             FROM wealth_holdings h JOIN products p ON p.id = h.product_id WHERE h.customer_id = ? ORDER BY h.status <> 'active', h.maturity_on`,
          )
          .all(id) as {
          holding_no: string;
          product: string;
          cost_fen: number;
          market_value_fen: number;
          purchased_on: string;
          maturity_on: string | null;
          status: string;
        }[]
      ).map(
        (h): HoldingRow => ({
          kind: 'wealth',
          no: h.holding_no,
          productName: h.product,
          amount: fenToYuan(h.cost_fen),
          rate: null,
          marketValue: fenToYuan(h.market_value_fen),
          startOn: h.purchased_on,
          maturityOn: h.maturity_on,
          status: h.status,
        }),
      ),
    ];
    const loans = (
      db
        .prepare(
          `SELECT l.loan_no, p.name AS product, l.principal_fen, l.balance_fen, l.rate_ppm, l.disbursed_on, l.maturity_on, l.next_due_on, l.next_due_fen,
                  l.overdue_days, l.classification, l.status
           FROM loans l JOIN products p ON p.id = l.product_id WHERE l.customer_id = ? ORDER BY l.status <> 'active', l.maturity_on`,
        )
        .all(id) as {
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
      }[]
    ).map(
      (l): LoanRow => ({
        loanNo: l.loan_no,
        productName: l.product,
        principal: fenToYuan(l.principal_fen),
        balance: fenToYuan(l.balance_fen),
        rate: rate(l.rate_ppm)!,
        disbursedOn: l.disbursed_on,
        maturityOn: l.maturity_on,
        nextDueOn: l.next_due_on,
        nextDue: yuanOrNull(l.next_due_fen),
        overdueDays: l.overdue_days,
        classification: l.classification,
        status: l.status,
      }),
    );
    const managers = db
      .prepare(
        `SELECT s.name, m.from_date AS "from", m.to_date AS "to" FROM manager_assignments m JOIN staff s ON s.id = m.staff_id WHERE m.customer_id = ? ORDER BY m.from_date DESC, m.id DESC`,
      )
      .all(id) as { name: string; from: string; to: string | null }[];
    const changes = (
      db
        .prepare(
          'SELECT field, old_value, new_value, changed_at FROM customer_changes WHERE customer_id = ? ORDER BY changed_at DESC, id DESC LIMIT 50',
        )
        .all(id) as {
        field: string;
        old_value: string | null;
        new_value: string | null;
        changed_at: string;
      }[]
    ).map((c) => {
      const mask = MASKED_HISTORY[c.field] ?? ((v: string | null) => v);
      return { field: c.field, oldValue: mask(c.old_value), newValue: mask(c.new_value), at: c.changed_at };
    });
    const favorite = !!db
      .prepare('SELECT 1 FROM customer_favorites WHERE user_id = ? AND customer_id = ?')
      .get(ctx.user.id, id);
    return { customer, favorite, accounts, trend, holdings, loans, managers, changes };
  },

  'customers.transactions': ({ id, offset, limit }, ctx) => {
    customerDetail(ctx, id); // scope check
    const db = ctx.services.db;
    const total = (db.prepare('SELECT COUNT(*) AS n FROM transactions WHERE customer_id = ?').get(id) as { n: number })
      .n;
    const rows = (
      db
        .prepare(
          `SELECT t.id, t.txn_at, a.account_no, t.direction, t.amount_fen, t.balance_after_fen, t.channel, t.txn_type, t.counterparty_name, t.memo
           FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE t.customer_id = ? ORDER BY t.txn_at DESC, t.id DESC LIMIT ? OFFSET ?`,
        )
        .all(id, limit, offset) as {
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
      }[]
    ).map(
      (t): TxnRow => ({
        id: t.id,
        at: t.txn_at,
        accountNo: t.account_no,
        direction: t.direction,
        amount: fenToYuan(t.amount_fen),
        balanceAfter: yuanOrNull(t.balance_after_fen),
        channel: t.channel,
        type: t.txn_type,
        counterparty: t.counterparty_name,
        memo: t.memo,
      }),
    );
    return { rows, total };
  },
});
