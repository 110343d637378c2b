-- Opportunities (商机) with their stage history, the opportunity-event rules (商机事件) that create them
-- after each import, and marketing lists (营销名单): campaigns whose entries are split to managers of record.
-- Money is integer fen. Business dates YYYY-MM-DD, timestamps ISO-8601 UTC.

CREATE TABLE opportunities (
  id             INTEGER PRIMARY KEY,
  customer_id    INTEGER NOT NULL REFERENCES customers(id),
  -- The customer's branch when the opportunity was made: the president's scope and the branch queue.
  branch_id      INTEGER NOT NULL REFERENCES branches(id),
  -- NULL: in the branch queue (the customer has no manager of record) until the president assigns it.
  owner_staff_id INTEGER REFERENCES staff(id),
  stage          TEXT NOT NULL DEFAULT 'identified'
                 CHECK (stage IN ('identified','contacted','proposal','negotiating','won','lost')),
  -- The furthest stage on the way to won (0 identified .. 4 won), kept by every transition, so the
  -- funnel counts "reached stage k" from one column instead of replaying the history.
  reached_rank   INTEGER NOT NULL DEFAULT 0 CHECK (reached_rank BETWEEN 0 AND 4),
  source         TEXT NOT NULL CHECK (source IN ('referral','rule','campaign','manual')),
  -- referral id, campaign id (as text); for rules the rule code
  source_ref     TEXT,
  rule_code      TEXT,
  -- One opportunity per event: rule + customer + event (e.g. the term deposit that matures).
  dedupe_key     TEXT UNIQUE,
  product        TEXT NOT NULL CHECK (product IN ('deposit','wealth','loan','card','insurance','other')),
  product_id     INTEGER REFERENCES products(id),
  amount_fen     INTEGER CHECK (amount_fen >= 0),
  due_on         TEXT,
  title          TEXT,
  -- Facts the rule saw (JSON: amounts, dates), shown with the opportunity.
  detail         TEXT,
  note           TEXT,
  lost_reason    TEXT,
  created_on     TEXT NOT NULL,
  closed_on      TEXT,
  created_by     INTEGER REFERENCES users(id),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX opportunities_owner ON opportunities(owner_staff_id, stage);
CREATE INDEX opportunities_branch ON opportunities(branch_id, created_on);
CREATE INDEX opportunities_customer ON opportunities(customer_id, rule_code);

CREATE TABLE opportunity_history (
  id              INTEGER PRIMARY KEY,
  opportunity_id  INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  from_stage      TEXT,
  to_stage        TEXT NOT NULL,
  on_date         TEXT NOT NULL,
  at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  user_id         INTEGER REFERENCES users(id),
  note            TEXT
);
CREATE INDEX opportunity_history_opp ON opportunity_history(opportunity_id, id);

-- The administrator's rule settings. Rule logic lives in db/relationship/rules.ts; a missing row
-- means the shipped defaults.
CREATE TABLE opportunity_rules (
  code          TEXT PRIMARY KEY,
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0,1)),
  params        TEXT NOT NULL DEFAULT '{}',
  updated_by    INTEGER REFERENCES users(id),
  updated_at    TEXT,
  last_run_on   TEXT,
  last_created  INTEGER,
  -- Month-based rules (salary months, month-end balances) note the window they last evaluated: the
  -- after-import step skips them until the window or the parameters change.
  last_window   TEXT
) WITHOUT ROWID;

-- The rules read windows of recent activity; these partial indexes keep them off the full journal.
-- Large credits (>= 50,000 yuan, the lowest threshold the rule accepts) by date:
CREATE INDEX transactions_large_credit ON transactions(txn_at, customer_id) WHERE direction = 'C' AND amount_fen >= 5000000;
-- Salary credits by date (代发工资):
CREATE INDEX transactions_salary ON transactions(txn_at, customer_id) WHERE txn_type = 'salary';
CREATE INDEX loans_paid_off ON loans(paid_off_on) WHERE status = 'paid_off';
CREATE INDEX customers_gold_birthday ON customers(substr(birth_date, 6, 5)) WHERE tier = 'gold';

CREATE TABLE campaigns (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  description  TEXT,
  product      TEXT NOT NULL DEFAULT 'other' CHECK (product IN ('deposit','wealth','loan','card','insurance','other')),
  -- The president's 支行 (root of the branch tree): who may see the campaign.
  branch_id    INTEGER NOT NULL REFERENCES branches(id),
  origin       TEXT NOT NULL CHECK (origin IN ('list','query','filter','import')),
  due_on       TEXT,
  status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed')),
  created_by   INTEGER NOT NULL REFERENCES users(id),
  created_on   TEXT NOT NULL,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX campaigns_branch ON campaigns(branch_id, created_on);

CREATE TABLE campaign_entries (
  id               INTEGER PRIMARY KEY,
  campaign_id      INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  customer_id      INTEGER NOT NULL REFERENCES customers(id),
  -- The manager of record when the list was pushed; NULL: the branch queue (president works it).
  manager_staff_id INTEGER REFERENCES staff(id),
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','contacted','won','declined')),
  note             TEXT,
  updated_on       TEXT,
  updated_by       INTEGER REFERENCES users(id),
  UNIQUE (campaign_id, customer_id)
);
CREATE INDEX campaign_entries_manager ON campaign_entries(manager_staff_id, campaign_id, status);
CREATE INDEX campaign_entries_campaign ON campaign_entries(campaign_id, manager_staff_id, status);
