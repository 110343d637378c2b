-- 客户产品匹配 (next product): association rules mined over the branch's holdings after each import
-- (db/analytics/next-product.ts) and, per customer, the product categories they are most likely to take
-- next with the rule that says why. Support, confidence and lift are computed on read from the exact
-- counts kept here, so what the screen shows can always be checked against a count of the book.

-- Bank-set parameters of the customer analytics (next product, risk rating): one JSON document per key,
-- validated (shared/analytics.ts) before it is stored. No row: the shipped defaults.
CREATE TABLE analytics_settings (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_by  INTEGER REFERENCES users(id),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
) WITHOUT ROWID;

-- Rules "holds every item of antecedent -> also holds consequent", mined per customer kind (individual,
-- corporate: their books differ). Items are shared/analytics.ts NEXT_PRODUCT_ITEMS, comma-separated in
-- that order. A rule keeps its id while it keeps qualifying, so per-customer rows stay valid across runs.
CREATE TABLE next_product_rules (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,
  antecedent    TEXT NOT NULL,
  consequent    TEXT NOT NULL,
  customers     INTEGER NOT NULL,   -- customers of the kind mined (the base of support)
  antecedent_n  INTEGER NOT NULL,   -- of them holding every antecedent item
  both_n        INTEGER NOT NULL,   -- ... and the consequent
  consequent_n  INTEGER NOT NULL,   -- holding the consequent
  mined_at      TEXT NOT NULL,
  UNIQUE (kind, antecedent, consequent)
);

-- Each customer's holdings as a bit set of the items (bit i = NEXT_PRODUCT_ITEMS[i]), as of the last run:
-- the next run rewrites recommendations only for customers whose set (or whose set's ranking) changed.
CREATE TABLE customer_holding_sets (
  customer_id INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  mask        INTEGER NOT NULL
);

-- The ranked list for each (kind, holding set), from the rules: what every customer with that set gets.
CREATE TABLE next_product_set_ranks (
  kind     TEXT NOT NULL,
  mask     INTEGER NOT NULL,
  rank     INTEGER NOT NULL,
  item     TEXT NOT NULL,
  rule_id  INTEGER NOT NULL,
  PRIMARY KEY (kind, mask, rank)
) WITHOUT ROWID;

-- Per customer: the items to offer, best first. source 'rules' names the rule (the reason); 'model' is a
-- propensity model's score (the model lab's seam: db/analytics/next-product.ts NextProductRanker).
CREATE TABLE customer_next_products (
  customer_id    INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  rank           INTEGER NOT NULL,
  item           TEXT NOT NULL,
  score          REAL NOT NULL,
  source         TEXT NOT NULL CHECK (source IN ('rules','model')),
  rule_id        INTEGER,
  model_version  INTEGER,
  PRIMARY KEY (customer_id, rank)
) WITHOUT ROWID;

CREATE TABLE next_product_runs (
  id         INTEGER PRIMARY KEY,
  ran_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  customers  INTEGER NOT NULL,
  rules      INTEGER NOT NULL,
  rewritten  INTEGER NOT NULL,
  ms         INTEGER NOT NULL
);
