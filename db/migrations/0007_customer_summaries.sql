-- Maintained totals per branch x manager of record x tier, so desktops and home pages never
-- GROUP BY a million customers. Kept current in the same transaction as whatever changes customers'
-- figures (db/summaries.ts); `crm summaries rebuild` recomputes it from scratch for repair.
-- manager_staff_id 0 = no manager; tier '' = not tiered (NULLs would defeat the primary key).

CREATE TABLE summary_customers (
  branch_id        INTEGER NOT NULL,
  manager_staff_id INTEGER NOT NULL,
  tier             TEXT NOT NULL,
  customers        INTEGER NOT NULL,
  deposit_fen      INTEGER NOT NULL,
  wealth_fen       INTEGER NOT NULL,
  loan_fen         INTEGER NOT NULL,
  aum_fen          INTEGER NOT NULL,
  PRIMARY KEY (branch_id, manager_staff_id, tier)
) WITHOUT ROWID;

INSERT INTO summary_customers
SELECT branch_id, COALESCE(manager_staff_id, 0), COALESCE(tier, ''), COUNT(*),
       SUM(deposit_fen), SUM(wealth_fen), SUM(loan_fen), SUM(aum_fen)
FROM customers GROUP BY 1, 2, 3;
