import type { AccountRow, Customer360, HoldingRow, LoanRow, TxnRow } from '../../shared/api';
import { addMonths } from '../../shared/dates';
import { maskIdNo, maskPhone } from '../../shared/mask';
import { fenToYuan } from '../../shared/money';
import {
  customerAccounts,
  customerLoans,
  customerTermDeposits,
  customerTransactions,
  customerWealthHoldings,
  depositsClosedOn,
  isFavorite,
  latestDepositBalanceDay,
  managersOfRecord,
  monthEndDeposits,
  profileChanges,
  reportMonthUpTo,
} from '../../db/repos/customer-360';
import { customerDetail } from './customers';
import { handlers, type AuthedCtx } from './types';

const rate = (ppm: number | null) => (ppm == null ? null : `${(ppm / 10_000).toFixed(2)}%`);
const yuanOrNull = (fen: number | null) => (fen == null ? null : fenToYuan(fen));
/** History of identifiers stays masked like the identifiers themselves. */
const MASKED_HISTORY: Record<string, (v: string | null) => string | null> = {
  id_no: maskIdNo,
  mobile: maskPhone,
  phone: maskPhone,
};

/**
 * Twelve month ends of deposits, ending at the month the branch's reports run to (so a customer who
 * left shows the months after as zero, up to the same month as everyone else), or at the customer's
 * latest balance date when that is later (extracts lag the calendar), else today.
 */
function depositTrend(ctx: AuthedCtx, id: number): Customer360['trend'] {
  const db = ctx.services.db;
  const latest = latestDepositBalanceDay(db, id);
  const today = ctx.services.clock.today();
  const own = (latest && latest < today ? latest : today).slice(0, 7);
  const report = reportMonthUpTo(db, today.slice(0, 7));
  const endMonth = report && (!latest || report > own) ? report : own;
  const from = `${addMonths(endMonth, -11)}-01`;
  const byMonth = monthEndDeposits(db, id, from);
  return Array.from({ length: 12 }, (_, i) => addMonths(from.slice(0, 7), i)).map((month) => ({
    month,
    balance: fenToYuan(byMonth.get(month) ?? 0),
  }));
}

function holdings(ctx: AuthedCtx, id: number): HoldingRow[] {
  const db = ctx.services.db;
  return [
    ...customerTermDeposits(db, id).map(
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
    ...customerWealthHoldings(db, id).map(
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
}

export const customer360Handlers = handlers({
  'customers.view': ({ id }, ctx): Customer360 => {
    // customerDetail checks scope first: nothing below runs for a customer the caller may not see.
    const customer = customerDetail(ctx, id, 'customers.view');
    const db = ctx.services.db;
    const accounts = customerAccounts(db, id).map(
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
    const loans = customerLoans(db, id).map(
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
    const changes = profileChanges(db, id).map((c) => {
      const mask = MASKED_HISTORY[c.field] ?? ((v: string | null) => v);
      return { field: c.field, oldValue: mask(c.old_value), newValue: mask(c.new_value), at: c.changed_at };
    });
    return {
      customer,
      favorite: isFavorite(db, ctx.user.id, id),
      accounts,
      trend: depositTrend(ctx, id),
      depositsClosedOn: depositsClosedOn(ctx.services.db, id),
      holdings: holdings(ctx, id),
      loans,
      managers: managersOfRecord(db, id),
      changes,
    };
  },

  'customers.transactions': ({ id, offset, limit }, ctx) => {
    customerDetail(ctx, id, 'customers.transactions'); // scope check
    const page = customerTransactions(ctx.services.db, id, offset, limit);
    const rows = page.rows.map(
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
    return { rows, total: page.total };
  },
});
