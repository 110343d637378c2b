-- Maintained summaries for desktops and reports (分析), so no page view groups a million customers or
-- twenty million transactions. Kept current in the same transaction as whatever changes the data
-- (db/reporting/maintain.ts: import jobs, reverts, re-tiering); `crm summaries --rebuild` recomputes
-- them from scratch for repair. Conventions as summary_customers: manager_staff_id 0 = no manager,
-- tier '' = not tiered. Customers are counted under their CURRENT branch, manager and tier (the grid
-- a figure drills into filters on the same attributes, so its count equals the figure).

-- Reporting months: months for which the balance extract (余额表, daily_balances) holds data.
CREATE TABLE report_months (
  month TEXT PRIMARY KEY                          -- 'YYYY-MM'
) WITHOUT ROWID;

-- The attributes each customer's contributions are currently counted under. A customer whose row in
-- `customers` differs from this has moved (CIF import, re-tier): its contributions are moved with it.
CREATE TABLE report_customers (
  customer_id      INTEGER PRIMARY KEY,
  branch_id        INTEGER NOT NULL,
  manager_staff_id INTEGER NOT NULL,
  tier             TEXT NOT NULL,
  kind             TEXT NOT NULL
);

-- Per customer and reporting month: deposits (demand accounts as reported on the month's last
-- reported day + term deposits outstanding at the month end), wealth and loans outstanding at the
-- month end. A row exists from the month the customer opened. aum_change_fen: AUM minus AUM of the
-- calendar month before (NULL when that month is not a reporting month); top/bottom movers read it.
CREATE TABLE report_customer_months (
  customer_id    INTEGER NOT NULL,
  month          TEXT NOT NULL,
  deposit_fen    INTEGER NOT NULL,
  wealth_fen     INTEGER NOT NULL,
  loan_fen       INTEGER NOT NULL,
  aum_change_fen INTEGER,
  PRIMARY KEY (customer_id, month)
) WITHOUT ROWID;
CREATE INDEX report_customer_months_movers ON report_customer_months(month, aum_change_fen);

-- Per customer, product and month the holding was opened (sold): holdings still held and their
-- balance, holdings sold and the amount sold (principal, cost; 0 for demand accounts). holder = 1 on
-- exactly one row per (customer, product) the customer still holds, so holders add up.
CREATE TABLE report_customer_products (
  customer_id  INTEGER NOT NULL,
  product_id   INTEGER NOT NULL,
  month        TEXT NOT NULL,
  held         INTEGER NOT NULL,
  balance_fen  INTEGER NOT NULL,
  sold         INTEGER NOT NULL,
  sold_fen     INTEGER NOT NULL,
  holder       INTEGER NOT NULL,
  PRIMARY KEY (customer_id, product_id, month)
) WITHOUT ROWID;

-- Month-end balances by branch x manager x tier x customer kind.
CREATE TABLE summary_months (
  month            TEXT NOT NULL,
  branch_id        INTEGER NOT NULL,
  manager_staff_id INTEGER NOT NULL,
  tier             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  customers        INTEGER NOT NULL,
  deposit_fen      INTEGER NOT NULL,
  wealth_fen       INTEGER NOT NULL,
  loan_fen         INTEGER NOT NULL,
  PRIMARY KEY (month, branch_id, manager_staff_id, tier, kind)
) WITHOUT ROWID;

-- Product holdings and sales by month sold x product x branch x manager x tier.
CREATE TABLE summary_products (
  month            TEXT NOT NULL,
  product_id       INTEGER NOT NULL,
  branch_id        INTEGER NOT NULL,
  manager_staff_id INTEGER NOT NULL,
  tier             TEXT NOT NULL,
  holders          INTEGER NOT NULL,
  held             INTEGER NOT NULL,
  balance_fen      INTEGER NOT NULL,
  sold             INTEGER NOT NULL,
  sold_fen         INTEGER NOT NULL,
  PRIMARY KEY (month, product_id, branch_id, manager_staff_id, tier)
) WITHOUT ROWID;

-- Transactions by month x branch x manager x tier x channel x type x direction.
CREATE TABLE summary_txn_months (
  month            TEXT NOT NULL,
  branch_id        INTEGER NOT NULL,
  manager_staff_id INTEGER NOT NULL,
  tier             TEXT NOT NULL,
  channel          TEXT NOT NULL,
  txn_type         TEXT NOT NULL,
  direction        TEXT NOT NULL,
  n                INTEGER NOT NULL,
  amount_fen       INTEGER NOT NULL,
  PRIMARY KEY (month, branch_id, manager_staff_id, tier, channel, txn_type, direction)
) WITHOUT ROWID;

-- Transactions by month x branch x tier x channel x weekday (0 = Sunday) x hour, for the channel
-- report's time-of-day and weekday charts. No manager column (it would multiply the rows by the
-- number of managers); a manager's own book is small enough to read from transactions directly.
CREATE TABLE summary_txn_clock (
  month      TEXT NOT NULL,
  branch_id  INTEGER NOT NULL,
  tier       TEXT NOT NULL,
  channel    TEXT NOT NULL,
  weekday    INTEGER NOT NULL,
  hour       INTEGER NOT NULL,
  n          INTEGER NOT NULL,
  amount_fen INTEGER NOT NULL,
  PRIMARY KEY (month, branch_id, tier, channel, weekday, hour)
) WITHOUT ROWID;

-- Counter work per teller: transactions handled by month x teller x type x direction.
CREATE TABLE summary_teller_months (
  month           TEXT NOT NULL,
  teller_staff_id INTEGER NOT NULL,
  txn_type        TEXT NOT NULL,
  direction       TEXT NOT NULL,
  n               INTEGER NOT NULL,
  amount_fen      INTEGER NOT NULL,
  PRIMARY KEY (month, teller_staff_id, txn_type, direction)
) WITHOUT ROWID;
