-- The audit chain heads workstations send (issue 19.4(b)): the anchor a PC's user cannot rewrite. Every
-- head is kept, accepted or not (a refused one is evidence: the PC's chain no longer held the latest
-- anchor). Append-only for the service role: it may add and read, never change or remove.
CREATE TABLE audit_anchors (
  branch       text NOT NULL,
  pc_id        uuid NOT NULL,
  id           bigint GENERATED ALWAYS AS IDENTITY,
  seq          bigint NOT NULL CHECK (seq >= 0),
  hash         text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  accepted     boolean NOT NULL,
  reason       text CHECK (reason IN ('witness_mismatch', 'behind')),
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (branch, pc_id, id),
  FOREIGN KEY (branch, pc_id) REFERENCES pcs (branch, pc_id),
  CHECK (accepted = (reason IS NULL))
);
CREATE INDEX audit_anchors_latest ON audit_anchors (branch, pc_id, id DESC) WHERE accepted;

GRANT SELECT, INSERT ON audit_anchors TO crm_hub_app;
