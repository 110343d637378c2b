-- Teller referrals (转介) and the contact log (交往记录).
-- A referral lands in its manager-of-record's queue (owner_staff_id) or, for a customer without one, the
-- branch queue (owner_staff_id NULL) that the president dispatches. Who may see a referral is decided in
-- SQL from these columns (db/relationship/referrals.ts): the teller who raised it, its owning manager, or
-- the president of the branch tree holding branch_id. Dates are business dates (YYYY-MM-DD, Asia/Shanghai);
-- *_at are ISO-8601 UTC timestamps from the clock; money is integer fen.

CREATE TABLE referrals (
  id                 INTEGER PRIMARY KEY,
  customer_id        INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  branch_id          INTEGER NOT NULL REFERENCES branches(id),   -- the customer's branch when flagged
  referrer_user_id   INTEGER NOT NULL REFERENCES users(id),
  referrer_staff_id  INTEGER NOT NULL REFERENCES staff(id),
  interest           TEXT NOT NULL CHECK (interest IN ('deposit','wealth','loan','card','insurance','other')),
  urgency            TEXT NOT NULL CHECK (urgency IN ('normal','high')),
  note               TEXT,
  owner_staff_id     INTEGER REFERENCES staff(id),              -- NULL: the branch queue
  status             TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','accepted','contacted','won','lost')),
  created_at         TEXT NOT NULL,
  created_on         TEXT NOT NULL,
  sla_days           INTEGER NOT NULL CHECK (sla_days BETWEEN 1 AND 30),
  due_on             TEXT NOT NULL,                              -- first contact due by the end of this working day
  accepted_at        TEXT,
  first_contact_at   TEXT,
  first_contact_on   TEXT,
  closed_at          TEXT,
  closed_on          TEXT,
  won_product_id     INTEGER REFERENCES products(id),
  won_amount_fen     INTEGER CHECK (won_amount_fen IS NULL OR won_amount_fen > 0),
  lost_reason        TEXT CHECK (lost_reason IS NULL OR lost_reason IN ('not_interested','unreachable','competitor','not_eligible','other')),
  close_note         TEXT,
  updated_at         TEXT NOT NULL,
  -- won carries product and amount, lost a reason, open ones neither: downstream (opportunities) can trust it
  CHECK ((status = 'won') = (won_product_id IS NOT NULL AND won_amount_fen IS NOT NULL)),
  CHECK ((status = 'lost') = (lost_reason IS NOT NULL)),
  CHECK ((status IN ('won','lost')) = (closed_at IS NOT NULL))
);
-- Each visibility rule has its own index: the manager's queue, the teller's flags, the branch report.
CREATE INDEX referrals_owner ON referrals(owner_staff_id, status, due_on);
CREATE INDEX referrals_referrer ON referrals(referrer_user_id, created_on);
CREATE INDEX referrals_branch ON referrals(branch_id, created_on);
CREATE INDEX referrals_customer ON referrals(customer_id, created_on);

-- Every state change of a referral, in order (the audit log has the same facts, this is the business view).
CREATE TABLE referral_events (
  id            INTEGER PRIMARY KEY,
  referral_id   INTEGER NOT NULL REFERENCES referrals(id) ON DELETE CASCADE,
  at            TEXT NOT NULL,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  action        TEXT NOT NULL CHECK (action IN ('created','accepted','reassigned','contacted','won','lost')),
  from_status   TEXT,
  to_status     TEXT NOT NULL,
  from_owner    INTEGER,
  to_owner      INTEGER,
  note          TEXT
);
CREATE INDEX referral_events_referral ON referral_events(referral_id, id);

CREATE TABLE contacts (
  id             INTEGER PRIMARY KEY,
  customer_id    INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  user_id        INTEGER NOT NULL REFERENCES users(id),
  staff_id       INTEGER REFERENCES staff(id),
  channel        TEXT NOT NULL CHECK (channel IN ('call','visit','sms','wechat','meeting')),
  outcome        TEXT NOT NULL CHECK (outcome IN ('reached','no_answer','interested','not_interested','appointment','completed')),
  summary        TEXT,
  next_step      TEXT,
  next_step_on   TEXT,
  referral_id    INTEGER REFERENCES referrals(id) ON DELETE SET NULL,
  contacted_at   TEXT NOT NULL,
  contacted_on   TEXT NOT NULL,
  CHECK ((next_step_on IS NULL) OR (next_step IS NOT NULL))
);
CREATE INDEX contacts_customer ON contacts(customer_id, contacted_at);
CREATE INDEX contacts_staff ON contacts(staff_id, contacted_on);
CREATE INDEX contacts_referral ON contacts(referral_id) WHERE referral_id IS NOT NULL;

-- The latest contact per customer, kept in the same transaction as each contact, so "not contacted for
-- N days" reads one small indexed row per customer instead of aggregating the whole log.
CREATE TABLE customer_last_contact (
  customer_id   INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
  last_on       TEXT NOT NULL,
  last_at       TEXT NOT NULL,
  channel       TEXT NOT NULL
) WITHOUT ROWID;
-- Customers contacted since a cutoff (to subtract from the scope's size for "not contacted for N days").
CREATE INDEX customer_last_contact_on ON customer_last_contact(last_on);
