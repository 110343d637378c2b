-- Issue 20.2, 模型实验室: every trained model is a version (insert-only) with its target, data window,
-- parameters, figures and the fitted model as JSON; one active version per target key scores the book.
CREATE TABLE lab_models (
  version         INTEGER PRIMARY KEY,
  target_key      TEXT NOT NULL,              -- 'churn', 'loan', 'wealth', 'product:card'...
  target          TEXT NOT NULL,              -- the target's definition (JSON, shared/lab.ts LabTarget)
  learner         TEXT NOT NULL CHECK (learner IN ('logistic','boosted')),
  requested       TEXT NOT NULL CHECK (requested IN ('logistic','boosted','best')),
  outcome_months  INTEGER NOT NULL CHECK (outcome_months BETWEEN 1 AND 12),
  cutoff          TEXT NOT NULL,              -- features as of this day; outcomes in (cutoff, window_end]
  window_end      TEXT NOT NULL,
  rows            INTEGER NOT NULL,
  positives       INTEGER NOT NULL,
  auc             REAL,
  holdout_auc     REAL,
  leak            INTEGER NOT NULL DEFAULT 0 CHECK (leak IN (0,1)),
  figures         TEXT NOT NULL,              -- folds, hold-out, ten groups, calibration, leaks, weights (JSON)
  model           TEXT NOT NULL,              -- the fitted model and its feature list (JSON)
  seconds         REAL NOT NULL,
  created_at      TEXT NOT NULL,
  created_by      INTEGER REFERENCES users(id),
  scored_at       TEXT,                       -- when it last scored the book
  scored_on       TEXT,                       -- the month end whose features it scored
  scored_customers INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX lab_models_key ON lab_models(target_key, version);

CREATE TABLE lab_active (
  target_key  TEXT PRIMARY KEY,
  version     INTEGER NOT NULL REFERENCES lab_models(version)
) WITHOUT ROWID;

-- Each scoring run's result per customer, kept per version so monitoring can compare past scores with
-- the outcomes realised since. factors: the three features raising the score most (JSON).
CREATE TABLE lab_scores (
  version      INTEGER NOT NULL REFERENCES lab_models(version) ON DELETE CASCADE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  score        REAL NOT NULL,
  decile       INTEGER NOT NULL CHECK (decile BETWEEN 1 AND 10),
  factors      TEXT NOT NULL,
  PRIMARY KEY (version, customer_id)
) WITHOUT ROWID;
CREATE INDEX lab_scores_customer ON lab_scores(customer_id, version);
CREATE INDEX lab_scores_rank ON lab_scores(version, decile, score);
