-- What each PC last said of its outbox when it pulled, for the administrator's list of PCs (issue 16:
-- "the administrator sees each enrolled PC, its last sync and its queue"). NULL: never reported.
ALTER TABLE pcs ADD COLUMN queued integer CHECK (queued >= 0);
