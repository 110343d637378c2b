-- Issue 20, model lab: the scores' rank index (version, decile, score) from 0033 gives way to (version, decile).
-- A run writes its rows in customer order, batch by batch; keyed by the score, each batch of 5,000 landed all
-- over the index (a few thousand pages rewritten per write transaction at a million customers: most of the
-- time and of the write-lock hold of an activation and a re-score, and again when the old run's rows were
-- deleted). Keyed by the group, the entries of a batch follow the table's key within each of the ten groups
-- (the customer, then the run), a few pages per group. Readers of a group (the grid's 流失风险组 condition,
-- the top groups pushed as a list, the next-product ranker) still read one index range.
DROP INDEX lab_score_rows_rank;
CREATE INDEX lab_score_rows_group ON lab_score_rows(version, decile);
