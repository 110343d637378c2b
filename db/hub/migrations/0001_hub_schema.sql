-- The hub's system of record for what people create in a branch. Every table carries the branch key
-- first, so each query filters by branch and the tables can later be distributed on it (Citus needs the
-- distribution column in every primary key and unique constraint).

CREATE TABLE branches (
  branch      text PRIMARY KEY CHECK (branch ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL,
  -- Highest change-log sequence handed out in this branch. Only written under the branch's advisory
  -- lock (see db/hub/push.ts), so sequences are dense and become visible in order.
  last_seq    bigint NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per enrolled workstation. The secret is random (256 bits) so a plain SHA-256 is enough to
-- keep a stolen table from authenticating; no slow hash is needed as for passwords.
CREATE TABLE pcs (
  branch            text NOT NULL REFERENCES branches (branch),
  pc_id             uuid NOT NULL,
  name              text NOT NULL,
  secret_hash       text NOT NULL,
  enrolled_at       timestamptz NOT NULL DEFAULT now(),
  last_sync_at      timestamptz,
  -- Exactly once: a mutation id at or below this was processed (applied, refused or in conflict).
  last_mutation_id  bigint NOT NULL DEFAULT 0,
  revoked_at        timestamptz,
  PRIMARY KEY (branch, pc_id)
);

-- One-time enrolment codes shown on the hub; only their hash is stored.
CREATE TABLE enrol_codes (
  branch      text NOT NULL REFERENCES branches (branch),
  code_hash   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  used_by     uuid,
  PRIMARY KEY (branch, code_hash)
);

-- The shared records: one generic store keyed by (branch, table, id). Ids are UUIDv7 for rows people
-- create and natural keys for derived rows every PC computes alike. A delete keeps a tombstone so a
-- stale PC cannot resurrect the row with an old revision.
CREATE TABLE records (
  branch      text NOT NULL REFERENCES branches (branch),
  tbl         text NOT NULL,
  id          text NOT NULL,
  revision    bigint NOT NULL CHECK (revision > 0),
  data        jsonb,
  deleted     boolean NOT NULL DEFAULT false,
  updated_by  uuid NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (branch, tbl, id)
);

-- The change log PCs pull from, in commit order per branch (seq is dense per branch, see branches.last_seq).
CREATE TABLE changes (
  branch       text NOT NULL REFERENCES branches (branch),
  seq          bigint NOT NULL,
  tbl          text NOT NULL,
  id           text NOT NULL,
  revision     bigint NOT NULL,
  data         jsonb,
  deleted      boolean NOT NULL,
  pc_id        uuid NOT NULL,
  mutation_id  bigint NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (branch, seq)
);

-- Every mutation the hub processed, with its outcome. The primary key is the last line of defence for
-- exactly-once (pcs.last_mutation_id is the first), and a re-pushed id gets its first outcome back.
CREATE TABLE mutations (
  branch       text NOT NULL REFERENCES branches (branch),
  pc_id        uuid NOT NULL,
  mutation_id  bigint NOT NULL,
  name         text NOT NULL,
  args         jsonb NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('applied', 'conflict', 'refused')),
  reason       jsonb,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (branch, pc_id, mutation_id),
  FOREIGN KEY (branch, pc_id) REFERENCES pcs (branch, pc_id)
);

-- Hub-side events that are not mutations: enrolments, refused sign-ins of PCs, codes issued.
CREATE TABLE audit (
  branch  text NOT NULL REFERENCES branches (branch),
  id      bigint GENERATED ALWAYS AS IDENTITY,
  at      timestamptz NOT NULL DEFAULT now(),
  pc_id   uuid,
  action  text NOT NULL,
  detail  jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (branch, id)
);
