-- 个性化桌面: each user's own desktop layout, and the template the administrator publishes per role.
-- Layouts are JSON (shared/api/desktop.ts layoutSchema), validated by the main process before they are
-- written; a user without a row sees their role's template, or the built-in default.

CREATE TABLE desktop_layouts (
  user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  layout      TEXT NOT NULL,
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE desktop_templates (
  role          TEXT PRIMARY KEY CHECK (role IN ('president','manager')),
  layout        TEXT NOT NULL,
  published_by  INTEGER REFERENCES users(id),
  published_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Maturities in the next N days (desktop widget, the grid's 到期 chip): covering partial indexes, so a
-- month of maturities over a million customers is read from the index alone (date, customer, amount)
-- instead of one table lookup per maturing item.
CREATE INDEX term_deposits_maturing ON term_deposits(maturity_on, customer_id, principal_fen) WHERE status = 'active';
CREATE INDEX wealth_holdings_maturing ON wealth_holdings(maturity_on, customer_id, market_value_fen) WHERE status = 'active';
CREATE INDEX loans_maturing ON loans(maturity_on, customer_id, balance_fen) WHERE status = 'active';
