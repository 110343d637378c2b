import { yuanToFen } from '../../shared/money';
import { AppError } from '../../shared/errors';
import {
  assignOpportunity,
  createOpportunity,
  funnel,
  getOpportunity,
  listOpportunities,
  moveOpportunity,
  opportunityHistory,
  opportunityScope,
  undoWin,
  updateOpportunity,
  winFacts,
} from '../../db/relationship/opportunities';
import type { UndoWon } from '../../shared/api/opportunities';
import { undoWonRule } from '../../shared/opportunities';
import { activeManagersOf } from '../../db/repos/catalog';
import { listRules, previewRule, runRules, saveRule } from '../../db/relationship/rules';
import { branchTree, customerInScope } from '../../db/scope';
import { syncActor } from '../../db/sync/actor';
import { shareRuleSetting } from '../../db/sync/settings';
import {
  adoptOpportunity,
  type OpportunityStep,
  shareDerivedOpportunities,
  shareOpportunity,
} from '../../db/sync/opportunities';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';

/**
 * Runs an opportunity step and, on a PC joined to a hub, queues the opportunity's new row in the same
 * transaction (db/sync/opportunities.ts); standalone the step runs as it always did.
 */
function shared<T>(ctx: AuthedCtx, step: OpportunityStep, work: () => { id: number; value: T }, existing?: number): T {
  const db = ctx.services.db;
  const out = db.transaction(() => {
    // A rule opportunity derived here since the last sync cycle becomes a record first, as derived, and
    // one made while this PC was standalone as it stands, so this step goes up as a step on it.
    shareDerivedOpportunities(db);
    if (existing !== undefined) adoptOpportunity(db, existing, syncActor(db, ctx.user));
    const r = work();
    shareOpportunity(db, r.id, step, syncActor(db, ctx.user));
    return r.value;
  })();
  kickSync(db);
  return out;
}

function fen(yuan: string | undefined | null): number | null | undefined {
  if (yuan === undefined) return undefined;
  if (yuan === null) return null;
  return Number(yuanToFen(yuan));
}

/** Whether the caller may undo this opportunity's win now (shared/opportunities.ts). */
function undoFor(ctx: AuthedCtx, id: number): UndoWon {
  return undoWonRule({
    ...winFacts(ctx.services.db, id),
    userId: ctx.user.id,
    role: ctx.user.role,
    today: ctx.services.clock.today(),
  });
}

/** Managers (active) of the president's branch and its outlets: who an opportunity may be given to. */
function branchManagers(ctx: AuthedCtx): { staffId: number; name: string }[] {
  if (ctx.user.branch_id == null) return [];
  return activeManagersOf(ctx.services.db, branchTree(ctx.services.db, ctx.user.branch_id));
}

export const opportunitiesHandlers = handlers({
  'opportunities.list': ({ filter, offset, limit }, ctx) =>
    listOpportunities(ctx.services.db, opportunityScope(ctx.scope()), filter, offset, limit),

  'opportunities.get': ({ id }, ctx) => {
    const opportunity = getOpportunity(ctx.services.db, opportunityScope(ctx.scope()), id);
    return { opportunity, history: opportunityHistory(ctx.services.db, id), undo: undoFor(ctx, id) };
  },

  'opportunities.create': ({ customerId, product, amount, dueOn, title, note }, ctx) => {
    const db = ctx.services.db;
    const scope = ctx.scope();
    customerInScope(db, scope, customerId);
    // A manager's own lead is theirs; the president's goes to the manager of record (or the branch queue).
    const id = shared(ctx, { op: 'create' }, () => {
      const made = createOpportunity(db, {
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
      return { id: made.id, value: made.id };
    });
    return getOpportunity(db, opportunityScope(scope), id);
  },

  'opportunities.move': ({ id, to, note, amount, product, lostReason }, ctx) => {
    const db = ctx.services.db;
    const os = opportunityScope(ctx.scope());
    getOpportunity(db, os, id);
    const today = ctx.services.clock.today();
    const move = { to, note, amountFen: fen(amount) ?? undefined, product, lostReason, today };
    shared(
      ctx,
      { op: 'move', ...move },
      () => {
        moveOpportunity(db, { id, userId: ctx.user.id, ...move });
        return { id, value: null };
      },
      id,
    );
    const after = getOpportunity(db, os, id);
    // A win is a closing the branch's figures count: who closed what, at which amount, is on the trail.
    if (to === 'won')
      ctx.audit({
        action: 'opportunities.win',
        outcome: 'ok',
        targetType: 'opportunity',
        targetId: String(id),
        details: {
          customerId: after.customerId,
          product: after.product,
          amountFen: after.amount == null ? null : Number(yuanToFen(after.amount)),
        },
      });
    return after;
  },

  'opportunities.undoWon': ({ id, reason }, ctx) => {
    const db = ctx.services.db;
    const os = opportunityScope(ctx.scope());
    const before = getOpportunity(db, os, id);
    const rule = undoFor(ctx, id);
    if (!rule.allowed) throw new AppError('OPPORTUNITY_UNDO', { reason: rule.reason });
    const today = ctx.services.clock.today();
    const back = shared(
      ctx,
      { op: 'undoWon', reason, today },
      () => ({ id, value: undoWin(db, { id, userId: ctx.user.id, today, reason }) }),
      id,
    );
    ctx.audit({
      action: 'opportunities.undoWon',
      outcome: 'ok',
      targetType: 'opportunity',
      targetId: String(id),
      details: {
        customerId: before.customerId,
        product: before.product,
        amountFen: before.amount == null ? null : Number(yuanToFen(before.amount)),
        stage: back,
        authority: rule.as,
        reason,
      },
    });
    return getOpportunity(db, os, id);
  },

  'opportunities.update': ({ id, product, amount, dueOn, note }, ctx) => {
    const db = ctx.services.db;
    const os = opportunityScope(ctx.scope());
    getOpportunity(db, os, id);
    const edit = { product, amountFen: fen(amount), dueOn, note };
    shared(
      ctx,
      { op: 'update', ...edit },
      () => {
        updateOpportunity(db, id, edit);
        return { id, value: null };
      },
      id,
    );
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
    shared(
      ctx,
      { op: 'assign', owner: '' },
      () => {
        assignOpportunity(db, id, ownerStaffId);
        return { id, value: null };
      },
      id,
    );
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
    const db = ctx.services.db;
    // On a PC joined to a hub, the settings are queued in the same transaction (db/sync/settings.ts).
    const view = db.transaction(() => {
      const v = saveRule(db, code, enabled, params, ctx.user.id);
      shareRuleSetting(db, code, syncActor(db, ctx.user));
      return v;
    })();
    kickSync(db);
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
