-- Organisation, users and the audit trail: the part of the store that exists before any customer data.
-- Dates are ISO-8601 text (YYYY-MM-DD), timestamps ISO-8601 UTC text; money never appears here.

CREATE TABLE branches (
  id           INTEGER PRIMARY KEY,
  code         TEXT NOT NULL UNIQUE,            -- 网点号
  name         TEXT NOT NULL,
  parent_id    INTEGER REFERENCES branches(id), -- outlets (网点) hang under their branch (支行)
  address      TEXT,
  phone        TEXT,
  opened_on    TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE staff (
  id           INTEGER PRIMARY KEY,
  employee_no  TEXT NOT NULL UNIQUE,            -- 员工号
  name         TEXT NOT NULL,
  branch_id    INTEGER NOT NULL REFERENCES branches(id),
  position     TEXT NOT NULL CHECK (position IN ('president','manager','teller','admin','other')),
  mobile       TEXT,
  hired_on     TEXT,
  active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX staff_branch ON staff(branch_id, position);

CREATE TABLE users (
  id                   INTEGER PRIMARY KEY,
  username             TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name         TEXT NOT NULL,
  role                 TEXT NOT NULL CHECK (role IN ('president','manager','teller','admin')),
  staff_id             INTEGER UNIQUE REFERENCES staff(id),
  branch_id            INTEGER REFERENCES branches(id),
  password_hash        TEXT NOT NULL,            -- scrypt$N$r$p$salt$hash (base64)
  failed_attempts      INTEGER NOT NULL DEFAULT 0,
  locked_until         TEXT,                     -- ISO timestamp; NULL when not locked
  disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0,1)),
  locale               TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN','en')),
  last_sign_in_at      TEXT,
  created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  -- a customer-facing role must be tied to a staff member, or scope could not be computed
  CHECK (role = 'admin' OR staff_id IS NOT NULL)
);

-- Append-only. Nothing in the product updates or deletes rows here.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  user_id      INTEGER,                          -- no FK: the trail outlives the user
  username     TEXT,
  role         TEXT,
  action       TEXT NOT NULL,                    -- e.g. auth.signIn, customers.reveal, permission.denied
  outcome      TEXT NOT NULL CHECK (outcome IN ('ok','denied','failed')),
  target_type  TEXT,
  target_id    TEXT,
  details      TEXT                              -- JSON, never a password or a full ID number
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;
