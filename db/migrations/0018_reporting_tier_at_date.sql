-- Tiers in the reporting summaries become point-in-time (db/reporting/maintain.ts): a figure counts
-- under the tier the customer held at its moment, a month-end balance at that month end, a product
-- sale at the end of the month it was sold, a transaction on the day it happened; only what is held
-- today counts under today's tier. Tier on day X = after every change logged in customer_tier_changes
-- on or before X (the UTC date of changed_at), so a re-tier moves only what is dated on or after its
-- own day, not a year of history. Branch and manager stay current (the book as it is owned today).
--
-- Per-customer rows keep the tier they are counted under. db/open.ts refills the reporting tables
-- once after this migration (rebuildReporting), since their tier columns change meaning.
ALTER TABLE report_customer_months ADD COLUMN tier TEXT NOT NULL DEFAULT '';
ALTER TABLE report_customer_products ADD COLUMN tier TEXT NOT NULL DEFAULT '';
