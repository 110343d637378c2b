-- migrate: foreign_keys off
-- CHECK (col IN (a, b, c, ...)) with three or more constants makes SQLite build a temporary b-tree of
-- the list each time the INSERT statement runs, that is once per row for the import's one-row
-- inserts. Measured here (1M customer rows into the customers table, indexes dropped, one
-- transaction): 9.4-10.6 s with the three IN lists, 5.3-5.7 s with the same checks written as
-- comparisons joined by OR (the plain table without checks: 3.5-4.6 s). Same rules, same NULL
-- handling (NULL IN (...) and NULL = ... OR ... are both NULL, which a CHECK lets through).
--
-- A CHECK cannot be altered in place, so the bulk-loaded tables (customers, accounts, term deposits,
-- wealth holdings, loans) are rebuilt the way https://sqlite.org/lang_altertable.html#otheralter
-- says: new table, copy (ids kept), drop, rename, the indexes again with their exact DDL. The first
-- line above makes db/migrate.ts run this with foreign key enforcement off (dropping a parent table
-- with it on would delete child rows); the migration still ends with foreign_key_check.
-- Transactions keep CHECK (channel IN (...)): rebuilding a store's whole journal (tens of millions of
-- rows) at upgrade costs more than the one list costs its import.
--
-- Dropping a table drops its planner statistics (sqlite_stat1, where ANALYZE has run): they are kept
-- aside and put back, the tables and indexes keeping their names. ANALYZE main.sqlite_schema only makes
-- sure the statistics table exists (it gathers nothing).
ANALYZE main.sqlite_schema;
CREATE TEMP TABLE m0019_stat1 AS SELECT * FROM main.sqlite_stat1 WHERE tbl IN ('customers', 'accounts', 'term_deposits', 'wealth_holdings', 'loans');

-- customers (3 lists)
CREATE TABLE customers__new (
  id                INTEGER PRIMARY KEY,
  customer_no       TEXT NOT NULL UNIQUE,       -- 客户号
  kind              TEXT NOT NULL CHECK (kind IN ('individual','corporate')),
  name              TEXT NOT NULL,
  name_initials     TEXT,                       -- pinyin initials (张伟 -> zw) for quick search
  id_type           TEXT NOT NULL CHECK (id_type = 'resident_id' OR id_type = 'passport' OR id_type = 'hk_mo_permit' OR id_type = 'tw_permit' OR id_type = 'uscc' OR id_type = 'other'),
  id_no             TEXT,                       -- resident ID (GB 11643) or unified social credit code (GB 32100)
  gender            TEXT CHECK (gender IN ('M','F')),
  birth_date        TEXT,                       -- individuals; founding date for corporates
  mobile            TEXT,
  phone             TEXT,
  email             TEXT,
  address           TEXT,
  postcode          TEXT,
  occupation        TEXT,                       -- individuals; industry for corporates
  employer          TEXT,
  legal_rep         TEXT,                       -- corporates: 法定代表人
  registered_capital_fen INTEGER,               -- corporates
  branch_id         INTEGER NOT NULL REFERENCES branches(id),
  opened_on         TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'dormant' OR status = 'closed'),
  tier              TEXT CHECK (tier = 'gold' OR tier = 'quality' OR tier = 'key' OR tier = 'ordinary' OR tier = 'restricted' OR tier = 'exit'),
  credit_rating     TEXT,
  risk_tolerance    INTEGER CHECK (risk_tolerance BETWEEN 1 AND 5),
  manager_staff_id  INTEGER REFERENCES staff(id), -- current manager of record; history in manager_assignments
  -- Maintained figures (kept current by whatever writes accounts, holdings or loans) so lists over
  -- the whole book can sort and sum without joining millions of rows.
  deposit_fen       INTEGER NOT NULL DEFAULT 0,
  wealth_fen        INTEGER NOT NULL DEFAULT 0,
  loan_fen          INTEGER NOT NULL DEFAULT 0,
  aum_fen           INTEGER NOT NULL DEFAULT 0, -- deposits + wealth
  last_txn_on       TEXT,
  created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
, created_job_id INTEGER, last_job_id INTEGER);
INSERT INTO customers__new SELECT * FROM customers;
DROP TABLE customers;
ALTER TABLE customers__new RENAME TO customers;
CREATE INDEX customers_manager ON customers(manager_staff_id, aum_fen);
CREATE INDEX customers_branch ON customers(branch_id, aum_fen);
CREATE INDEX customers_id_no ON customers(id_no);
CREATE INDEX customers_mobile ON customers(mobile);
CREATE INDEX customers_name ON customers(name);
CREATE INDEX customers_initials ON customers(name_initials);
CREATE INDEX customers_tier ON customers(tier, aum_fen);
CREATE INDEX customers_aum ON customers(aum_fen);
CREATE INDEX customers_last_txn ON customers(last_txn_on);
CREATE INDEX customers_opened ON customers(opened_on);
CREATE INDEX customers_birth_month ON customers(substr(birth_date, 6, 2)) WHERE kind = 'individual';
CREATE INDEX customers_mobile_last4 ON customers(substr(mobile, -4));
CREATE INDEX customers_id_no_last4 ON customers(substr(id_no, -4));
CREATE INDEX customers_birth_md ON customers(substr(birth_date, 6, 5)) WHERE birth_date IS NOT NULL;
CREATE INDEX customers_opened_md ON customers(substr(opened_on, 6, 5));
CREATE INDEX customers_gold_birthday ON customers(substr(birth_date, 6, 5)) WHERE tier = 'gold';

