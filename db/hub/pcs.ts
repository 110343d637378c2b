import type { Pool } from 'pg';

/** An enrolled PC as the branch's administrator sees it (issue 16, point 8). */
export interface PcRow {
  pcId: string;
  name: string;
  enrolledAt: string;
  lastSyncAt: string | null;
  lastMutationId: number;
  queued: number | null;
  revoked: boolean;
}

/** The branch's PCs, active first, by name. */
export async function listPcs(pool: Pool, branch: string): Promise<PcRow[]> {
  const r = await pool.query(
    `SELECT pc_id, name, enrolled_at, last_sync_at, last_mutation_id, queued, revoked_at IS NOT NULL AS revoked
       FROM pcs WHERE branch = $1 ORDER BY revoked_at IS NOT NULL, name, enrolled_at`,
    [branch],
  );
  return r.rows.map((x) => ({
    pcId: x.pc_id,
    name: x.name,
    enrolledAt: (x.enrolled_at as Date).toISOString(),
    lastSyncAt: x.last_sync_at ? (x.last_sync_at as Date).toISOString() : null,
    lastMutationId: Number(x.last_mutation_id),
    queued: x.queued === null ? null : Number(x.queued),
    revoked: x.revoked,
  }));
}

/** A PC leaving of its own accord: its key stops working at once. Audited as pc.left. */
export async function revokePcSelf(pool: Pool, pc: { branch: string; pcId: string }): Promise<void> {
  const r = await pool.query(
    'UPDATE pcs SET revoked_at = now() WHERE branch = $1 AND pc_id = $2 AND revoked_at IS NULL',
    [pc.branch, pc.pcId],
  );
  if (r.rowCount === 1)
    await pool.query("INSERT INTO audit (branch, pc_id, action) VALUES ($1, $2, 'pc.left')", [pc.branch, pc.pcId]);
}
