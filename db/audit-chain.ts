import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { query } from './sql';

/**
 * The audit log's hash chain (issue 19.4(b)). Triggers alone keep the product from editing the log, not
 * a user with sqlite3 who drops them. Each entry's chain record (table audit_chain, migration 0024) holds
 *
 *   hash = sha256( "crm-audit-v1\n" + previous entry's hash + "\n" + canonical(entry) )
 *
 * so altering, removing or reordering any entry changes every hash from there on. The first entry links
 * to GENESIS. canonical(entry) is the entry's ten columns as one JSON object with its keys in code-point
 * order, every value either `null` or a string (numbers as their decimal text), no spaces: the same
 * bytes whatever reads the row back. The hash is computed from the row as SQLite stored it (read back
 * after the insert) so the writer and `audit verify` hash the same values.
 *
 * Limits: anyone who can write the store file and knows this function can recompute the whole chain. That
 * is what anchors are for: the head (sequence = entry id, hash) sent to the branch hub, which the PC cannot
 * rewrite; see README, "Security".
 */
export const GENESIS = '0'.repeat(64);
const DOMAIN = 'crm-audit-v1';

export interface AuditEntryRow {
  id: number;
  at: string | null;
  user_id: number | string | null;
  username: string | null;
  role: string | null;
  action: string | null;
  outcome: string | null;
  target_type: string | null;
  target_id: string | number | null;
  details: string | null;
}

const KEYS = [
  'action',
  'at',
  'details',
  'id',
  'outcome',
  'role',
  'target_id',
  'target_type',
  'user_id',
  'username',
] as const satisfies readonly (keyof AuditEntryRow)[];

function text(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint') return JSON.stringify(String(v));
  if (Buffer.isBuffer(v)) return JSON.stringify(`x'${v.toString('hex')}'`);
  return JSON.stringify(String(v));
}

/** The entry's canonical text (see the file comment). */
export function canonicalEntry(row: AuditEntryRow): string {
  return `{${KEYS.map((k) => `${JSON.stringify(k)}:${text(row[k])}`).join(',')}}`;
}

export function chainHash(prevHash: string, row: AuditEntryRow): string {
  return createHash('sha256')
    .update(`${DOMAIN}\n${prevHash}\n${canonicalEntry(row)}`, 'utf8')
    .digest('hex');
}

export interface ChainHead {
  /** The last chained entry's id (0: nothing chained yet). */
  seq: number;
  hash: string;
}

const HEAD = query<[], { id: number; hash: string }>('SELECT id, hash FROM audit_chain ORDER BY id DESC LIMIT 1');
const ENTRY = query<[id: number], AuditEntryRow>(
  'SELECT id, at, user_id, username, role, action, outcome, target_type, target_id, details FROM audit_log WHERE id = ?',
);
const LINK = query<[id: number, prevId: number | null, hash: string]>(
  'INSERT INTO audit_chain (id, prev_id, hash) VALUES (?, ?, ?)',
);
const HASH_AT = query<[id: number], { hash: string }>('SELECT hash FROM audit_chain WHERE id = ?');
const NEXT_ID = query<[], { next: number }>(
  `SELECT MAX(COALESCE((SELECT MAX(id) FROM audit_log), 0), COALESCE((SELECT MAX(id) FROM audit_chain), 0)) + 1 AS next`,
);

export function chainHead(db: Database): ChainHead {
  const h = HEAD.get(db);
  return h ? { seq: h.id, hash: h.hash } : { seq: 0, hash: GENESIS };
}

/** The chain's hash at entry `seq`, or null when the chain has no record of it. */
export function chainHashAt(db: Database, seq: number): string | null {
  return HASH_AT.get(db, seq)?.hash ?? null;
}

/**
 * The id the next entry must take: after both the log's and the chain's last id, so an entry removed at
 * the tail never has its id (and its place in the chain) reused by a later one.
 */
export function nextEntryId(db: Database): number {
  return NEXT_ID.get(db)!.next;
}

/**
 * Links the entry just inserted (inside the caller's write transaction) to the chain's head. The read of
 * the head and the write of the link happen under the same write lock, so two writers can never link to
 * the same head.
 */
export function linkEntry(db: Database, id: number): string {
  const row = ENTRY.get(db, id);
  if (!row) throw new Error(`audit entry ${id} not found`);
  const head = HEAD.get(db);
  const hash = chainHash(head?.hash ?? GENESIS, row);
  LINK.run(db, id, head?.id ?? null, hash);
  return hash;
}

const UNCHAINED = query<[after: number], AuditEntryRow>(
  `SELECT id, at, user_id, username, role, action, outcome, target_type, target_id, details
     FROM audit_log WHERE id > ? ORDER BY id`,
);

/**
 * Chains every entry after the chain's head, in id order: migration 0024 runs it once over the entries a
 * store held before chaining existed (they are as trustworthy as the triggers kept them until then, and
 * protected from that moment on). Returns how many were linked.
 */
