-- Issue 20, model lab: the after-import step re-scores active versions on every new book (lab_scores,
-- scored_at/scored_on then say when and on which month end). Monitoring compares the scores an
-- activation gave with the outcomes realised since, so the activation's time and month end are kept
-- apart; its scores are recomputed from the model at that month end (features are as-of, no later row
-- changes them).
ALTER TABLE lab_models ADD COLUMN activated_at TEXT;
ALTER TABLE lab_models ADD COLUMN activated_on TEXT;
UPDATE lab_models SET activated_at = scored_at, activated_on = scored_on WHERE scored_on IS NOT NULL;
