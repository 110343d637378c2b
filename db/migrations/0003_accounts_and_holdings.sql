-- Accounts (分户帐), daily balances (余额表), term deposits, wealth holdings and loans (借据).

CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  account_no    TEXT NOT NULL UNIQUE,           -- 账号
  customer_id   INTEGER NOT NULL REFERENCES customers(id),
  product_id    INTEGER NOT NULL REFERENCES products(id),
  branch_id     INTEGER NOT NULL REFERENCES branches(id),
  kind          TEXT NOT NULL CHECK (kind IN ('demand','term','card','loan','wealth')),
  currency      TEXT NOT NULL DEFAULT 'CNY',
  opened_on     TEXT NOT NULL,
  closed_on     TEXT,
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','frozen','dormant','closed')),
  frozen_fen    INTEGER NOT NULL DEFAULT 0,
  balance_fen   INTEGER NOT NULL DEFAULT 0,
  balance_on    TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX accounts_customer ON accounts(customer_id);

-- One row per account per reported day; the demo store carries month ends.
CREATE TABLE daily_balances (
  account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  on_date      TEXT NOT NULL,
  balance_fen  INTEGER NOT NULL,
  PRIMARY KEY (account_id, on_date)
) WITHOUT ROWID;

CREATE TABLE term_deposits (
  id            INTEGER PRIMARY KEY,
  deposit_no    TEXT NOT NULL UNIQUE,           -- 存单号
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  customer_id   INTEGER NOT NULL REFERENCES customers(id),
  product_id    INTEGER NOT NULL REFERENCES products(id),
  principal_fen INTEGER NOT NULL CHECK (principal_fen > 0),
  rate_ppm      INTEGER NOT NULL,
  term_months   INTEGER NOT NULL,
  start_on      TEXT NOT NULL,
  maturity_on   TEXT NOT NULL,
  auto_rollover INTEGER NOT NULL DEFAULT 0 CHECK (auto_rollover IN (0,1)),
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','matured','withdrawn'))
);
CREATE INDEX term_deposits_customer ON term_deposits(customer_id);
CREATE INDEX term_deposits_maturity ON term_deposits(maturity_on) WHERE status = 'active';

CREATE TABLE wealth_holdings (
  id               INTEGER PRIMARY KEY,
  holding_no       TEXT NOT NULL UNIQUE,
  customer_id      INTEGER NOT NULL REFERENCES customers(id),
  product_id       INTEGER NOT NULL REFERENCES products(id),
  cost_fen         INTEGER NOT NULL,
  market_value_fen INTEGER NOT NULL,
  purchased_on     TEXT NOT NULL,
  maturity_on      TEXT,                        -- NULL for open-ended products
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','redeemed','matured'))
);
CREATE INDEX wealth_holdings_customer ON wealth_holdings(customer_id);
CREATE INDEX wealth_holdings_maturity ON wealth_holdings(maturity_on) WHERE status = 'active';

CREATE TABLE loans (
  id               INTEGER PRIMARY KEY,
  loan_no          TEXT NOT NULL UNIQUE,        -- 借据号
  contract_no      TEXT NOT NULL,
  customer_id      INTEGER NOT NULL REFERENCES customers(id),
  product_id       INTEGER NOT NULL REFERENCES products(id),
  branch_id        INTEGER NOT NULL REFERENCES branches(id),
  principal_fen    INTEGER NOT NULL CHECK (principal_fen > 0),
  balance_fen      INTEGER NOT NULL CHECK (balance_fen >= 0),
  rate_ppm         INTEGER NOT NULL,
  disbursed_on     TEXT NOT NULL,
  maturity_on      TEXT NOT NULL,
  repayment_method TEXT NOT NULL CHECK (repayment_method IN ('equal_installment','equal_principal','interest_only','bullet')),
  next_due_on      TEXT,
  next_due_fen     INTEGER,
  overdue_days     INTEGER NOT NULL DEFAULT 0,
  classification   TEXT NOT NULL DEFAULT 'normal'  -- 五级分类
                   CHECK (classification IN ('normal','special_mention','substandard','doubtful','loss')),
  guarantee_type   TEXT CHECK (guarantee_type IN ('mortgage','pledge','guarantee','credit')),
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','paid_off','written_off')),
  paid_off_on      TEXT
);
CREATE INDEX loans_customer ON loans(customer_id);
CREATE INDEX loans_maturity ON loans(maturity_on) WHERE status = 'active';