export function chainExistingEntries(db: Database): number {
  const head = HEAD.get(db);
  let prevId = head?.id ?? null;
  let prevHash = head?.hash ?? GENESIS;
  const rows = UNCHAINED.all(db, prevId ?? 0);
  for (const row of rows) {
    prevHash = chainHash(prevHash, row);
    LINK.run(db, row.id, prevId, prevHash);
    prevId = row.id;
  }
  return rows.length;
}

export type ChainProblem =
  /** the entry's content (or its chain record) was changed after it was written */
  | 'altered'
  /** entries between the previous chained one and this one are gone from both the log and the chain */
  | 'missing_before'
  /** the chain records an entry the log no longer has */
  | 'removed'
  /** an entry in the log that no chain record covers (written around the product) */
  | 'unchained';

export interface ChainBreak {
  problem: ChainProblem;
  id: number;
  /** The entry's time and action, when the log still has it. */
  at: string | null;
  action: string | null;
  /** missing_before: the last intact entry before the gap (null: the gap starts at the first entry). */
  after?: number | null;
}

export interface ChainReport {
  ok: boolean;
  /** Entries in the log. */
  entries: number;
  head: ChainHead;
  /** The first break in id order, then up to 19 more; `breaks` counts them all. */
  problems: ChainBreak[];
  breaks: number;
}

type WalkRow = AuditEntryRow & { in_log: number; c_prev: number | null; c_hash: string | null };

// Every id in either table, in order: the log left-joined to the chain, then chain records without entry.
const WALK = query<[], WalkRow>(
  `SELECT l.id, l.at, l.user_id, l.username, l.role, l.action, l.outcome, l.target_type, l.target_id, l.details,
          1 AS in_log, c.prev_id AS c_prev, c.hash AS c_hash
     FROM audit_log l LEFT JOIN audit_chain c ON c.id = l.id
   UNION ALL
   SELECT c.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, c.prev_id, c.hash
     FROM audit_chain c WHERE NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.id = c.id)
   ORDER BY 1`,
);

const MAX_LISTED = 20;

/**
 * Walks the whole log and chain in id order and lists what does not hold. After a break the walk
 * re-synchronises on the stored hash, so one deletion is one finding and later intact entries are not
 * all reported with it.
 */
export function verifyChain(db: Database): ChainReport {
  const problems: ChainBreak[] = [];
  let breaks = 0;
  let entries = 0;
  const found = (b: ChainBreak) => {
    breaks++;
    if (problems.length < MAX_LISTED) problems.push(b);
  };
  let prevId: number | null = null;
  let prevHash = GENESIS;
  for (const r of WALK.iterate(db)) {
    if (r.in_log) entries++;
    const at = r.in_log ? r.at : null;
    const action = r.in_log ? r.action : null;
    if (r.c_hash === null) {
      found({ problem: 'unchained', id: r.id, at, action });
      continue;
    }
    if (r.c_prev !== prevId) {
      found({ problem: 'missing_before', id: r.id, at, action, after: prevId });
    } else if (!r.in_log) {
      found({ problem: 'removed', id: r.id, at: null, action: null });
    } else if (chainHash(prevHash, r) !== r.c_hash) {
      found({ problem: 'altered', id: r.id, at, action });
    }
    prevId = r.id;
    prevHash = r.c_hash;
  }
  return { ok: breaks === 0, entries, head: chainHead(db), problems, breaks };
}

export type AnchorProblem =
  /** the anchored entry is gone: entries were removed at the tail */
  | 'tail_removed'
  /** the chain has the anchored entry with another hash: history up to it was rewritten */
  | 'rewritten';

export interface AnchorCheck {
  ok: boolean;
  problem: AnchorProblem | null;
  anchor: ChainHead;
  head: ChainHead;
}

/** Whether the chain still holds an anchored head (sequence and hash) recorded elsewhere. */
export function checkAnchor(db: Database, anchor: ChainHead): AnchorCheck {
  const head = chainHead(db);
  if (anchor.seq === 0) return { ok: true, problem: null, anchor, head };
  const hash = chainHashAt(db, anchor.seq);
  const problem: AnchorProblem | null = hash === null ? 'tail_removed' : hash === anchor.hash ? null : 'rewritten';
  return { ok: problem === null, problem, anchor, head };
}

const HAS_CHAIN = query<[], { n: number }>(
  "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('audit_chain', 'audit_anchors')",
);

/** Whether the store has the chain (migration 0024); an older store opened read-only has not. */
export function hasChain(db: Database): boolean {
  return HAS_CHAIN.get(db)?.n === 2;
}

const LAST_ANCHOR = query<[], { seq: number; hash: string; at: string }>(
  "SELECT seq, hash, at FROM audit_anchors WHERE place = 'hub' ORDER BY id DESC LIMIT 1",
);
const ADD_ANCHOR = query<[seq: number, hash: string]>(
  "INSERT INTO audit_anchors (place, seq, hash) VALUES ('hub', ?, ?)",
);

/** This PC's copy of the last head the hub accepted (the hub's own record is the one that counts). */
export function lastLocalAnchor(db: Database): (ChainHead & { at: string }) | null {
  return LAST_ANCHOR.get(db) ?? null;
}

export function recordLocalAnchor(db: Database, head: ChainHead): void {
  ADD_ANCHOR.run(db, head.seq, head.hash);
}
