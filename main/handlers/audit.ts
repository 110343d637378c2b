import { listAudit } from '../../db/repos/audit';
import { handlers } from './types';

export const auditHandlers = handlers({
  'audit.list': ({ offset, limit, action, outcome }, ctx) => {
    const { rows, total } = listAudit(ctx.services.db, { offset, limit, action, outcome });
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        at: r.at,
        username: r.username,
        role: r.role,
        action: r.action,
        outcome: r.outcome,
        targetType: r.target_type,
        targetId: r.target_id,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      })),
    };
  },
});
