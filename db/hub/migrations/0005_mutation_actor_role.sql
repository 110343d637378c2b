-- The role the hub resolved for each processed mutation's user (db/hub/actors.ts), next to the user id:
-- the hub's audit of who wrote what says under which role the write rules judged it. NULL: system work
-- (no user) or a user the hub refused.
ALTER TABLE mutations ADD COLUMN role text;
