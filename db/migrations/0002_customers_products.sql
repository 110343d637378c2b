-- Customers (individual and corporate), their change history, products, managers of record and tags.
-- Money is integer fen (1/100 yuan); rates are integer parts per million (3.45% = 34500).

CREATE TABLE products (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL UNIQUE,           -- 产品号
  name          TEXT NOT NULL,
  category      TEXT NOT NULL CHECK (category IN ('demand','term','cd','wealth','loan','card','insurance','fund')),
  risk_level    INTEGER CHECK (risk_level BETWEEN 1 AND 5),
  rate_ppm      INTEGER,                        -- headline annual rate
  term_months   INTEGER,
  min_amount_fen INTEGER,
  launched_on   TEXT,
  withdrawn_on  TEXT,
  status        TEXT NOT NULL DEFAULT 'on_sale' CHECK (status IN ('on_sale','closed','withdrawn')),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE customers (
  id                INTEGER PRIMARY KEY,
  customer_no       TEXT NOT NULL UNIQUE,       -- 客户号
  kind              TEXT NOT NULL CHECK (kind IN ('individual','corporate')),
  name              TEXT NOT NULL,
  name_initials     TEXT,                       -- pinyin initials (张伟 -> zw) for quick search
  id_type           TEXT NOT NULL CHECK (id_type IN ('resident_id','passport','hk_mo_permit','tw_permit','uscc','other')),
  id_no             TEXT,                       -- resident ID (GB 11643) or unified social credit code (GB 32100)
  gender            TEXT CHECK (gender IN ('M','F')),
  birth_date        TEXT,                       -- individuals; founding date for corporates
  mobile            TEXT,
  phone             TEXT,
  email             TEXT,
  address           TEXT,
  postcode          TEXT,
  occupation        TEXT,                       -- individuals; industry for corporates
  employer          TEXT,
  legal_rep         TEXT,                       -- corporates: 法定代表人
  registered_capital_fen INTEGER,               -- corporates
  branch_id         INTEGER NOT NULL REFERENCES branches(id),
  opened_on         TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','dormant','closed')),
  tier              TEXT CHECK (tier IN ('gold','quality','key','ordinary','restricted','exit')),
  credit_rating     TEXT,
  risk_tolerance    INTEGER CHECK (risk_tolerance BETWEEN 1 AND 5),
  manager_staff_id  INTEGER REFERENCES staff(id), -- current manager of record; history in manager_assignments
  -- Maintained figures (kept current by whatever writes accounts, holdings or loans) so lists over
  -- the whole book can sort and sum without joining millions of rows.
  deposit_fen       INTEGER NOT NULL DEFAULT 0,
  wealth_fen        INTEGER NOT NULL DEFAULT 0,
  loan_fen          INTEGER NOT NULL DEFAULT 0,
  aum_fen           INTEGER NOT NULL DEFAULT 0, -- deposits + wealth
  last_txn_on       TEXT,
  created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Address, phone and other contact changes keep their history (the CIF extract overwrites).
CREATE TABLE customer_changes (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  field        TEXT NOT NULL,
  old_value    TEXT,
  new_value    TEXT,
  changed_at   TEXT NOT NULL,
  source       TEXT                               -- import job id or user action
);
CREATE INDEX customer_changes_customer ON customer_changes(customer_id, changed_at);

-- Manager of record over time. The open row (to_date IS NULL) mirrors customers.manager_staff_id.
CREATE TABLE manager_assignments (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  staff_id     INTEGER NOT NULL REFERENCES staff(id),
  from_date    TEXT NOT NULL,
  to_date      TEXT,
  assigned_by  INTEGER REFERENCES users(id),
  reason       TEXT
);
CREATE UNIQUE INDEX manager_assignments_open ON manager_assignments(customer_id) WHERE to_date IS NULL;
CREATE INDEX manager_assignments_staff ON manager_assignments(staff_id, to_date);

-- What the branch grants a manager beyond their own book (cover during leave, a shared corporate group).
CREATE TABLE customer_grants (
  id           INTEGER PRIMARY KEY,
  staff_id     INTEGER NOT NULL REFERENCES staff(id),
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  granted_by   INTEGER REFERENCES users(id),
  granted_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  expires_on   TEXT,
  UNIQUE (staff_id, customer_id)
);
CREATE INDEX customer_grants_customer ON customer_grants(customer_id);

CREATE TABLE tags (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  color       TEXT,
  kind        TEXT NOT NULL DEFAULT 'user' CHECK (kind IN ('system','user')),
  created_by  INTEGER REFERENCES users(id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE customer_tags (
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  tag_id      INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  tagged_by   INTEGER REFERENCES users(id),
  tagged_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (customer_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags(tag_id, customer_id);
