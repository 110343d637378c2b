/**
 * Reverting a committed import job: rows it inserted are deleted, rows it updated get their
 * before-images back, history and manager assignments it wrote are undone, and the customer figures
 * and summaries follow, all in one transaction. Only the most recent committed job can be reverted
 * (a later job may have built on this one's rows); revert later jobs first.
 */
import type { Database } from 'better-sqlite3';
import { recordColumnChanges } from '../../../db/customer-columns-delta';
import { writeAudit } from '../../../db/repos/audit';
import { beginAffected, recomputeAndAddAffected, subtractAffected } from '../../../db/summaries';
import { reportingRevertAfter, reportingRevertBefore } from '../../../db/reporting/maintain';
import type { ImportKind } from '../../../shared/imports';
import { JobError } from './job';
import { KINDS } from './kinds';

export interface RevertResult {
  jobId: number;
  deleted: number;
  restored: number;
}

export function revertJob(
  db: Database,
  jobId: number,
  by: { userId: number | null; username: string | null; role: string | null },
  now = new Date(),
): RevertResult {
  const job = db.prepare('SELECT id, kind, status FROM import_jobs WHERE id = ?').get(jobId) as
    | { id: number; kind: ImportKind; status: string }
    | undefined;
  if (!job) throw new JobError('IMPORT_REVERT_BLOCKED', { jobId, reason: 'not_found' });
  if (job.status !== 'committed')
    throw new JobError('IMPORT_REVERT_BLOCKED', { jobId, reason: 'not_committed', status: job.status });
  const later = db
    .prepare(`SELECT id FROM import_jobs WHERE id > ? AND status = 'committed' ORDER BY id LIMIT 1`)
    .get(jobId) as { id: number } | undefined;
  if (later) throw new JobError('IMPORT_REVERT_BLOCKED', { jobId, reason: 'later_job', laterJob: later.id });

  const spec = KINDS[job.kind];
  const t = spec.table;
  const allowed = new Set([...spec.columns.map((c) => c.column), 'customer_id', 'name_initials', 'last_job_id']);
  const run = db.transaction((): RevertResult => {
    let deleted = 0;
    let restored = 0;
    // What this changes for the grid's columns, so they are updated from it instead of built again.
    const columns = recordColumnChanges(db);
    reportingRevertBefore(db, job.kind, jobId);
    const touchesCustomers = spec.kind === 'customers' || spec.figuresOf !== undefined;
    if (touchesCustomers) {
      beginAffected(db);
      const col = spec.kind === 'customers' ? 'id' : 'customer_id';
      db.prepare(`INSERT OR IGNORE INTO temp.affected_customers SELECT ${col} FROM ${t} WHERE created_job_id = ?`).run(
        jobId,
      );
      db.prepare(
        `INSERT OR IGNORE INTO temp.affected_customers SELECT x.${col} FROM import_changes c JOIN ${t} x ON x.id = c.row_id WHERE c.job_id = ? AND c.tbl = ?`,
      ).run(jobId, t);
      if (spec.kind !== 'customers') {
        db.prepare(
          `INSERT OR IGNORE INTO temp.affected_customers SELECT json_extract(before, '$.customer_id') FROM import_changes
           WHERE job_id = ? AND tbl = ? AND json_extract(before, '$.customer_id') IS NOT NULL`,
        ).run(jobId, t);
      }
      subtractAffected(db);
    }

    if (spec.kind === 'customers') {
      db.prepare('DELETE FROM manager_assignments WHERE created_job_id = ?').run(jobId);
      for (const r of db
        .prepare(`SELECT row_id, before FROM import_changes WHERE job_id = ? AND tbl = 'manager_assignments'`)
        .all(jobId) as { row_id: number; before: string }[]) {
        db.prepare('UPDATE manager_assignments SET to_date = ? WHERE id = ?').run(
          (JSON.parse(r.before) as { to_date: string | null }).to_date,
          r.row_id,
        );
      }
      db.prepare('DELETE FROM customer_changes WHERE source = ?').run(`import:${jobId}`);
    }

    if (spec.tracked) {
      for (const r of db
        .prepare('SELECT row_id, before FROM import_changes WHERE job_id = ? AND tbl = ?')
        .all(jobId, t) as { row_id: number; before: string }[]) {
        const before = JSON.parse(r.before) as Record<string, string | number | null>;
        const cols = Object.keys(before).filter((c) => allowed.has(c));
        if (cols.length === 0) continue;
        // Column names come from the kind's whitelist above, never from the stored JSON alone.
        db.prepare(`UPDATE ${t} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(
          ...cols.map((c) => before[c] ?? null),
          r.row_id,
        );
        restored++;
      }
      try {
        deleted = db.prepare(`DELETE FROM ${t} WHERE created_job_id = ?`).run(jobId).changes;
      } catch (e) {
        if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT'))
          throw new JobError('IMPORT_REVERT_BLOCKED', { jobId, reason: 'in_use' });
        throw e;
      }
    } else {
      for (const r of db
        .prepare('SELECT account_id, on_date, before_fen FROM import_balance_changes WHERE job_id = ?')
        .all(jobId) as { account_id: number; on_date: string; before_fen: number | null }[]) {
        if (r.before_fen === null) {
          db.prepare('DELETE FROM daily_balances WHERE account_id = ? AND on_date = ?').run(r.account_id, r.on_date);
          deleted++;
        } else {
          db.prepare('UPDATE daily_balances SET balance_fen = ? WHERE account_id = ? AND on_date = ?').run(
            r.before_fen,
            r.account_id,
            r.on_date,
          );
          restored++;
        }
      }
    }

    if (touchesCustomers) recomputeAndAddAffected(db);
    reportingRevertAfter(db, job.kind, jobId);
    db.prepare(`UPDATE import_jobs SET status = 'reverted', reverted_at = ?, reverted_by = ? WHERE id = ?`).run(
      now.toISOString(),
      by.userId,
      jobId,
    );
    writeAudit(db, by, {
      action: 'imports.revert',
      outcome: 'ok',
      targetType: 'import_job',
      targetId: jobId,
      details: { kind: job.kind, deleted, restored },
    });
    columns?.beforeCommit(jobId);
    return { jobId, deleted, restored };
  });
  return run.immediate();
}

/** Start-up: jobs left 'running' by a process that died are marked failed (their transaction never committed). */
export function markInterrupted(db: Database, now = new Date()): number {
  return db
    .prepare(
      `UPDATE import_jobs SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('running', 'queued')`,
    )
    .run(JSON.stringify({ code: 'IMPORT_INTERRUPTED', details: {} }), now.toISOString()).changes;
}
