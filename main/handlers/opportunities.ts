import { yuanToFen } from '../../shared/money';
import { AppError } from '../../shared/errors';
import {
  createOpportunity,
  funnel,
  getOpportunity,
  listOpportunities,
  moveOpportunity,
  opportunityHistory,
  opportunityScope,
} from '../../db/relationship/opportunities';
import { listRules, previewRule, runRules, saveRule } from '../../db/relationship/rules';
import { branchTree } from '../../db/scope';
import { handlers, type AuthedCtx } from './types';

function fen(yuan: string | undefined | null): number | null | undefined {
  if (yuan === undefined) return undefined;
  if (yuan === null) return null;
  return Number(yuanToFen(yuan));
}

/** Managers (active) of the president's branch and its outlets: who an opportunity may be given to. */
function branchManagers(ctx: AuthedCtx): { staffId: number; name: string }[] {
  if (ctx.user.branch_id == null) return [];
  const ids = branchTree(ctx.services.db, ctx.user.branch_id);
  return ctx.services.db
    .prepare(
      `SELECT id AS staffId, name FROM staff WHERE position = 'manager' AND active = 1 AND branch_id IN (${ids.map(() => '?').join(',')}) ORDER BY employee_no`,
    )
    .all(...ids) as { staffId: number; name: string }[];
}

export const opportunitiesHandlers = handlers({
  'opportunities.list': ({ filter, offset, limit }, ctx) =>
    listOpportunities(ctx.services.db, opportunityScope(ctx.scope()), filter, offset, limit),

  'opportunities.get': ({ id }, ctx) => {
    const opportunity = getOpportunity(ctx.services.db, opportunityScope(ctx.scope()), id);
    return { opportunity, history: opportunityHistory(ctx.services.db, id) };
  },

  'opportunities.create': ({ customerId, product, amount, dueOn, title, note }, ctx) => {
    const db = ctx.services.db;
    const scope = ctx.scope();
    if (!db.prepare(`SELECT 1 FROM customers c WHERE c.id = ? AND ${scope.sql}`).get(customerId, ...scope.params)) {
      throw new AppError('NOT_FOUND', { entity: 'customer', id: customerId });
    }
    // A manager's own lead is theirs; the president's goes to the manager of record (or the branch queue).
    const { id } = createOpportunity(db, {
      customerId,
      source: 'manual',
      product,
      amountFen: fen(amount) ?? null,
      dueOn: dueOn ?? null,
      title: title ?? null,
      note: note ?? null,
      ...(ctx.user.role === 'manager' ? { ownerStaffId: ctx.user.staff_id } : {}),
      createdBy: ctx.user.id,
      today: ctx.services.clock.today(),
    });
    return getOpportunity(db, opportunityScope(scope), id);
  },

  'opportunities.move': ({ id, to, note, amount, lostReason }, ctx) => {
    const db = ctx.services.db;
    const os = opportunityScope(ctx.scope());
    getOpportunity(db, os, id);
    moveOpportunity(db, {
      id,
      to,
      note,
      amountFen: fen(amount) ?? undefined,
      lostReason,
      userId: ctx.user.id,
      today: ctx.services.clock.today(),
    });
    return getOpportunity(db, os, id);
  },

  'opportunities.update': ({ id, product, amount, dueOn, note }, ctx) => {
    const db = ctx.services.db;
    const os = opportunityScope(ctx.scope());
    getOpportunity(db, os, id);
    const sets: string[] = [];
    const params: (string | number | null)[] = [];
    if (product !== undefined) sets.push('product = ?'), params.push(product);
    if (amount !== undefined) sets.push('amount_fen = ?'), params.push(fen(amount) ?? null);
    if (dueOn !== undefined) sets.push('due_on = ?'), params.push(dueOn);
    if (note !== undefined) sets.push('note = ?'), params.push(note);
    if (sets.length)
      db.prepare(
        `UPDATE opportunities SET ${sets.join(', ')}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
      ).run(...params, id);
    return getOpportunity(db, os, id);
  },

  'opportunities.assign': ({ id, ownerStaffId }, ctx) => {
    const db = ctx.services.db;
    const os = opportunityScope(ctx.scope());
    const before = getOpportunity(db, os, id);
    if (!branchManagers(ctx).some((m) => m.staffId === ownerStaffId))
      throw new AppError('VALIDATION', {
        field: 'ownerStaffId',
        issues: [{ path: ['ownerStaffId'], code: 'notAManager' }],
      });
    db.prepare(
      `UPDATE opportunities SET owner_staff_id = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
    ).run(ownerStaffId, id);
    ctx.audit({
      action: 'opportunities.assign',
      outcome: 'ok',
      targetType: 'opportunity',
      targetId: String(id),
      details: { from: before.ownerStaffId, to: ownerStaffId },
    });
    return getOpportunity(db, os, id);
  },

  'opportunities.funnel': ({ from, to }, ctx) => funnel(ctx.services.db, opportunityScope(ctx.scope()), { from, to }),

  'opportunities.owners': (_input, ctx) => branchManagers(ctx),

  'rules.list': (_input, ctx) => listRules(ctx.services.db),

  'rules.preview': ({ code, params }, ctx) => previewRule(ctx.services.db, code, params, ctx.services.clock.today()),

  'rules.save': ({ code, enabled, params }, ctx) => {
    const view = saveRule(ctx.services.db, code, enabled, params, ctx.user.id);
    ctx.audit({
      action: 'rules.save',
      outcome: 'ok',
      targetType: 'opportunity_rule',
      targetId: code,
      details: { enabled, params: view.params },
    });
    return view;
  },

  'rules.run': (_input, ctx) => {
    const out = runRules(ctx.services.db, ctx.services.clock.today(), undefined, { force: true }).map(
      ({ code, created }) => ({ code, created }),
    );
    ctx.audit({ action: 'rules.run', outcome: 'ok', targetType: 'opportunity_rule', details: { created: out } });
    return out;
  },
});
