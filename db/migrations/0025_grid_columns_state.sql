-- Issue 18.1: the grid's in-memory customer columns (db/customer-columns.ts) are kept in a cache file
-- between runs (db/customer-columns-cache.ts). A cache may be used only for exactly the book it was
-- built from, so the store records whether its columns' source data changed since a token was drawn:
-- `token` is random, drawn when a build starts (main/grid/columns.ts clears `dirty`); any write to
-- what the columns read sets `dirty` in the writer's own transaction through the triggers below, so no
-- writer (imports, reverts, re-tiering, edits, sync, a later migration) can forget. A cache is served
-- only when dirty = 0 and its token is the store's: (token, clean) names one state of the book, also
-- across a restored backup (a new token is drawn before the next build, never an old one reused).
CREATE TABLE grid_columns_state (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  token  TEXT NOT NULL,
  dirty  INTEGER NOT NULL CHECK (dirty IN (0, 1))
);
INSERT INTO grid_columns_state (id, token, dirty) VALUES (1, lower(hex(randomblob(16))), 1);

-- The columns read every customers column below (filters, sums, sort orders: db/customer-field-sql.ts
-- SORT_SQL), the tier-change log, and the names of branches and staff (the branch and manager sorts).
-- test/integration/grid/columns-cache.test.ts checks this list against what the build reads.
CREATE TRIGGER grid_columns_customers_insert AFTER INSERT ON customers
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;
CREATE TRIGGER grid_columns_customers_delete AFTER DELETE ON customers
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;
CREATE TRIGGER grid_columns_customers_update AFTER UPDATE OF
  id, customer_no, kind, name, id_type, id_no, gender, birth_date, mobile, occupation, branch_id, opened_on,
  status, tier, credit_rating, manager_staff_id, deposit_fen, wealth_fen, loan_fen, aum_fen, last_txn_on, remark
ON customers
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;

CREATE TRIGGER grid_columns_tier_changes_insert AFTER INSERT ON customer_tier_changes
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;
CREATE TRIGGER grid_columns_tier_changes_delete AFTER DELETE ON customer_tier_changes
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;
CREATE TRIGGER grid_columns_tier_changes_update AFTER UPDATE ON customer_tier_changes
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;

CREATE TRIGGER grid_columns_branches_update AFTER UPDATE OF id, name ON branches
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;
CREATE TRIGGER grid_columns_staff_update AFTER UPDATE OF id, name ON staff
WHEN (SELECT dirty FROM grid_columns_state WHERE id = 1) = 0
BEGIN UPDATE grid_columns_state SET dirty = 1 WHERE id = 1; END;
