-- Issue 19.4(b): a tamper-evident audit log. Each entry's chain record holds the hash of the entry's
-- canonical text and of the record before it (db/audit-chain.ts), written in the same transaction as the
-- entry. Entries already in the log are chained right after this file runs (db/migrate.ts runs
-- chainExistingEntries for this version), inside the same migration transaction.
CREATE TABLE audit_chain (
  id       INTEGER PRIMARY KEY,   -- the audit_log entry's id (its sequence in the chain)
  prev_id  INTEGER,               -- the entry chained before it; NULL for the first (linked to the genesis)
  hash     TEXT NOT NULL CHECK (length(hash) = 64)
);
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;

-- Heads recorded outside this file: 'hub' when the branch hub acknowledged one. A local copy only (the
-- hub's record is the one the workstation user cannot rewrite); it lets a check name the last anchor.
CREATE TABLE audit_anchors (
  id     INTEGER PRIMARY KEY,
  at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  place  TEXT NOT NULL CHECK (place IN ('hub')),
  seq    INTEGER NOT NULL CHECK (seq >= 0),
  hash   TEXT NOT NULL CHECK (length(hash) = 64)
);
