import type { Pool, PoolClient } from 'pg';
import type { AnchorPush, AnchorPushResponse, AnchorState, HubAnchor } from '../../shared/sync/audit-anchor';
import type { PcIdentity } from './enrol';

/**
 * The audit chain anchors of the branch's PCs (hub migration 0007; the protocol is
 * shared/sync/audit-anchor.ts). A head is accepted when the PC's witness shows its chain still holds the
 * latest accepted anchor and the head is not behind it; otherwise it is kept as refused and the refusal is
 * written to the hub's audit, where the PC's user cannot reach it.
 */

// Namespace of the two-key advisory locks: one PC's anchors are decided one at a time (push.ts uses 1).
const ANCHOR_LOCK_SPACE = 2;

interface AnchorRow {
  seq: string;
  hash: string;
  received_at: Date;
}

function toAnchor(r: AnchorRow | undefined): HubAnchor | null {
  return r ? { seq: Number(r.seq), hash: r.hash, receivedAt: r.received_at.toISOString() } : null;
}

async function latest(c: Pool | PoolClient, pc: PcIdentity): Promise<HubAnchor | null> {
  const r = await c.query<AnchorRow>(
    `SELECT seq, hash, received_at FROM audit_anchors
      WHERE branch = $1 AND pc_id = $2 AND accepted ORDER BY id DESC LIMIT 1`,
    [pc.branch, pc.pcId],
  );
  return toAnchor(r.rows[0]);
}

export async function anchorState(pool: Pool, pc: PcIdentity, opts: { all?: boolean } = {}): Promise<AnchorState> {
  const refused = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM audit_anchors WHERE branch = $1 AND pc_id = $2 AND NOT accepted',
    [pc.branch, pc.pcId],
  );
  const state: AnchorState = { latest: await latest(pool, pc), refused: refused.rows[0]?.n ?? 0 };
  if (opts.all) {
    const r = await pool.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_anchors WHERE branch = $1 AND pc_id = $2 AND accepted ORDER BY id',
      [pc.branch, pc.pcId],
    );
    state.anchors = r.rows.map((x) => ({ seq: Number(x.seq), hash: x.hash }));
  }
  return state;
}

export async function recordAnchor(pool: Pool, pc: PcIdentity, push: AnchorPush): Promise<AnchorPushResponse> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ANCHOR_LOCK_SPACE, `${pc.branch}:${pc.pcId}`]);
    const last = await latest(c, pc);
    const { head, witness } = push;
    let reason: AnchorPushResponse['reason'];
    if (last) {
      if (!witness || witness.seq !== last.seq || witness.hash !== last.hash) reason = 'witness_mismatch';
      else if (head.seq < last.seq) reason = 'behind';
      else if (head.seq === last.seq && head.hash === last.hash) {
        // Nothing new since the last anchor: nothing to keep.
        await c.query('COMMIT');
        return { accepted: true, latest: last };
      }
    }
    const ins = await c.query<AnchorRow>(
      `INSERT INTO audit_anchors (branch, pc_id, seq, hash, accepted, reason) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING seq, hash, received_at`,
      [pc.branch, pc.pcId, head.seq, head.hash, reason === undefined, reason ?? null],
    );
    if (reason) {
      await c.query("INSERT INTO audit (branch, pc_id, action, detail) VALUES ($1, $2, 'audit_anchor.refused', $3)", [
        pc.branch,
        pc.pcId,
        JSON.stringify({ reason, head, witness, latest: last && { seq: last.seq, hash: last.hash } }),
      ]);
    }
    await c.query('COMMIT');
    return reason ? { accepted: false, reason, latest: last } : { accepted: true, latest: toAnchor(ins.rows[0]) };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

export interface PcAnchorSummary {
  pcId: string;
  name: string;
  latest: HubAnchor | null;
  refused: number;
}

/** Each enrolled PC's latest anchor and refused claims, for the hub's administrator (`npm run hub -- pcs`). */
export async function branchAnchors(pool: Pool, branch: string): Promise<PcAnchorSummary[]> {
  const r = await pool.query<{
    pc_id: string;
    name: string;
    seq: string | null;
    hash: string | null;
    received_at: Date | null;
    refused: number;
  }>(
    `SELECT p.pc_id, p.name, a.seq, a.hash, a.received_at,
            (SELECT count(*)::int FROM audit_anchors x WHERE x.branch = p.branch AND x.pc_id = p.pc_id AND NOT x.accepted) AS refused
       FROM pcs p
       LEFT JOIN LATERAL (SELECT seq, hash, received_at FROM audit_anchors a
                           WHERE a.branch = p.branch AND a.pc_id = p.pc_id AND a.accepted ORDER BY a.id DESC LIMIT 1) a ON true
      WHERE p.branch = $1 ORDER BY p.enrolled_at`,
    [branch],
  );
  return r.rows.map((x) => ({
    pcId: x.pc_id,
    name: x.name,
    latest: x.seq === null ? null : toAnchor({ seq: x.seq, hash: x.hash!, received_at: x.received_at! }),
    refused: x.refused,
  }));
}
