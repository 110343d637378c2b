-- The top of each branch code's tree, by key (issue 16). A pull names the root of every signed-in user's
-- branch (a teller's scope runs from the top of the tree, shared/scope-rules.ts). It used to find it by
-- scanning the branch's customer_scope records for a chain that contains the user's code: with none (a
-- head-office administrator, a new outlet) every pull read every customer's facts.
--
-- One row per (code, root) that the branch's customer_scope chains (outlet → top) pair: `customers`
-- counts the records whose chain contains `code` and ends at `root`. Kept in the transaction that writes
-- the records (db/hub/push.ts, under the branch's advisory lock): +1 for each new chain, -1 for each
-- replaced one; rows reaching 0 are removed in the same transaction. So a code has a row exactly when
-- some record's chain contains it, which is when the scan found one.
CREATE TABLE branch_roots (
  branch     text NOT NULL REFERENCES branches (branch),
  code       text NOT NULL,
  root       text NOT NULL,
  customers  bigint NOT NULL,
  PRIMARY KEY (branch, code, root)
);

-- The records already shared (the write rule keeps `branches` a non-empty array of codes).
WITH chains AS MATERIALIZED (
  SELECT branch, data->'branches' AS chain FROM records
   WHERE tbl = 'customer_scope' AND NOT deleted AND jsonb_typeof(data->'branches') = 'array'
     AND jsonb_array_length(data->'branches') > 0
)
INSERT INTO branch_roots (branch, code, root, customers)
SELECT ch.branch, c.code, ch.chain->>(jsonb_array_length(ch.chain) - 1), count(*)
  FROM chains ch
 CROSS JOIN LATERAL (SELECT DISTINCT e #>> '{}' AS code FROM jsonb_array_elements(ch.chain) AS e
                      WHERE jsonb_typeof(e) = 'string') c
 WHERE ch.chain->>(jsonb_array_length(ch.chain) - 1) IS NOT NULL
 GROUP BY 1, 2, 3;

GRANT SELECT, INSERT, UPDATE, DELETE ON branch_roots TO crm_hub_app;
