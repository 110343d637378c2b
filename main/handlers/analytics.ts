import { analyticsFigures } from '../../db/analytics/figures';
import { listRules, nextProductsFor } from '../../db/analytics/next-product';
import {
  type AnalyticsKey,
  nextProductSettings,
  riskSettings,
  saveAnalyticsSettings,
} from '../../db/analytics/settings';
import { guaranteesOf, type GuaranteeLinkRow } from '../../db/analytics/guarantees';
import { listWatch, ownerChoices, riskOf, saveFollowUp } from '../../db/analytics/watch';
import { fenToYuan } from '../../shared/money';
import { syncActor } from '../../db/sync/actor';
import { shareFollowUp } from '../../db/sync/risk-watch';
import { shareAnalyticsSettings } from '../../db/sync/analytics-settings';
import type { AnalyticsSettingsView, GuaranteeView } from '../../shared/api/analytics';
import type { Services } from '../services';
import { kickSync } from '../sync/worker';
import { type AuthedCtx, handlers } from './types';

/**
 * The parameters, whether the figures they drive are being recalculated (a follow-up run with their step
 * is running or queued), and the figures as they stand: the rules and customers of the last mining, the
 * customers rated per level.
 */
function settingsView(services: Pick<Services, 'db' | 'followUps'>): AnalyticsSettingsView {
  const db = services.db;
  const np = nextProductSettings(db);
  const risk = riskSettings(db);
  return {
    nextProduct: np.value,
    risk: risk.value,
    nextProductUpdatedAt: np.updatedAt,
    riskUpdatedAt: risk.updatedAt,
    recalculating: {
      nextProduct: services.followUps.outstanding('next-product'),
      risk: services.followUps.outstanding('risk'),
    },
    ...analyticsFigures(db),
  };
}

const guaranteeView = (g: GuaranteeLinkRow): GuaranteeView => {
  const { principalFen, balanceFen, ...rest } = g;
  return { ...rest, principal: fenToYuan(principalFen), balance: fenToYuan(balanceFen) };
};

/** The parameters a save changed (the audit names them; values stay in the settings' own history). */
function changedKeys(before: object, after: object): string[] {
  const b = before as Record<string, unknown>;
  return Object.entries(after)
    .filter(([k, v]) => b[k] !== v)
    .map(([k]) => k);
}

/**
 * Stores a parameter set (and queues it for the hub) in one transaction, audits which parameters changed,
 * and queues the follow-up steps that recompute from it; returns the page's view at once.
 */
function saveAndRecalculate(
  ctx: AuthedCtx,
  key: AnalyticsKey,
  before: object,
  settings: object,
  action: 'analytics.saveNextProduct' | 'analytics.saveRisk',
  only: readonly string[],
): AnalyticsSettingsView {
  const db = ctx.services.db;
  db.transaction(() => {
    saveAnalyticsSettings(db, key, settings, ctx.user.id);
    shareAnalyticsSettings(db, key, syncActor(db, ctx.user));
  })();
  kickSync(db);
  ctx.audit({
    action,
    outcome: 'ok',
    targetType: 'setting',
    targetId: key,
    details: { params: changedKeys(before, settings) },
  });
  ctx.services.followUps.schedule({ today: ctx.services.clock.today(), reason: 'settings', jobId: null, only });
  return settingsView(ctx.services);
}

/**
 * 客户产品匹配 and 风险预警: reads in the caller's data scope (db/scope.ts, in SQL), the bank's parameters
 * (administrator: rule.manage), and the watch-list's follow-ups (audited with before and after).
 */
export const analyticsHandlers = handlers({
  'nextProduct.forCustomer': ({ customerId }, ctx) => {
    const scope = ctx.scope();
    return { offers: nextProductsFor(ctx.services.db, customerId, scope.sql, scope.params) };
  },

  'nextProduct.rules': ({ limit }, ctx) => listRules(ctx.services.db, limit),

  'analytics.settings': (_input, ctx) => settingsView(ctx.services),

  // Saving stores the parameters (and queues them for the hub) and returns at once: the rules are mined
  // again, and the signals found and rated again, by the follow-up steps (main/jobs/after-import.ts), in
  // their worker thread on a big book. Meanwhile the page shows its figures as being recalculated.
  'analytics.saveNextProduct': (settings, ctx) =>
    saveAndRecalculate(
      ctx,
      'next_product',
      nextProductSettings(ctx.services.db).value,
      settings,
      'analytics.saveNextProduct',
      ['next-product'],
    ),

  // the reminders after the signals, so a signal the new parameters find reminds in the same run
  'analytics.saveRisk': (settings, ctx) =>
    saveAndRecalculate(ctx, 'risk', riskSettings(ctx.services.db).value, settings, 'analytics.saveRisk', [
      'risk',
      'reminders',
    ]),

  'risk.watchList': (input, ctx) => listWatch(ctx.services.db, ctx.scope(), input),

  'risk.forCustomer': ({ customerId }, ctx) => riskOf(ctx.services.db, ctx.scope(), customerId),

  'risk.guarantees': ({ customerId }, ctx) => {
    const g = guaranteesOf(ctx.services.db, ctx.scope(), customerId);
    return { given: g.given.map(guaranteeView), received: g.received.map(guaranteeView) };
  },

  'risk.owners': (_input, ctx) =>
    ownerChoices(ctx.services.db, ctx.scope(), { role: ctx.user.role, staffId: ctx.user.staff_id }),

  'risk.followUp': (input, ctx) => {
    const db = ctx.services.db;
    const note = input.note === '' ? null : input.note;
    // the follow-up and, on a PC joined to the hub, its queued record in one transaction
    const { before, after } = db.transaction(() => {
      const r = saveFollowUp(
        db,
        ctx.scope(),
        { userId: ctx.user.id, role: ctx.user.role, staffId: ctx.user.staff_id },
        { ...input, note },
      );
      shareFollowUp(db, input.customerId, syncActor(db, ctx.user));
      return r;
    })();
    kickSync(db);
    ctx.audit({
      action: 'risk.followUp',
      outcome: 'ok',
      targetType: 'customer',
      targetId: input.customerId,
      details: {
        state: after.status,
        toStaffId: after.ownerStaffId ?? null,
        fromStaffId: before?.ownerStaffId ?? null,
        dueOn: after.dueOn ?? null,
      },
    });
    return riskOf(db, ctx.scope(), input.customerId).followUp!;
  },
});
