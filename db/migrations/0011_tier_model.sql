-- 客户细分: the bank's tier model (versioned), the per-customer factors it scores, and every tier
-- change (an event reminders use).

CREATE TABLE tier_models (
  version     INTEGER PRIMARY KEY,
  definition  TEXT NOT NULL,                    -- JSON: shared/tiers.ts tierModelSchema
  active      INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0,1)),
  created_by  INTEGER REFERENCES users(id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  changed     INTEGER NOT NULL DEFAULT 0        -- customers whose tier the activation changed
);
CREATE UNIQUE INDEX tier_models_active ON tier_models(active) WHERE active = 1;

-- Factors as of `as_of`, refreshed from the raw tables (after imports, before a what-if or re-tier).
-- Money in fen.
CREATE TABLE customer_factors (
  customer_id     INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  deposits        INTEGER NOT NULL,
  term_deposits   INTEGER NOT NULL,
  wealth          INTEGER NOT NULL,
  deposit_growth  INTEGER NOT NULL,
  loans           INTEGER NOT NULL,
  loan_interest   INTEGER NOT NULL,
  ebanking        INTEGER NOT NULL,
  tenure_years    REAL NOT NULL,
  overdue_loan    INTEGER NOT NULL,
  bad_loan        INTEGER NOT NULL,
  dormant         INTEGER NOT NULL,
  -- Copies of the customer's tier and AUM (kept by re-tiering), so a what-if over a million customers
  -- is one pass over this narrow table instead of a join with the wide customers table.
  tier            TEXT,
  aum_fen         INTEGER NOT NULL DEFAULT 0,
  as_of           TEXT NOT NULL
);

CREATE TABLE customer_tier_changes (
  id            INTEGER PRIMARY KEY,
  customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  from_tier     TEXT,
  to_tier       TEXT,
  model_version INTEGER REFERENCES tier_models(version),
  changed_at    TEXT NOT NULL
);
CREATE INDEX customer_tier_changes_customer ON customer_tier_changes(customer_id, changed_at);
CREATE INDEX customer_tier_changes_at ON customer_tier_changes(changed_at);
