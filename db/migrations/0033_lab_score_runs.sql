-- Issue 20, model lab: a scoring run (activation, or the after-import re-score of an active version) writes
-- its rows in short batches under a run number of its own, then makes them visible in one small transaction
-- that moves the version's pointer (lab_models.score_run). lab_scores becomes a view showing each version's
-- current run only, so a reader sees the previous run whole or the new one whole, never a half-written
-- book, while the writer never holds the write lock for more than one batch. Readers keep their queries.
CREATE TABLE lab_score_runs (
  run          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a stale writer cannot collide with a new run
  version      INTEGER NOT NULL REFERENCES lab_models(version) ON DELETE CASCADE,
  on_date      TEXT,                               -- the month end whose features it scored
  started_at   TEXT NOT NULL,
  finished_at  TEXT,                               -- null: still writing, or abandoned (its rows are removed later)
  customers    INTEGER
);
CREATE INDEX lab_score_runs_version ON lab_score_runs(version, run);

-- Keyed (version, customer, run): a reader's lookup by version and customer finds at most the current and
-- one new run's row; the run test picks the current one.
CREATE TABLE lab_score_rows (
  version      INTEGER NOT NULL REFERENCES lab_models(version) ON DELETE CASCADE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  run          INTEGER NOT NULL,
  score        REAL NOT NULL,
  decile       INTEGER NOT NULL CHECK (decile BETWEEN 1 AND 10),
  factors      TEXT NOT NULL,
  PRIMARY KEY (version, customer_id, run)
) WITHOUT ROWID;

ALTER TABLE lab_models ADD COLUMN score_run INTEGER;

-- Scores already stored become each version's first run.
INSERT INTO lab_score_runs (version, on_date, started_at, finished_at, customers)
  SELECT m.version, m.scored_on, COALESCE(m.scored_at, m.created_at), COALESCE(m.scored_at, m.created_at),
         (SELECT COUNT(*) FROM lab_scores s WHERE s.version = m.version)
  FROM lab_models m WHERE EXISTS (SELECT 1 FROM lab_scores s WHERE s.version = m.version) ORDER BY m.version;
UPDATE lab_models SET score_run = (SELECT r.run FROM lab_score_runs r WHERE r.version = lab_models.version)
  WHERE version IN (SELECT version FROM lab_score_runs);
INSERT INTO lab_score_rows (version, customer_id, run, score, decile, factors)
  SELECT s.version, s.customer_id, m.score_run, s.score, s.decile, s.factors
  FROM lab_scores s JOIN lab_models m ON m.version = s.version;
DROP TABLE lab_scores;

CREATE INDEX lab_score_rows_customer ON lab_score_rows(customer_id, version);
CREATE INDEX lab_score_rows_rank ON lab_score_rows(version, decile, score);

-- One table, a correlated test on the run: SQLite flattens it into the readers' joins (also on the right of
-- a LEFT JOIN), and the lookup stays on the primary key's (version, customer_id) prefix.
CREATE VIEW lab_scores AS
  SELECT r.version, r.customer_id, r.score, r.decile, r.factors FROM lab_score_rows r
  WHERE r.run = (SELECT m.score_run FROM lab_models m WHERE m.version = r.version);

-- Direct writes through the view (tests, tools) land in the version's current run, opening one if none.
CREATE TRIGGER lab_scores_insert INSTEAD OF INSERT ON lab_scores BEGIN
  INSERT INTO lab_score_runs (version, started_at, finished_at)
    SELECT NEW.version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE (SELECT score_run FROM lab_models WHERE version = NEW.version) IS NULL;
  UPDATE lab_models SET score_run = (SELECT MAX(run) FROM lab_score_runs WHERE version = NEW.version)
    WHERE version = NEW.version AND score_run IS NULL;
  INSERT INTO lab_score_rows (version, customer_id, run, score, decile, factors)
    VALUES (NEW.version, NEW.customer_id, (SELECT score_run FROM lab_models WHERE version = NEW.version),
            NEW.score, NEW.decile, NEW.factors);
END;
CREATE TRIGGER lab_scores_delete INSTEAD OF DELETE ON lab_scores BEGIN
  DELETE FROM lab_score_rows WHERE version = OLD.version AND customer_id = OLD.customer_id;
END;
