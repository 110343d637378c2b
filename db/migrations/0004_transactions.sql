-- Transaction details (帐户明细). The biggest table by far: keep rows narrow.
-- txn_at is bank-local time 'YYYY-MM-DD HH:MM:SS'; amount_fen is always positive, direction says which way.

CREATE TABLE transactions (
  id                INTEGER PRIMARY KEY,
  serial_no         TEXT NOT NULL,              -- core-system journal number (流水号)
  account_id        INTEGER NOT NULL REFERENCES accounts(id),
  customer_id       INTEGER NOT NULL REFERENCES customers(id), -- denormalised: per-customer history without a join
  txn_at            TEXT NOT NULL,
  amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
  direction         TEXT NOT NULL CHECK (direction IN ('D','C')),   -- D debit (out), C credit (in)
  channel           TEXT NOT NULL CHECK (channel IN ('counter','atm','pos','phone','online')),
  txn_type          TEXT NOT NULL,
  balance_after_fen INTEGER,
  counterparty_name TEXT,
  counterparty_account TEXT,
  memo              TEXT,
  teller_staff_id   INTEGER REFERENCES staff(id)
);
CREATE UNIQUE INDEX transactions_serial ON transactions(serial_no);
CREATE INDEX transactions_customer ON transactions(customer_id, txn_at);
CREATE INDEX transactions_account ON transactions(account_id, txn_at);
