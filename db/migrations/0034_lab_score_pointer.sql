-- Issue 20, model lab: each version's current scoring run (0033) is kept in a table of its own, two integers a
-- row. lab_scores tests every row it returns against it, and a lab_models row carries the model's JSON (tens
-- of kilobytes for boosted trees, in overflow pages): reading a pointer stored after it cost a walk of those
-- pages per customer on every grid page and export.
CREATE TABLE lab_score_current (
  version  INTEGER PRIMARY KEY REFERENCES lab_models(version) ON DELETE CASCADE,
  run      INTEGER NOT NULL
);
INSERT INTO lab_score_current (version, run) SELECT version, score_run FROM lab_models WHERE score_run IS NOT NULL;

DROP VIEW lab_scores;
ALTER TABLE lab_models DROP COLUMN score_run;

CREATE VIEW lab_scores AS
  SELECT r.version, r.customer_id, r.score, r.decile, r.factors FROM lab_score_rows r
  WHERE r.run = (SELECT p.run FROM lab_score_current p WHERE p.version = r.version);

CREATE TRIGGER lab_scores_insert INSTEAD OF INSERT ON lab_scores BEGIN
  INSERT INTO lab_score_runs (version, started_at, finished_at)
    SELECT NEW.version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE NOT EXISTS (SELECT 1 FROM lab_score_current WHERE version = NEW.version);
  INSERT OR IGNORE INTO lab_score_current (version, run)
    SELECT NEW.version, MAX(run) FROM lab_score_runs WHERE version = NEW.version;
  INSERT INTO lab_score_rows (version, customer_id, run, score, decile, factors)
    VALUES (NEW.version, NEW.customer_id, (SELECT run FROM lab_score_current WHERE version = NEW.version),
            NEW.score, NEW.decile, NEW.factors);
END;
CREATE TRIGGER lab_scores_delete INSTEAD OF DELETE ON lab_scores BEGIN
  DELETE FROM lab_score_rows WHERE version = OLD.version AND customer_id = OLD.customer_id;
END;
