-- What import jobs need beyond 0006 to revert exactly and to hand back their rejects.

-- Daily balances have no row id: a job's before-images (NULL = the job inserted the row).
CREATE TABLE import_balance_changes (
  job_id      INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
  account_id  INTEGER NOT NULL,
  on_date     TEXT NOT NULL,
  before_fen  INTEGER,
  PRIMARY KEY (job_id, account_id, on_date)
) WITHOUT ROWID;

-- Manager-of-record assignments opened by a CIF import (closed ones keep a before-image).
ALTER TABLE manager_assignments ADD COLUMN created_job_id INTEGER;
CREATE INDEX manager_assignments_job ON manager_assignments(created_job_id) WHERE created_job_id IS NOT NULL;
CREATE INDEX customer_changes_source ON customer_changes(source) WHERE source IS NOT NULL;

-- Where the job's rejects file was written (same encoding and layout as the source), and the
-- encoding guess the job used.
ALTER TABLE import_jobs ADD COLUMN rejects_file TEXT;
ALTER TABLE import_jobs ADD COLUMN detected_encoding TEXT;

-- Rows a job inserted are found by created_job_id for revert. Deliberately not indexed: an index
-- would be written on every imported row (millions per night) to speed up a rare administrator
-- action, which scans instead (seconds even for 20M transactions).
