import { z } from 'zod';
import type { Money, Page } from './common';
import type { CustomerDetail } from './customers';
import { method } from './define';

export interface AccountRow {
  id: number;
  accountNo: string;
  productName: string;
  kind: string;
  status: string;
  openedOn: string;
  balance: Money;
  frozen: Money;
}

export interface HoldingRow {
  kind: 'term' | 'wealth';
  no: string;
  productName: string;
  amount: Money;
  /** Term deposits: rate (percent text); wealth: market value vs cost. */
  rate: string | null;
  marketValue: Money | null;
  startOn: string;
  maturityOn: string | null;
  status: string;
}

export interface LoanRow {
  loanNo: string;
  productName: string;
  principal: Money;
  balance: Money;
  rate: string;
  disbursedOn: string;
  maturityOn: string;
  nextDueOn: string | null;
  nextDue: Money | null;
  overdueDays: number;
  classification: string;
  status: string;
}

export interface TxnRow {
  id: number;
  at: string;
  accountNo: string;
  direction: 'D' | 'C';
  amount: Money;
  balanceAfter: Money | null;
  channel: string;
  type: string;
  counterparty: string | null;
  memo: string | null;
}

export interface Customer360 {
  customer: CustomerDetail;
  favorite: boolean;
  accounts: AccountRow[];
  /** Month-end deposit balances of the last 12 months ('YYYY-MM' -> sum). */
  trend: { month: string; balance: Money }[];
  /** The day the customer's last deposit account closed when all are closed (marked on the trend), else null. */
  depositsClosedOn: string | null;
  holdings: HoldingRow[];
  loans: LoanRow[];
  managers: { name: string; from: string; to: string | null }[];
  changes: { field: string; oldValue: string | null; newValue: string | null; at: string }[];
}

export const customer360Api = {
  /** 统一客户视图: one customer in scope, everything the branch holds about them (identifiers masked). */
  'customers.view': method<Customer360>()('customer.read', z.object({ id: z.number().int().positive() }).strict()),
  /** Recent transactions of one customer in scope, newest first, a page at a time. */
  'customers.transactions': method<Page<TxnRow>>()(
    'customer.read',
    z
      .object({
        id: z.number().int().positive(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
  ),
} as const;
