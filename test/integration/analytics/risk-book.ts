/**
 * What the 风险预警 tests (risk.test.ts, guarantees.test.ts) share: a fresh world and fixture factory for
 * each test, a loan written straight into the store, and the customers a signal found.
 */
import { afterEach, beforeEach } from 'vitest';
import { DEFAULT_RISK_SETTINGS, type RiskSettings } from '../../../shared/analytics';
import type { findSignals } from '../../../db/analytics/risk';
import { factory } from '../relationship/fixtures';
import { makeWorld, type World } from '../support/store';

export type Factory = ReturnType<typeof factory>;

/** The day the tests rate on, and the bank's default parameters they start from. */
export const RISK_TODAY = '2026-11-02';
export const RISK_SETTINGS: RiskSettings = { ...DEFAULT_RISK_SETTINGS };

/** Before each test a new world and its factory (handed to `set`), closed after it. */
export function freshBookEachTest(set: (book: { w: World; f: Factory }) => void): void {
  let w: World | undefined;
  beforeEach(async () => {
    w = await makeWorld();
    set({ w, f: factory(w.db, w.ids.branch) });
  });
  afterEach(async () => {
    await w?.close();
  });
}

export interface LoanFixture {
  principal: number;
  balance: number;
  overdue?: number;
  cls?: string;
  status?: string;
  guarantor?: number | null;
  disbursed?: string;
  paidOff?: string | null;
}

let seq = 0;

/** A loan of the customer's (amounts in yuan), active, current and normal unless said; its id. */
export function insertLoan(w: World, f: Factory, cid: number, o: LoanFixture): number {
  return Number(
    w.db
      .prepare(
        `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on,
           repayment_method, overdue_days, classification, status, paid_off_on, guarantor_customer_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, 40000, ?, '2029-01-01', 'interest_only', ?, ?, ?, ?, ?)`,
      )
      .run(
        `JJ${String(++seq).padStart(8, '0')}`,
        `HT-${cid}`,
        cid,
        f.p.loan,
        w.ids.branch,
        o.principal * 100,
        o.balance * 100,
        o.disbursed ?? '2024-01-01',
        o.overdue ?? 0,
        o.cls ?? 'normal',
        o.status ?? 'active',
        o.paidOff ?? null,
        o.guarantor ?? null,
      ).lastInsertRowid,
  );
}

/** The customers one signal was found for, in id order. */
export const signalsOf = (found: ReturnType<typeof findSignals>, signal: string): number[] =>
  found
    .filter((x) => x.signal === signal)
    .map((x) => x.customerId)
    .sort((a, b) => a - b);

export const sorted = (...ids: number[]): number[] => [...ids].sort((a, b) => a - b);
