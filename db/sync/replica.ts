import type { Database } from 'better-sqlite3';
import {
  type Effect,
  MAX_EFFECTS_PER_MUTATION,
  MAX_MUTATION_BYTES,
  type Mutation,
  mutationSchema,
  type PullResponse,
  type PushResult,
} from '../../shared/sync/protocol';
import { query } from '../sql';
import { checkWrite, type RuleRefusal, SYNC_RULES, type SyncActor, type SyncRow } from '../../shared/sync/rules';

/**
 * The workstation's replica of the shared records and its outbox. Local writes go through
 * recordMutation: the optimistic row and the queued mutation are written in ONE SQLite transaction, so
 * a crash leaves either both or neither. A pull is applied in one transaction too, including the rebase
 * (Replicache's model): the hub's rows come in, mutations the hub has processed leave the outbox, the
 * PC's still-pending ones are laid over the new state again, and those the hub refused are re-run
 * through their domain function on that state, or become a 同步冲突 entry.
 */
export type LocalEffect = { table: string; id: string; data: SyncRow } | { table: string; id: string; deleted: true };

export interface LocalMutation {
  name: string;
  args: unknown;
  effects: LocalEffect[];
  /** The signed-in user; their role is checked by the shared rules here and, resolved anew, on the hub. */
  actor?: SyncActor | null;
}

/** Thrown by a domain function that finds the operation no longer valid (the referral was accepted elsewhere). */
export class MutationRefused extends Error {
  constructor(
    readonly reason: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(reason);
    this.name = 'MutationRefused';
  }
}

/** Thrown by recordMutation when an effect breaks the shared write rules (the hub would refuse it too). */
export class SyncRuleError extends Error {
  constructor(readonly refusal: RuleRefusal) {
    super(`sync rule: ${refusal.code} on ${refusal.table}/${refusal.id}${refusal.field ? `.${refusal.field}` : ''}`);
    this.name = 'SyncRuleError';
  }
}

/** Thrown by recordMutation for a mutation the wire cannot carry (too many effects, too big). */
export class SyncShapeError extends Error {
  constructor(
    readonly problem: 'shape' | 'too_large',
    readonly mutation: string,
  ) {
    super(`sync mutation ${mutation}: ${problem}`);
    this.name = 'SyncShapeError';
  }
}

/**
 * A domain operation as the sync layer sees it: from the current replica and its arguments, the rows it
 * writes (it may read, never write, inside). The same function runs when the user acts and again on a
 * rebase after the hub reported a conflict.
 */
export type Mutator = (db: Database, args: unknown, actor: SyncActor | null) => LocalEffect[];
export type Mutators = Readonly<Record<string, Mutator>>;

/**
 * Keeps a local domain table equal to the shown rows of one shared table (row null: gone), inside the
 * same SQLite transaction as the change. This is how the domain tables (referrals, lists, …) will stay
 * plain, indexed SQLite tables that grid joins read at full speed while the replica is the source.
 */
export type Projection = (db: Database, id: string, row: SyncRow | null) => void;
export type Projections = Readonly<Record<string, Projection>>;

// Per store handle, set once when the store is opened: every write path then projects, none can forget.
const projectionsOf = new WeakMap<Database, Projections>();

export function setProjections(db: Database, projections: Projections): void {
  projectionsOf.set(db, projections);
}

function project(db: Database, keys: Iterable<[string, string]>): void {
  const p = projectionsOf.get(db);
  if (!p) return;
  for (const [table, id] of keys) {
    const fn = Object.hasOwn(p, table) ? p[table] : undefined;
    if (!fn) continue;
    const r = readRecord(db, table, id);
    fn(db, id, r && !r.deleted ? r.data : null);
  }
}

/**
 * Told of each new 同步冲突 entry inside the pull's transaction, so the store can audit it atomically
 * with the undo (every outcome is audited). Per store handle, like the projections.
 */
export interface ConflictEvent {
  mutationId: number;
  name: string;
  args: unknown;
  outcome: 'conflict' | 'refused';
  reason: Record<string, unknown>;
  actor: SyncActor | null;
  madeAt: string;
}
export type ConflictListener = (db: Database, c: ConflictEvent) => void;
const conflictListenerOf = new WeakMap<Database, ConflictListener>();

