import type { Pool, PoolClient } from 'pg';
import type { Change, Mutation, PullResponse, PushResult } from '../../shared/sync/protocol';
import { PULL_PAGE } from '../../shared/sync/protocol';
import { checkWrite, type SyncActor } from '../../shared/sync/rules';
import type { PcIdentity } from './enrol';

/**
 * Applying pushed mutations and serving pulls. Each mutation is one PostgreSQL transaction that first
 * takes the branch's transaction-scoped advisory lock. That lock does two jobs:
 * - commit order: change-log sequence numbers are handed out (branches.last_seq) and become visible in
 *   the same order, because the next writer of the branch waits until this one has committed. A plain
 *   BIGSERIAL would not do: two transactions can take 3 and 4 and commit 4 first, and a PC that pulled
 *   up to 4 would never see 3;
 * - revision checks without races: no other write to the branch runs between the check and the write.
 * A branch makes a few thousand mutations a day, so serialising its writes costs nothing measurable;
 * branches do not wait for each other.
 */

// Namespace of the two-key advisory locks (distinct from the one-key space the migrator uses).
const BRANCH_LOCK_SPACE = 1;

type Row = Record<string, unknown>;

async function lockBranch(c: PoolClient, branch: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BRANCH_LOCK_SPACE, branch]);
}

/** Test seam: runs inside the transaction after the writes, before COMMIT (e.g. a deliberate delay). */
export type BeforeCommit = (c: PoolClient, m: Mutation) => Promise<void>;

