-- Dual control (双人复核) of password resets (issue 19.2b). An administrator who resets the password of a
-- user with customer access (president, manager, teller) could sign in as them with the temporary
-- password and act under their name. Such a reset is now a request: the temporary password's hash waits
-- here and takes effect only when a second person approves it (another administrator, or the branch
-- president for a manager's or teller's account), never the requester or the account's owner.
-- At most one pending request per account; a new one supersedes it.

CREATE TABLE password_resets (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  requested_by  INTEGER NOT NULL REFERENCES users(id),
  requested_at  TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  temp_hash     TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
  decided_by    INTEGER REFERENCES users(id),
  decided_at    TEXT,
  CHECK (decided_by IS NULL OR (decided_by <> requested_by AND decided_by <> user_id))
);

CREATE UNIQUE INDEX password_resets_one_pending ON password_resets (user_id) WHERE status = 'pending';
CREATE INDEX password_resets_status ON password_resets (status, expires_at);