export function setConflictListener(db: Database, fn: ConflictListener): void {
  conflictListenerOf.set(db, fn);
}

/**
 * Effects the hub must have with a local mutation's (db/sync/customer-scope.ts: the scope facts of the
 * customers its effects name that the hub has not had yet, so the hub never holds a record it cannot
 * scope): laid ahead of them in the same mutation, or, when that would be too many effects, queued just
 * before it as mutations `name` of their own (args: { ids }). Per store handle, like the projections.
 */
export interface BeforeRecord {
  name: string;
  effects: (db: Database, effects: readonly LocalEffect[]) => LocalEffect[];
}
const beforeRecordOf = new WeakMap<Database, BeforeRecord>();

export function setBeforeRecord(db: Database, fn: BeforeRecord | null): void {
  if (fn) beforeRecordOf.set(db, fn);
  else beforeRecordOf.delete(db);
}

export interface ReplicaRecord {
  table: string;
  id: string;
  revision: number;
  data: SyncRow | null;
  deleted: boolean;
}

interface RecordRow {
  tbl: string;
  id: string;
  revision: number;
  data: string | null;
  deleted: number;
  server_revision: number;
  server_data: string | null;
  server_deleted: number;
}

interface OutboxRow {
  id: number;
  name: string;
  args: string;
  effects: string;
  status: 'pending' | 'applied' | 'conflict' | 'refused';
  reason: string | null;
  actor: string | null;
  created_at: string;
}

const now = () => new Date().toISOString();

function toRecord(r: RecordRow): ReplicaRecord {
  return {
    table: r.tbl,
    id: r.id,
    revision: r.revision,
    data: r.data ? JSON.parse(r.data) : null,
    deleted: !!r.deleted,
  };
}

// Statements prepared once per store handle (db/sql.ts): a campaign of thousands of entries is one
// readRecord and one overlay per entry, and preparing each time cost more than running them.
const RECORD = query<[table: string, id: string], RecordRow>('SELECT * FROM sync_records WHERE tbl = ? AND id = ?');
const OVERLAY = query<[table: string, id: string, revision: number, data: string | null, deleted: number]>(
  `INSERT INTO sync_records (tbl, id, revision, data, deleted) VALUES (?, ?, ?, ?, ?)
   ON CONFLICT (tbl, id) DO UPDATE SET revision = excluded.revision, data = excluded.data, deleted = excluded.deleted`,
);

export function readRecord(db: Database, table: string, id: string): ReplicaRecord | null {
  const r = RECORD.get(db, table, id);
  return r ? toRecord(r) : null;
}

/** The rows of a table as this PC shows them (deleted ones left out unless asked). */
export function listRecords(db: Database, table: string, opts: { withDeleted?: boolean } = {}): ReplicaRecord[] {
  const rows = db
    .prepare(`SELECT * FROM sync_records WHERE tbl = ? ${opts.withDeleted ? '' : 'AND deleted = 0'} ORDER BY id`)
    .all(table) as RecordRow[];
  return rows.map(toRecord);
}

/**
 * Writes the effects to the replica and queues the mutation, atomically; returns its mutation id. Each
 * effect is based on the revision this PC shows (its own pending writes included), and checked against
 * the shared write rules first, so a write the hub would refuse fails here, at once, with nothing written.
 * An operation with no effects (a derived row another PC already made: its natural key exists) has
 * nothing to tell the hub: nothing is queued and 0 is returned.
 */