export async function applyMutation(
  pool: Pool,
  pc: PcIdentity,
  m: Mutation,
  opts: { actor?: SyncActor | null; beforeCommit?: BeforeCommit } = {},
): Promise<PushResult> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await lockBranch(c, pc.branch);
    const pcRow = await c.query('SELECT last_mutation_id FROM pcs WHERE branch = $1 AND pc_id = $2 FOR UPDATE', [
      pc.branch,
      pc.pcId,
    ]);
    const last = Number(pcRow.rows[0].last_mutation_id);
    if (m.id <= last) {
      const first = await c.query(
        'SELECT outcome FROM mutations WHERE branch = $1 AND pc_id = $2 AND mutation_id = $3',
        [pc.branch, pc.pcId, m.id],
      );
      await c.query('COMMIT');
      // No row: an id below the last that was never sent (the PC skipped it); nothing to apply either way.
      return { id: m.id, outcome: 'duplicate', ...(first.rows[0] ? { first: first.rows[0].outcome } : {}) };
    }

    const verdict = await judge(c, pc, m, opts.actor ?? null);
    if (verdict.outcome === 'applied') await write(c, pc, m, verdict.revisions);
    await c.query(
      `INSERT INTO mutations (branch, pc_id, mutation_id, name, args, outcome, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [pc.branch, pc.pcId, m.id, m.name, JSON.stringify(m.args ?? null), verdict.outcome, verdict.reason ?? null],
    );
    await c.query('UPDATE pcs SET last_mutation_id = $3, last_sync_at = now() WHERE branch = $1 AND pc_id = $2', [
      pc.branch,
      pc.pcId,
      m.id,
    ]);
    await opts.beforeCommit?.(c, m);
    await c.query('COMMIT');
    return verdict.reason
      ? { id: m.id, outcome: verdict.outcome, reason: verdict.reason }
      : { id: m.id, outcome: verdict.outcome };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

type Verdict =
  | { outcome: 'applied'; revisions: number[]; reason?: undefined }
  | { outcome: 'conflict' | 'refused'; reason: Record<string, unknown> };

/** Conflict when a record's revision moved since the PC read it; refused when a write rule says no. */
async function judge(c: PoolClient, pc: PcIdentity, m: Mutation, actor: SyncActor | null): Promise<Verdict> {
  const seen = new Set<string>();
  const revisions: number[] = [];
  for (const e of m.effects) {
    const key = `${e.table}\u0000${e.id}`;
    if (seen.has(key)) return { outcome: 'refused', reason: { code: 'duplicate_effect', table: e.table, id: e.id } };
    seen.add(key);
    const r = await c.query('SELECT revision, data, deleted FROM records WHERE branch = $1 AND tbl = $2 AND id = $3', [
      pc.branch,
      e.table,
      e.id,
    ]);
    const cur = r.rows[0] as { revision: string; data: Row | null; deleted: boolean } | undefined;
    const revision = cur ? Number(cur.revision) : 0;
    if (e.baseRevision !== revision)
      return {
        outcome: 'conflict',
        reason: { table: e.table, id: e.id, baseRevision: e.baseRevision, revision },
      };
    const before = cur && !cur.deleted ? cur.data : null;
    const after = 'deleted' in e ? null : e.data;
    const refusal = checkWrite(e.table, e.id, before, after, actor);
    if (refusal) return { outcome: 'refused', reason: { ...refusal } };
    revisions.push(revision + 1);
  }
  return { outcome: 'applied', revisions };
}

async function write(c: PoolClient, pc: PcIdentity, m: Mutation, revisions: number[]): Promise<void> {
  const seq = await c.query('UPDATE branches SET last_seq = last_seq + $2 WHERE branch = $1 RETURNING last_seq', [
    pc.branch,
    m.effects.length,
  ]);
  let next = Number(seq.rows[0].last_seq) - m.effects.length;
  for (const [i, e] of m.effects.entries()) {
    const deleted = 'deleted' in e;
    const data = deleted ? null : JSON.stringify(e.data);
    const revision = revisions[i]!;
    next += 1;
    await c.query(
      `INSERT INTO records (branch, tbl, id, revision, data, deleted, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (branch, tbl, id) DO UPDATE
         SET revision = EXCLUDED.revision, data = EXCLUDED.data, deleted = EXCLUDED.deleted,
             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [pc.branch, e.table, e.id, revision, data, deleted, pc.pcId],
    );
    await c.query(
      `INSERT INTO changes (branch, seq, tbl, id, revision, data, deleted, pc_id, mutation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [pc.branch, next, e.table, e.id, revision, data, deleted, pc.pcId, m.id],
    );
  }
}

/**
 * Changes of the PC's branch after `cursor`, in commit order. The PC's last processed mutation id is
 * read FIRST: every mutation at or below it has committed, so its changes are in the page(s) that
 * follow, and the PC may drop those outbox entries once it has pulled to the end (more = false).
 */
export async function pullChanges(
  pool: Pool,
  pc: PcIdentity,
  cursor: number,
  limit = PULL_PAGE,
): Promise<PullResponse> {
  const last = await pool.query(
    'UPDATE pcs SET last_sync_at = now() WHERE branch = $1 AND pc_id = $2 RETURNING last_mutation_id',
    [pc.branch, pc.pcId],
  );
  const r = await pool.query(
    `SELECT seq, tbl, id, revision, data, deleted FROM changes
      WHERE branch = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [pc.branch, cursor, limit + 1],
  );
  const more = r.rows.length > limit;
  const changes: Change[] = r.rows.slice(0, limit).map((x) => ({
    seq: Number(x.seq),
    table: x.tbl,
    id: x.id,
    revision: Number(x.revision),
    data: x.data,
    deleted: x.deleted,
  }));
  return {
    changes,
    cursor: changes.at(-1)?.seq ?? cursor,
    more,
    lastMutationId: Number(last.rows[0].last_mutation_id),
  };
}

export async function lastMutationId(pool: Pool, pc: PcIdentity): Promise<number> {
  const r = await pool.query('SELECT last_mutation_id FROM pcs WHERE branch = $1 AND pc_id = $2', [pc.branch, pc.pcId]);
  return Number(r.rows[0]?.last_mutation_id ?? 0);
}
