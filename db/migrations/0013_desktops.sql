-- 个性化桌面: each user's own desktop layout, and the template the administrator publishes per role.
-- Layouts are JSON (shared/api/desktop.ts layoutSchema), validated by the main process before they are
-- written; a user without a row sees their role's template, or the built-in default.

CREATE TABLE desktop_layouts (
  user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  layout      TEXT NOT NULL,
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE desktop_templates (
  role          TEXT PRIMARY KEY CHECK (role IN ('president','manager')),
  layout        TEXT NOT NULL,
  published_by  INTEGER REFERENCES users(id),
  published_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
