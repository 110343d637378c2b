-- A referral's identity across the PCs of a branch (issue 16, referrals on the hub): a UUIDv7 that two PCs
-- cannot both invent, given when a referral is flagged on a PC joined to a hub. The INTEGER id stays this
-- store's own handle (the API, contacts, opportunities and reminders refer to it); a referral flagged on
-- another PC gets a local id when its row arrives. NULL: a referral made while standalone, never shared.
ALTER TABLE referrals ADD COLUMN sync_id TEXT;
CREATE UNIQUE INDEX referrals_sync_id ON referrals(sync_id) WHERE sync_id IS NOT NULL;
