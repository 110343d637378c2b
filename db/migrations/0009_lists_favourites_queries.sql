-- Favourites (收藏夹), named customer lists (加入列表) and saved advanced queries (高级查询).
-- Membership never grants access: every read still ANDs the caller's data scope.

CREATE TABLE customer_favorites (
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (user_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_favorites_customer ON customer_favorites(customer_id);

CREATE TABLE customer_lists (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  owner_id     INTEGER NOT NULL REFERENCES users(id),
  -- The owner's branch (支行, the top of their branch tree): a shared list is seen by its staff.
  branch_id    INTEGER REFERENCES branches(id),
  shared       INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0,1)),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (owner_id, name)
);

CREATE TABLE customer_list_members (
  list_id      INTEGER NOT NULL REFERENCES customer_lists(id) ON DELETE CASCADE,
  customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  added_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (list_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_list_members_customer ON customer_list_members(customer_id);

CREATE TABLE saved_queries (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  owner_id     INTEGER NOT NULL REFERENCES users(id),
  branch_id    INTEGER REFERENCES branches(id),
  shared       INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0,1)),
  definition   TEXT NOT NULL,                 -- JSON: shared/api/grid.ts gridFilterSchema
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (owner_id, name)
);
