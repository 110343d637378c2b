import { auditLogPage, auditUsers, refLabels } from '../../db/repos/audit-log';
import { describeAudit } from '../audit-details';
import { handlers } from './types';

/** The start of a local calendar day as an ISO instant (the trail stores UTC; the page filters by local days). */
function localDayStart(date: string, plusDays = 0): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays).toISOString();
}

export const auditHandlers = handlers({
  'audit.list': ({ offset, limit, action, outcome, userId, from, to }, ctx) => {
    const db = ctx.services.db;
    const { rows, total } = auditLogPage(db, {
      offset,
      limit,
      action,
      outcome,
      userId,
      fromAt: from ? localDayStart(from) : undefined,
      untilAt: to ? localDayStart(to, 1) : undefined,
    });
    return { total, rows: describeAudit(rows, (kind, ids) => refLabels(db, kind, ids)) };
  },
  'audit.options': (_input, ctx) => ({ users: auditUsers(ctx.services.db) }),
});
