import type { Database } from 'better-sqlite3';

/** Hand-built facts for the opportunity rules: products, accounts, balances, transactions, deposits, loans. */
export function factory(db: Database, branchId: number) {
  const ins = (sql: string, ...p: unknown[]) => Number(db.prepare(sql).run(...p).lastInsertRowid);
  const product = (code: string, category: string) =>
    ins('INSERT INTO products (code, name, category) VALUES (?, ?, ?)', code, code, category);
  const p = {
    demand: product('D01', 'demand'),
    term: product('T01', 'term'),
    wealth: product('W01', 'wealth'),
    loan: product('L01', 'loan'),
    card: product('C01', 'card'),
  };
  let n = 0;
  let serial = 0;
  const f = {
    p,
    customer(
      o: {
        name?: string;
        manager?: number | null;
        tier?: string;
        birth?: string | null;
        status?: string;
        branch?: number;
      } = {},
    ): number {
      n++;
      return ins(
        `INSERT INTO customers (customer_no, kind, name, id_type, branch_id, opened_on, manager_staff_id, tier, birth_date, status)
         VALUES (?, 'individual', ?, 'resident_id', ?, '2015-01-01', ?, ?, ?, ?)`,
        `9100${String(n).padStart(6, '0')}`,
        o.name ?? `客户${n}`,
        o.branch ?? branchId,
        o.manager ?? null,
        o.tier ?? 'ordinary',
        o.birth ?? null,
        o.status ?? 'active',
      );
    },
    account(customerId: number, kind = 'demand', status = 'active'): number {
      const prod = kind === 'card' ? p.card : kind === 'term' ? p.term : kind === 'loan' ? p.loan : p.demand;
      return ins(
        `INSERT INTO accounts (account_no, customer_id, product_id, branch_id, kind, opened_on, status) VALUES (?, ?, ?, ?, ?, '2015-01-01', ?)`,
        `62${customerId}${++serial}`,
        customerId,
        prod,
        branchId,
        kind,
        status,
      );
    },
    balance(accountId: number, on: string, yuan: number): void {
      db.prepare('INSERT INTO daily_balances (account_id, on_date, balance_fen) VALUES (?, ?, ?)').run(
        accountId,
        on,
        Math.round(yuan * 100),
      );
    },
    txn(
      customerId: number,
      accountId: number,
      at: string,
      yuan: number,
      type = 'transfer_in',
      direction = 'C',
    ): number {
      return ins(
        `INSERT INTO transactions (serial_no, account_id, customer_id, txn_at, amount_fen, direction, channel, txn_type) VALUES (?, ?, ?, ?, ?, ?, 'counter', ?)`,
        `SN${++serial}`,
        accountId,
        customerId,
        at.length === 10 ? `${at} 10:00:00` : at,
        Math.round(yuan * 100),
        direction,
        type,
      );
    },
    wealth(customerId: number, purchasedOn: string, status = 'active'): void {
      ins(
        `INSERT INTO wealth_holdings (holding_no, customer_id, product_id, cost_fen, market_value_fen, purchased_on, status) VALUES (?, ?, ?, 100000, 100000, ?, ?)`,
        `WH${++serial}`,
        customerId,
        p.wealth,
        purchasedOn,
        status,
      );
    },
    term(customerId: number, maturity: string, yuan: number, status = 'active'): number {
      const acct = f.account(customerId, 'term');
      return ins(
        `INSERT INTO term_deposits (deposit_no, account_id, customer_id, product_id, principal_fen, rate_ppm, term_months, start_on, maturity_on, status)
         VALUES (?, ?, ?, ?, ?, 20000, 12, '2025-01-01', ?, ?)`,
        `TD${++serial}`,
        acct,
        customerId,
        p.term,
        Math.round(yuan * 100),
        maturity,
        status,
      );
    },
    loan(customerId: number, status: 'active' | 'paid_off', paidOffOn: string | null, yuan = 100_000): number {
      return ins(
        `INSERT INTO loans (loan_no, contract_no, customer_id, product_id, branch_id, principal_fen, balance_fen, rate_ppm, disbursed_on, maturity_on,
           repayment_method, status, paid_off_on) VALUES (?, ?, ?, ?, ?, ?, ?, 40000, '2023-01-01', '2027-01-01', 'equal_installment', ?, ?)`,
        `LN${++serial}`,
        `CT${serial}`,
        customerId,
        p.loan,
        branchId,
        Math.round(yuan * 100),
        status === 'active' ? Math.round(yuan * 50) : 0,
        status,
        paidOffOn,
      );
    },
  };
  return f;
}

export function oppsOf(
  db: Database,
  rule: string,
): { customerId: number; owner: number | null; dueOn: string | null; amountFen: number | null; key: string }[] {
  return db
    .prepare(
      'SELECT customer_id AS customerId, owner_staff_id AS owner, due_on AS dueOn, amount_fen AS amountFen, dedupe_key AS key FROM opportunities WHERE rule_code = ? ORDER BY customer_id',
    )
    .all(rule) as never;
}