export function recordMutation(db: Database, given: LocalMutation): number {
  if (given.effects.length === 0) return 0;
  let m = given;
  return db.transaction(() => {
    // What the hub must have with these effects (the scope facts of the customers they name): in the same
    // mutation, ahead of them, when it fits; else queued just before it, as system work of its own.
    const hook = beforeRecordOf.get(db);
    const pre = hook?.effects(db, m.effects) ?? [];
    if (pre.length > 0 && pre.length + m.effects.length <= MAX_EFFECTS_PER_MUTATION)
      m = { ...m, effects: [...pre, ...m.effects] };
    else
      for (let i = 0; i < pre.length; i += MAX_EFFECTS_PER_MUTATION) {
        const part = pre.slice(i, i + MAX_EFFECTS_PER_MUTATION);
        recordMutation(db, { name: hook!.name, args: { ids: part.map((e) => e.id) }, effects: part, actor: null });
      }
    const { next_mutation_id: id } = db.prepare('SELECT next_mutation_id FROM sync_state WHERE id = 1').get() as {
      next_mutation_id: number;
    };
    const effects: Effect[] = [];
    for (const e of m.effects) {
      const cur = readRecord(db, e.table, e.id);
      const base = cur?.revision ?? 0;
      const before = cur && !cur.deleted ? cur.data : null;
      const after = 'deleted' in e ? null : e.data;
      const refusal = checkWrite(e.table, e.id, before, after, m.actor ?? null, SYNC_RULES, (t, rid) => {
        const r = readRecord(db, t, rid);
        return r && !r.deleted ? r.data : null;
      });
      if (refusal) throw new SyncRuleError(refusal);
      effects.push(
        after === null ? { ...e, baseRevision: base, deleted: true } : { ...e, baseRevision: base, data: after },
      );
      overlay(db, e.table, e.id, after, base + 1);
    }
    // A mutation the hub's schema would reject would block the outbox behind it forever: refuse it now.
    const wire = { id, name: m.name, args: m.args ?? null, effects, ...actorOnWire(m.actor ?? null) };
    if (!fitsWire(wire)) throw new SyncShapeError('shape', m.name);
    if (Buffer.byteLength(JSON.stringify(wire)) > MAX_MUTATION_BYTES) throw new SyncShapeError('too_large', m.name);
    db.prepare(
      "INSERT INTO sync_outbox (id, name, args, effects, status, actor, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
    ).run(
      id,
      m.name,
      JSON.stringify(wire.args),
      JSON.stringify(effects),
      m.actor ? JSON.stringify(m.actor) : null,
      now(),
    );
    db.prepare('UPDATE sync_state SET next_mutation_id = ? WHERE id = 1').run(id + 1);
    project(
      db,
      m.effects.map((e) => [e.table, e.id]),
    );
    return id;
  })();
}

/**
 * What the hub's mutationSchema would say of the mutation, without running zod over every effect (a
 * campaign queues thousands): the envelope is parsed with one effect, the effects checked by hand with
 * the same limits.
 */
function fitsWire(wire: { effects: Effect[] } & Record<string, unknown>): boolean {
  if (wire.effects.length > MAX_EFFECTS_PER_MUTATION) return false;
  if (!mutationSchema.safeParse({ ...wire, effects: wire.effects.slice(0, 1) }).success) return false;
  return wire.effects.every((e) => {
    const len = (v: string, max: number) => v.length >= 1 && v.length <= max;
    if (!len(e.table, 64) || !len(e.id, 200) || !Number.isSafeInteger(e.baseRevision) || e.baseRevision < 0)
      return false;
    if ('deleted' in e) return e.baseRevision >= 1;
    return Object.keys(e.data).every((k) => k.length <= 64);
  });
}

/** Runs a domain operation and records what it writes, in one transaction. */
export function runMutation(
  db: Database,
  mutators: Mutators,
  name: string,
  args: unknown,
  actor: SyncActor | null = null,
): number {
  const fn = mutators[name];
  if (!fn) throw new Error(`no mutator named ${name}`);
  return db.transaction(() => recordMutation(db, { name, args, effects: fn(db, args, actor), actor }))();
}

function overlay(db: Database, table: string, id: string, data: SyncRow | null, revision: number): void {
  OVERLAY.run(db, table, id, revision, data === null ? null : JSON.stringify(data), data === null ? 1 : 0);
}

/** Who acted, as the wire names them: username, role and employee number (the hub checks them). */
function actorOnWire(a: SyncActor | null): Pick<Mutation, 'userId' | 'role' | 'staff'> {
  if (!a) return {};
  return { userId: a.userId, role: a.role, ...(a.staff !== undefined ? { staff: a.staff } : {}) };
}

/** Mutations to push, oldest first. */
export function pendingMutations(db: Database, limit: number): Mutation[] {
  const rows = db
    .prepare("SELECT id, name, args, effects, actor FROM sync_outbox WHERE status = 'pending' ORDER BY id LIMIT ?")
    .all(limit) as OutboxRow[];
  return rows.map((r) => {
    const actor = r.actor ? (JSON.parse(r.actor) as SyncActor) : null;
    return { id: r.id, name: r.name, args: JSON.parse(r.args), effects: JSON.parse(r.effects), ...actorOnWire(actor) };
  });
}

