-- Issue 20.1: scores kept per customer (db/scores/): contribution (综合贡献度), loyalty (忠诚度), lifetime
-- value (CLV) and points (积分), recomputed after imports from the raw tables with the bank's parameters.
-- Money is integer fen; rates integer ppm. The headline figures are mirrored on `customers` (as the
-- balances are) so the grid sorts, filters and sums them like any catalogue field.

-- The bank's parameters: one row, the JSON a shared schema validates (shared/scores.ts).
CREATE TABLE score_settings (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  params      TEXT NOT NULL,
  updated_by  INTEGER REFERENCES users(id),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- What the stored scores were computed from: the as-of month, the parameters, the retention estimate
-- and the import watermarks an incremental run starts after.
CREATE TABLE score_state (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  as_of_month   TEXT NOT NULL,
  params_hash   TEXT NOT NULL,
  retention     TEXT NOT NULL,                 -- JSON: the retention estimate by tier (db/scores/retention.ts)
  max_job_id    INTEGER NOT NULL,
  max_txn_id    INTEGER NOT NULL,
  computed_at   TEXT NOT NULL,
  mode          TEXT NOT NULL,                 -- 'full' or 'incremental': the last run
  customers     INTEGER NOT NULL               -- customers the last run recomputed
);

-- The breakdown of each customer's figures (how each was made), for the 360 and the tests.
CREATE TABLE customer_scores (
  customer_id       INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  deposit_fen       INTEGER NOT NULL,          -- deposit spread income, 12 months
  loan_fen          INTEGER NOT NULL,          -- loan interest margin, 12 months
  wealth_fen        INTEGER NOT NULL,          -- wealth, fund and insurance income, 12 months
  fee_fen           INTEGER NOT NULL,          -- fee income, 12 months
  contribution_fen  INTEGER NOT NULL,          -- the sum of the four
  parts             TEXT NOT NULL,             -- JSON: per product class, average balance and income
  tenure_x100       INTEGER NOT NULL,          -- loyalty sub-scores, 0..10000 (hundredths of a point)
  breadth_x100      INTEGER NOT NULL,
  activity_x100     INTEGER NOT NULL,
  kept_x100         INTEGER NOT NULL,
  loyalty           INTEGER NOT NULL,          -- 0..100
  retention_ppm     INTEGER NOT NULL,          -- yearly retention used for CLV
  clv_fen           INTEGER NOT NULL,
  points            INTEGER NOT NULL           -- points balance: the ledger's sum
);

-- The points ledger: per customer and month, points earned on balances and on transactions, and points
-- that expired that month (earned `expiryMonths` before). The balance is the sum of the ledger.
CREATE TABLE points_ledger (
  customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  month         TEXT NOT NULL,                 -- 'YYYY-MM'
  balance_pts   INTEGER NOT NULL,
  txn_pts       INTEGER NOT NULL,
  expired_pts   INTEGER NOT NULL,
  PRIMARY KEY (customer_id, month)
) WITHOUT ROWID;

ALTER TABLE customers ADD COLUMN contribution_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN loyalty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN clv_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN points INTEGER NOT NULL DEFAULT 0;

-- The grid's columns read the new figures (sorts): a change to them marks the columns' cache stale
-- (migration 0025; test/integration/grid/columns-cache.test.ts checks the list).
DROP TRIGGER grid_columns_customers_update;
CREATE TRIGGER grid_columns_customers_update AFTER UPDATE OF
  id, customer_no, kind, name, id_type, id_no, gender, birth_date, mobile, occupation, branch_id, opened_on,
  status, tier, credit_rating, manager_staff_id, deposit_fen, wealth_fen, loan_fen, aum_fen, last_txn_on, remark,
  contribution_fen, loyalty, clv_fen, points
ON customers
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;
