-- Who acted, per processed mutation (the PC names the signed-in user; the hub resolves the role).
ALTER TABLE mutations ADD COLUMN user_id text;