/** Pending mutations (queued, not yet processed by the hub), for the status line. */
export function queuedCount(db: Database): number {
  return (db.prepare("SELECT count(*) AS n FROM sync_outbox WHERE status = 'pending'").get() as { n: number }).n;
}

/** Records the hub's answers to a push; a duplicate counts as its first outcome. */
export function markPushResults(db: Database, results: PushResult[]): void {
  const st = db.prepare('UPDATE sync_outbox SET status = ?, reason = ? WHERE id = ?');
  db.transaction(() => {
    for (const r of results) {
      const outcome = r.outcome === 'duplicate' ? (r.first ?? 'applied') : r.outcome;
      st.run(outcome, r.reason ? JSON.stringify(r.reason) : null, r.id);
    }
  })();
}

export interface RebaseReport {
  /** Mutations the hub had processed that left the outbox. */
  settled: number;
  /** Refused mutations re-run as new ones on the fresh state. */
  rerun: number;
  /** Mutations that became 同步冲突 entries. */
  conflicts: number;
}

/**
 * Applies one page of a pull, in one transaction. Only the last page (more = false) settles the outbox:
 * the hub read the PC's last processed id before the changes, so by then every processed mutation's
 * rows have arrived.
 */
export function applyPull(db: Database, pull: PullResponse, mutators: Mutators): RebaseReport {
  return db.transaction(() => {
    const touched = new Map<string, [string, string]>();
    const touch = (t: string, id: string) => touched.set(`${t}\u0000${id}`, [t, id]);
    const upsert = db.prepare(
      `INSERT INTO sync_records (tbl, id, revision, data, deleted, server_revision, server_data, server_deleted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tbl, id) DO UPDATE SET server_revision = excluded.server_revision,
         server_data = excluded.server_data, server_deleted = excluded.server_deleted`,
    );
    // Pulling again from the start after the scope grew (schema.ts notePullScope): a change up to the old
    // cursor is applied only where it is newer than the record held, so nothing held goes back in time.
    const replayUpTo = (db.prepare('SELECT replay_upto FROM sync_state WHERE id = 1').pluck().get() as number) ?? 0;
    const held = db.prepare('SELECT server_revision FROM sync_records WHERE tbl = ? AND id = ?').pluck();
    for (const c of pull.changes) {
      if (c.seq <= replayUpTo && ((held.get(c.table, c.id) as number | undefined) ?? 0) >= c.revision) continue;
      const data = c.data === null ? null : JSON.stringify(c.data);
      upsert.run(c.table, c.id, c.revision, data, c.deleted ? 1 : 0, c.revision, data, c.deleted ? 1 : 0);
      touch(c.table, c.id);
    }
    db.prepare(
      'UPDATE sync_state SET cursor = ?, last_sync_at = ?, replay_upto = CASE WHEN ? >= replay_upto THEN 0 ELSE replay_upto END WHERE id = 1',
    ).run(pull.cursor, now(), pull.cursor);
    const report: RebaseReport = { settled: 0, rerun: 0, conflicts: 0 };
    if (pull.more) {
      rebuild(db, touched, pull.lastMutationId, true);
      project(db, touched.values());
      return report;
    }

    const processed = db
      .prepare("SELECT * FROM sync_outbox WHERE id <= ? AND status <> 'pending' ORDER BY id")
      .all(pull.lastMutationId) as OutboxRow[];
    // Entries the hub processed whose answer we never got (a push cut off) stay until a re-push tells.
    const unanswered = db
      .prepare("SELECT effects FROM sync_outbox WHERE id <= ? AND status = 'pending'")
      .all(pull.lastMutationId) as { effects: string }[];
    for (const r of [...processed, ...unanswered])
      for (const e of JSON.parse(r.effects) as Effect[]) touch(e.table, e.id);
    db.prepare("DELETE FROM sync_outbox WHERE id <= ? AND status <> 'pending'").run(pull.lastMutationId);
    report.settled = processed.length;
    rebuild(db, touched, pull.lastMutationId);
    // Before the re-runs: each of those projects its own rows through recordMutation.
    project(db, touched.values());

    for (const r of processed) {
      if (r.status === 'applied') continue;
      const args = JSON.parse(r.args) as unknown;
      const actor = r.actor ? (JSON.parse(r.actor) as SyncActor) : null;
      const fn = mutators[r.name];
      let reason: Record<string, unknown> = r.reason ? JSON.parse(r.reason) : {};
      if (r.status === 'conflict' && fn) {
        try {
          // A savepoint: a domain function that throws halfway leaves nothing behind.
          db.transaction(() => recordMutation(db, { name: r.name, args, effects: fn(db, args, actor), actor }))();
          report.rerun += 1;
          continue;
        } catch (err) {
          if (err instanceof MutationRefused) reason = { ...reason, refused: err.reason, ...err.details };
          else if (err instanceof SyncRuleError) reason = { ...reason, rule: err.refusal };
          else throw err;
        }
      }
      db.prepare(
        'INSERT INTO sync_conflicts (mutation_id, name, args, outcome, reason, made_at, at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(r.id, r.name, r.args, r.status, JSON.stringify(reason), r.created_at, now(), r.actor);
      conflictListenerOf.get(db)?.(db, {
        mutationId: r.id,
        name: r.name,
        args,
        outcome: r.status as 'conflict' | 'refused',
        reason,
        actor,
        madeAt: r.created_at,
      });
      report.conflicts += 1;
    }
    return report;
  })();
}

/**
 * Recomputes the shown rows of `touched` plus every row a pending mutation writes: the hub's record,
 * then this PC's mutations the hub has not processed (above `lastProcessed`) laid over it in order.
 * On a page that is not the last (`partial`), mutations the hub has processed may still have their
 * rows in a later page: those are laid over too where the hub's row has not yet reached their
 * revision, so a long catch-up never shows the PC's own write vanishing and coming back.
 */
function rebuild(db: Database, touched: Map<string, [string, string]>, lastProcessed: number, partial = false): void {
  const rows = db
    .prepare(
      `SELECT id, status, effects FROM sync_outbox
        WHERE (id > ? AND status = 'pending') OR (? AND status IN ('pending', 'applied')) ORDER BY id`,
    )
    .all(lastProcessed, partial ? 1 : 0) as { id: number; status: string; effects: string }[];
  const serverRevision = db.prepare('SELECT server_revision FROM sync_records WHERE tbl = ? AND id = ?').pluck();
  const overlays = rows.flatMap((r) =>
    (JSON.parse(r.effects) as Effect[]).filter(
      (e) =>
        r.id > lastProcessed || ((serverRevision.get(e.table, e.id) as number | undefined) ?? 0) < e.baseRevision + 1,
    ),
  );
  for (const e of overlays) touched.set(`${e.table}\u0000${e.id}`, [e.table, e.id]);
  const reset = db.prepare(
    `UPDATE sync_records SET revision = server_revision, data = server_data, deleted = server_deleted
      WHERE tbl = ? AND id = ?`,
  );
  for (const [t, id] of touched.values()) reset.run(t, id);
  for (const e of overlays) overlay(db, e.table, e.id, 'deleted' in e ? null : e.data, e.baseRevision + 1);
  // A row nobody has on the hub and no pending mutation writes any more (its create was refused) goes.
  db.prepare('DELETE FROM sync_records WHERE server_revision = 0 AND revision = 0').run();
}

export interface SyncConflict {
  id: number;
  mutationId: number;
  name: string;
  args: unknown;
  outcome: 'conflict' | 'refused';
  reason: Record<string, unknown>;
  madeAt: string;
  at: string;
  /** Who acted (null: system work, or an entry from before schema 2). */
  actor: SyncActor | null;
}

export function listConflicts(db: Database): SyncConflict[] {
  const rows = db.prepare('SELECT * FROM sync_conflicts ORDER BY id').all() as {
    id: number;
    mutation_id: number;
    name: string;
    args: string;
    outcome: 'conflict' | 'refused';
    reason: string;
    made_at: string;
    at: string;
    actor: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    mutationId: r.mutation_id,
    name: r.name,
    args: JSON.parse(r.args),
    outcome: r.outcome,
    reason: JSON.parse(r.reason),
    madeAt: r.made_at,
    at: r.at,
    actor: r.actor ? (JSON.parse(r.actor) as SyncActor) : null,
  }));
}
