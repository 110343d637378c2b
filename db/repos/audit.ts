import type { Database } from 'better-sqlite3';

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

export function auditRepo(db: Database) {
  const insert = db.prepare(
    `INSERT INTO audit_log (user_id, username, role, action, outcome, target_type, target_id, details)
     VALUES (@userId, @username, @role, @action, @outcome, @targetType, @targetId, @details)`,
  );
  return {
    write(actor: AuditActor, rec: AuditRecord): void {
      insert.run({
        userId: actor.userId,
        username: actor.username,
        role: actor.role,
        action: rec.action,
        outcome: rec.outcome,
        targetType: rec.targetType ?? null,
        targetId: rec.targetId == null ? null : String(rec.targetId),
        details: rec.details ? JSON.stringify(rec.details) : null,
      });
    },
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
