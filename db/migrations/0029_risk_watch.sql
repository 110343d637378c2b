-- 风险预警 (risk early warning): the signals found on the book after each import (db/analytics/risk.ts),
-- the bank-set rating they add up to, the loan-utilisation history the "rising utilisation" signal compares
-- with, and the watch-list's follow-ups (owner, status, note, due date).

-- One row per customer and signal while the signal stands; first_seen is the business date it was first
-- found (it names the reminder, so a signal that persists reminds once).
CREATE TABLE customer_risk_signals (
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  signal       TEXT NOT NULL,
  first_seen   TEXT NOT NULL,
  facts        TEXT NOT NULL DEFAULT '{}',   -- JSON: what the signal saw (amounts in fen, days, percents)
  PRIMARY KEY (customer_id, signal)
) WITHOUT ROWID;
CREATE INDEX customer_risk_signals_seen ON customer_risk_signals(first_seen);

-- The rating of customers with at least one signal (others are 正常): score = sum of the signals' weights.
CREATE TABLE customer_risk (
  customer_id  INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  score        INTEGER NOT NULL,
  level        TEXT NOT NULL CHECK (level IN ('normal','watch','warning','high')),
  rated_on     TEXT NOT NULL
);
CREATE INDEX customer_risk_level ON customer_risk(level, score);

-- Loan balance and principal per customer as each run found them, a row only when they changed: the loan
-- extract carries today's balance only, so "rising" is measured against what the store saw before.
CREATE TABLE loan_utilisation_history (
  customer_id    INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  on_date        TEXT NOT NULL,
  balance_fen    INTEGER NOT NULL,
  principal_fen  INTEGER NOT NULL,
  PRIMARY KEY (customer_id, on_date)
) WITHOUT ROWID;

-- The watch-list's follow-up of a customer (one per customer): who follows it up, how far, what was done,
-- by when. Changes are audited (risk.watch.update).
CREATE TABLE risk_watch (
  id              INTEGER PRIMARY KEY,
  customer_id     INTEGER NOT NULL UNIQUE REFERENCES customers(id) ON DELETE CASCADE,
  owner_staff_id  INTEGER REFERENCES staff(id),
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','following','resolved')),
  note            TEXT CHECK (note IS NULL OR length(note) <= 500),
  due_on          TEXT,
  updated_by      INTEGER REFERENCES users(id),
  updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