-- accounts (2 lists)
CREATE TABLE accounts__new (
  id            INTEGER PRIMARY KEY,
  account_no    TEXT NOT NULL UNIQUE,           -- 账号
  customer_id   INTEGER NOT NULL REFERENCES customers(id),
  product_id    INTEGER NOT NULL REFERENCES products(id),
  branch_id     INTEGER NOT NULL REFERENCES branches(id),
  kind          TEXT NOT NULL CHECK (kind = 'demand' OR kind = 'term' OR kind = 'card' OR kind = 'loan' OR kind = 'wealth'),
  currency      TEXT NOT NULL DEFAULT 'CNY',
  opened_on     TEXT NOT NULL,
  closed_on     TEXT,
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'frozen' OR status = 'dormant' OR status = 'closed'),
  frozen_fen    INTEGER NOT NULL DEFAULT 0,
  balance_fen   INTEGER NOT NULL DEFAULT 0,
  balance_on    TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
, created_job_id INTEGER, last_job_id INTEGER);
INSERT INTO accounts__new SELECT * FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts__new RENAME TO accounts;
CREATE INDEX accounts_customer ON accounts(customer_id);
CREATE INDEX accounts_product ON accounts(product_id, customer_id);
CREATE INDEX accounts_closed ON accounts(closed_on) WHERE closed_on IS NOT NULL;

-- term_deposits (1 list)
CREATE TABLE term_deposits__new (
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
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'matured' OR status = 'withdrawn')
, created_job_id INTEGER, last_job_id INTEGER);
INSERT INTO term_deposits__new SELECT * FROM term_deposits;
DROP TABLE term_deposits;
ALTER TABLE term_deposits__new RENAME TO term_deposits;
CREATE INDEX term_deposits_customer ON term_deposits(customer_id);
CREATE INDEX term_deposits_maturity ON term_deposits(maturity_on) WHERE status = 'active';
CREATE INDEX term_deposits_maturing ON term_deposits(maturity_on, customer_id, principal_fen) WHERE status = 'active';

-- wealth_holdings (1 list)
CREATE TABLE wealth_holdings__new (
  id               INTEGER PRIMARY KEY,
  holding_no       TEXT NOT NULL UNIQUE,
  customer_id      INTEGER NOT NULL REFERENCES customers(id),
  product_id       INTEGER NOT NULL REFERENCES products(id),
  cost_fen         INTEGER NOT NULL,
  market_value_fen INTEGER NOT NULL,
  purchased_on     TEXT NOT NULL,
  maturity_on      TEXT,                        -- NULL for open-ended products
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'redeemed' OR status = 'matured')
, created_job_id INTEGER, last_job_id INTEGER);
INSERT INTO wealth_holdings__new SELECT * FROM wealth_holdings;
DROP TABLE wealth_holdings;
ALTER TABLE wealth_holdings__new RENAME TO wealth_holdings;
CREATE INDEX wealth_holdings_customer ON wealth_holdings(customer_id);
CREATE INDEX wealth_holdings_maturity ON wealth_holdings(maturity_on) WHERE status = 'active';
CREATE INDEX wealth_holdings_product ON wealth_holdings(product_id, customer_id);
CREATE INDEX wealth_holdings_maturing ON wealth_holdings(maturity_on, customer_id, market_value_fen) WHERE status = 'active';

-- loans (4 lists)
CREATE TABLE loans__new (
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
  repayment_method TEXT NOT NULL CHECK (repayment_method = 'equal_installment' OR repayment_method = 'equal_principal' OR repayment_method = 'interest_only' OR repayment_method = 'bullet'),
  next_due_on      TEXT,
  next_due_fen     INTEGER,
  overdue_days     INTEGER NOT NULL DEFAULT 0,
  classification   TEXT NOT NULL DEFAULT 'normal'  -- 五级分类
                   CHECK (classification = 'normal' OR classification = 'special_mention' OR classification = 'substandard' OR classification = 'doubtful' OR classification = 'loss'),
  guarantee_type   TEXT CHECK (guarantee_type = 'mortgage' OR guarantee_type = 'pledge' OR guarantee_type = 'guarantee' OR guarantee_type = 'credit'),
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status = 'active' OR status = 'paid_off' OR status = 'written_off'),
  paid_off_on      TEXT
, created_job_id INTEGER, last_job_id INTEGER);
INSERT INTO loans__new SELECT * FROM loans;
DROP TABLE loans;
ALTER TABLE loans__new RENAME TO loans;
CREATE INDEX loans_customer ON loans(customer_id);
CREATE INDEX loans_maturity ON loans(maturity_on) WHERE status = 'active';
CREATE INDEX loans_product ON loans(product_id, customer_id);
CREATE INDEX loans_maturing ON loans(maturity_on, customer_id, balance_fen) WHERE status = 'active';
CREATE INDEX loans_next_due ON loans(next_due_on) WHERE status = 'active';
CREATE INDEX loans_disbursed ON loans(disbursed_on);
CREATE INDEX loans_paid_off ON loans(paid_off_on) WHERE status = 'paid_off';

INSERT INTO main.sqlite_stat1 SELECT * FROM temp.m0019_stat1;
DROP TABLE temp.m0019_stat1;
