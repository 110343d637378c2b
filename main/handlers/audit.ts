import { auditLogPage, auditUsers, refLabels } from '../../db/repos/audit-log';
import { describeAudit } from '../audit-details';
import { handlers } from './types';

export const auditHandlers = handlers({
  'audit.list': ({ offset, limit, action, outcome, userId, fromAt, untilAt }, ctx) => {
    const db = ctx.services.db;
    // the trail stores UTC instants as ISO text, which compares in time order
    const iso = (s: string | undefined) => (s ? new Date(s).toISOString() : undefined);
    const { rows, total } = auditLogPage(db, {
      offset,
      limit,
      action,
      outcome,
      userId,
      fromAt: iso(fromAt),
      untilAt: iso(untilAt),
    });
    return { total, rows: describeAudit(rows, (kind, ids) => refLabels(db, kind, ids)) };
  },
  'audit.options': (_input, ctx) => ({ users: auditUsers(ctx.services.db) }),
});
