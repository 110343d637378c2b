-- Per-user settings kept in the store rather than in the renderer's localStorage, so they survive a
-- reinstall or a cleared browser cache and follow the signed-in user on this PC. One JSON value per
-- user and key; keys are a closed list in the main process (shared/api/settings.ts SETTING_KEYS, e.g.
-- 'grid.customers.layout': the customer grid's columns, order, widths and pinning). What goes in has
-- been validated by the main process; what comes out is validated again on read. No row: the default.

CREATE TABLE user_settings (
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key         TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
  value       TEXT NOT NULL CHECK (json_valid(value)),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
