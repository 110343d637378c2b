-- Reminders (消息提醒): one row per recipient and event, generated from the data after each import and at
-- start-up (db/relationship/reminder-rules.ts) or created by features (db/relationship/reminders.ts addReminder).
-- The unique (user_id, dedupe_key) makes every generation idempotent: an event reaches a user once, and a
-- reminder that was done or dismissed is never created again.

CREATE TABLE reminders (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL,                 -- shared/api/reminders.ts REMINDER_KINDS
  customer_id   INTEGER REFERENCES customers(id) ON DELETE CASCADE,
  due_on        TEXT NOT NULL,                 -- the event's date (maturity, birthday, holiday start, SLA deadline)
  act_by        TEXT,                          -- last working day on or before due_on (when due_on is a rest day)
  notify_on     TEXT,                          -- shown from this business date (NULL: at once)
  params        TEXT NOT NULL DEFAULT '{}',    -- JSON: what the title shows (amount_fen, product, holiday name...)
  source_type   TEXT,                          -- term_deposit, loan, transaction, referral, contact...
  source_id     TEXT,
  dedupe_key    TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','dismissed')),
  snoozed_until TEXT,                          -- ISO UTC timestamp; hidden until then
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  closed_at     TEXT,
  UNIQUE (user_id, dedupe_key)
);
CREATE INDEX reminders_inbox ON reminders(user_id, status, due_on);
CREATE INDEX reminders_source ON reminders(source_type, source_id);
CREATE INDEX reminders_customer ON reminders(customer_id);

-- Per user and kind: on/off, how far ahead (or back, for past events such as a large deposit), whether the
-- lead counts working days, and the amount threshold for large movements. No row: the kind's default.
CREATE TABLE reminder_prefs (
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL,
  enabled       INTEGER NOT NULL CHECK (enabled IN (0,1)),
  lead_days     INTEGER NOT NULL CHECK (lead_days BETWEEN 0 AND 90),
  working_days  INTEGER NOT NULL DEFAULT 0 CHECK (working_days IN (0,1)),
  threshold_fen INTEGER CHECK (threshold_fen IS NULL OR threshold_fen > 0),
  PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

-- Per user: for which customers (always within the user's data scope, db/scope.ts).
CREATE TABLE reminder_audience (
  user_id   INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  mine      INTEGER NOT NULL DEFAULT 1 CHECK (mine IN (0,1)),    -- manager of record
  lists     INTEGER NOT NULL DEFAULT 0 CHECK (lists IN (0,1)),   -- members of lists the user owns
  branch    INTEGER NOT NULL DEFAULT 0 CHECK (branch IN (0,1))   -- the whole branch (president)
);

-- One row per generation run: when, why, how many created, how long.
CREATE TABLE reminder_runs (
  id        INTEGER PRIMARY KEY,
  ran_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  today     TEXT NOT NULL,
  reason    TEXT NOT NULL,
  created   INTEGER NOT NULL,
  ms        INTEGER NOT NULL
);

-- Indexed paths for generation on a large book.
CREATE INDEX customers_birth_md ON customers(substr(birth_date, 6, 5)) WHERE birth_date IS NOT NULL;
CREATE INDEX customers_opened_md ON customers(substr(opened_on, 6, 5));
CREATE INDEX loans_next_due ON loans(next_due_on) WHERE status = 'active';
CREATE INDEX loans_disbursed ON loans(disbursed_on);
CREATE INDEX accounts_closed ON accounts(closed_on) WHERE closed_on IS NOT NULL;
-- Large movements: only transactions of 10,000 yuan and more (the lowest threshold a user can set),
-- covering what generation reads so a window is scanned without touching the table.
CREATE INDEX transactions_large ON transactions(txn_at, amount_fen, direction, customer_id, channel) WHERE amount_fen >= 1000000;
CREATE INDEX products_launched ON products(launched_on);
