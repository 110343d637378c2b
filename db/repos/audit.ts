import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';

export interface AuditActor {
  userId: number | null;
  username: string | null;
  role: string | null;
}

export interface AuditRecord {
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  targetType?: string | null;
  targetId?: string | number | null;
  details?: Record<string, unknown> | null;
}

export interface AuditRow {
  id: number;
  at: string;
  user_id: number | null;
  username: string | null;
  role: string | null;
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  target_type: string | null;
  target_id: string | null;
  details: string | null;
}

export interface AuditFilter {
  offset: number;
  limit: number;
  action?: string | undefined;
  outcome?: 'ok' | 'denied' | 'failed' | undefined;
}

const INSERT = `INSERT INTO audit_log (at, user_id, username, role, action, outcome, target_type, target_id, details)
     VALUES (@at, @userId, @username, @role, @action, @outcome, @targetType, @targetId, @details)`;

function auditRow(actor: AuditActor, rec: AuditRecord): Record<string, unknown> {
  return {
    at: new Date().toISOString(),
    userId: actor.userId,
    username: actor.username,
    role: actor.role,
    action: rec.action,
    outcome: rec.outcome,
    targetType: rec.targetType ?? null,
    targetId: rec.targetId == null ? null : String(rec.targetId),
    details: rec.details ? JSON.stringify(rec.details) : null,
  };
}

/**
 * One entry written now on the caller's connection, for writers inside their own transaction (an
 * import job, a revert): the entry commits or rolls back with their work, and a failure throws
 * rather than being deferred, as the caller already holds the write lock.
 */
export function writeAudit(db: Database, actor: AuditActor, rec: AuditRecord): void {
  db.prepare(INSERT).run(auditRow(actor, rec));
}

/**
 * Acts whose record is a condition of the act itself: unmasking identifiers and handing data out of
 * the store. If the entry cannot be written now (an import holds the write lock past the busy
 * timeout), the act is refused instead of being recorded later from memory, which a crash would lose.
 * Their handlers write the entry before they return the data.
 */
export const MUST_RECORD: ReadonlySet<string> = new Set([
  'customers.reveal',
  'exports.start',
  'files.save',
  'reports.export',
  'desktop.export',
  'campaigns.export',
  'imports.preview',
  'imports.rejectsDownload',
]);

export function auditRepo(db: Database) {
  const insert = db.prepare(INSERT);
  // Entries that could not be written because an import job held the write lock; written, with
  // their original time, as soon as the lock is free (flushPending). Never dropped silently.
  const pending: Record<string, unknown>[] = [];
  const flush = (): number => {
    if (pending.length === 0) return 0;
    const n = pending.length;
    db.transaction(() => {
      for (const p of pending) insert.run(p);
    })();
    pending.splice(0, n);
    return n;
  };
  return {
    write(actor: AuditActor, rec: AuditRecord): void {
      const row = auditRow(actor, rec);
      try {
        if (pending.length > 0) flush();
        insert.run(row);
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
        if (MUST_RECORD.has(rec.action)) throw new AppError('IMPORT_STORE_BUSY', { reason: 'audit' });
        pending.push(row);
      }
    },
    /** Writes entries deferred while the store was busy; returns how many. Throws SQLITE_BUSY if still busy. */
    flushPending: flush,
    pendingCount: () => pending.length,
    list(f: AuditFilter): { rows: AuditRow[]; total: number } {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (f.action) {
        where.push('action = ?');
        params.push(f.action);
      }
      if (f.outcome) {
        where.push('outcome = ?');
        params.push(f.outcome);
      }
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (db.prepare(`SELECT COUNT(*) AS n FROM audit_log ${w}`).get(...params) as { n: number }).n;
      const rows = db
        .prepare(`SELECT * FROM audit_log ${w} ORDER BY id DESC LIMIT ? OFFSET ?`)
        .all(...params, f.limit, f.offset) as AuditRow[];
      return { rows, total };
    },
  };
}
export type AuditRepo = ReturnType<typeof auditRepo>;
