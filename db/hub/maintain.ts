import type { Pool } from 'pg';

/**
 * Change-log compaction, run by the owner role (the service's role cannot delete from the log).
 * Each change carries the whole row, so a change superseded by a later one of the same record tells
 * no PC anything: a PC behind it gets the later one in the same pull, in order. Deleting superseded
 * rows bounds the log by the number of records, which also bounds what a new PC pulls from cursor 0.
 * Safe beside running hubs: only rows with a newer, already committed change go; sequence order holds
 * (the numbers just get gaps).
 */
export async function compactChanges(pool: Pool, branch?: string): Promise<number> {
  const r = await pool.query(
    `DELETE FROM changes c
      WHERE ($1::text IS NULL OR c.branch = $1)
        AND EXISTS (SELECT 1 FROM changes n
                     WHERE n.branch = c.branch AND n.tbl = c.tbl AND n.id = c.id AND n.seq > c.seq)`,
    [branch ?? null],
  );
  return r.rowCount ?? 0;
}
