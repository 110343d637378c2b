-- Per-PC pull scope (issue 16, "the hub checks the permission and data scope of every mutation and pull
-- with the same rules as db/scope.ts"). A PC pulls the customer-bearing records (referrals, contacts,
-- opportunities, campaign entries, list members, stars, reminder states) only as far as the users who have
-- signed in on it may see them: the union of their scopes (shared/sync/read-rules.ts).
--
-- Who has signed in on which PC: the PC reports its users at each pull, and every user a PC pushes for is
-- one too. Rows are only added (a PC's scope grows as people sign in on it) and go with the PC.
CREATE TABLE pc_users (
  branch      text NOT NULL,
  pc_id       uuid NOT NULL,
  user_id     text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 64),
  first_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (branch, pc_id, user_id),
  FOREIGN KEY (branch, pc_id) REFERENCES pcs (branch, pc_id)
);

-- Bumped when a customer's scope facts change after they were first written (a customer handed to
-- another manager by an extract, a grant): each PC then pulls what its scope now reaches that it could
-- not see before. Written only under the branch's advisory lock, like last_seq.
ALTER TABLE branches ADD COLUMN scope_epoch bigint NOT NULL DEFAULT 0;

GRANT SELECT, INSERT ON pc_users TO crm_hub_app;
