-- The hashes of a user's previous passwords, so a new password may not be one of the last five
-- (issue 19.6, the banking norm; shared/password-policy.ts PASSWORD_POLICY.history). Only hashes are kept,
-- each salted like the current one; rows beyond the last few are deleted as new ones arrive.

CREATE TABLE password_history (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  password_hash  TEXT NOT NULL,
  replaced_at    TEXT NOT NULL
);

CREATE INDEX password_history_user ON password_history (user_id, id);
