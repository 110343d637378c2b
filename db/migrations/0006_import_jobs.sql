-- Import jobs: profiles, the job ledger, rejected rows, and what each job changed (for revert).

CREATE TABLE import_profiles (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL,
  definition  TEXT NOT NULL,                      -- JSON, shared/imports.ts profileSchema
  builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0,1)),
  created_by  INTEGER REFERENCES users(id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE import_jobs (
  id             INTEGER PRIMARY KEY,
  kind           TEXT NOT NULL,
  profile_name   TEXT NOT NULL,
  profile        TEXT NOT NULL,                   -- JSON snapshot used for this run
  file_name      TEXT NOT NULL,
  file_path      TEXT NOT NULL,
  file_bytes     INTEGER NOT NULL,
  checksum       TEXT NOT NULL,                   -- sha256 of the file
  encoding       TEXT,
  tolerance      INTEGER NOT NULL DEFAULT 0,      -- rejected rows accepted before the job fails
  status         TEXT NOT NULL CHECK (status IN ('queued','running','committed','failed','cancelled','reverted')),
  rows_read      INTEGER NOT NULL DEFAULT 0,
  rows_inserted  INTEGER NOT NULL DEFAULT 0,
  rows_updated   INTEGER NOT NULL DEFAULT 0,
  rows_unchanged INTEGER NOT NULL DEFAULT 0,
  rows_rejected  INTEGER NOT NULL DEFAULT 0,
  error          TEXT,                            -- JSON { code, details } when failed
  source         TEXT NOT NULL DEFAULT 'ui' CHECK (source IN ('ui','cli')),
  created_by     INTEGER REFERENCES users(id),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  started_at     TEXT,
  finished_at    TEXT,
  reverted_at    TEXT,
  reverted_by    INTEGER REFERENCES users(id)
);
CREATE INDEX import_jobs_checksum ON import_jobs(checksum, status);
CREATE INDEX import_jobs_status ON import_jobs(status, id);

-- Rejected rows of committed jobs (a failed job keeps none: its report lives in the job's error).
CREATE TABLE import_rejects (
  job_id   INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,
  line     INTEGER NOT NULL,
  col      INTEGER,
  field    TEXT,
  value    TEXT,
  reason   TEXT NOT NULL,
  raw      TEXT NOT NULL,                         -- the record as it was in the file, for the rejects file
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

-- Before-images of rows a job updated, so a committed job can be reverted. Rows a job inserted are
-- found through created_job_id instead (cheap on multi-million-row loads).
CREATE TABLE import_changes (
  job_id   INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
  tbl      TEXT NOT NULL,
  row_id   INTEGER NOT NULL,
  before   TEXT NOT NULL,                         -- JSON of the row's columns before the job
  PRIMARY KEY (job_id, tbl, row_id)
) WITHOUT ROWID;

-- Which job inserted a row and which last wrote it: duplicate keys inside one file are detected
-- through last_job_id without holding millions of keys in memory.
ALTER TABLE branches ADD COLUMN created_job_id INTEGER;
ALTER TABLE branches ADD COLUMN last_job_id INTEGER;
ALTER TABLE staff ADD COLUMN created_job_id INTEGER;
ALTER TABLE staff ADD COLUMN last_job_id INTEGER;
ALTER TABLE products ADD COLUMN created_job_id INTEGER;
ALTER TABLE products ADD COLUMN last_job_id INTEGER;
ALTER TABLE customers ADD COLUMN created_job_id INTEGER;
ALTER TABLE customers ADD COLUMN last_job_id INTEGER;
ALTER TABLE accounts ADD COLUMN created_job_id INTEGER;
ALTER TABLE accounts ADD COLUMN last_job_id INTEGER;
ALTER TABLE transactions ADD COLUMN created_job_id INTEGER;
ALTER TABLE transactions ADD COLUMN last_job_id INTEGER;
ALTER TABLE loans ADD COLUMN created_job_id INTEGER;
ALTER TABLE loans ADD COLUMN last_job_id INTEGER;
ALTER TABLE term_deposits ADD COLUMN created_job_id INTEGER;
ALTER TABLE term_deposits ADD COLUMN last_job_id INTEGER;
ALTER TABLE wealth_holdings ADD COLUMN created_job_id INTEGER;
ALTER TABLE wealth_holdings ADD COLUMN last_job_id INTEGER;
