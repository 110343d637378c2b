import { listRules, nextProductsFor, runNextProduct } from '../../db/analytics/next-product';
import { runRisk } from '../../db/analytics/risk';
import { nextProductSettings, riskSettings, saveAnalyticsSettings } from '../../db/analytics/settings';
import { listWatch, ownerChoices, riskOf, saveFollowUp } from '../../db/analytics/watch';
import { syncActor } from '../../db/sync/actor';
import { shareFollowUp } from '../../db/sync/risk-watch';
import { shareAnalyticsSettings } from '../../db/sync/analytics-settings';
import { kickSync } from '../sync/worker';
import { handlers } from './types';

/** The parameters a save changed (the audit names them; values stay in the settings' own history). */
function changedKeys(before: object, after: object): string[] {
  const b = before as Record<string, unknown>;
  return Object.entries(after)
    .filter(([k, v]) => b[k] !== v)
    .map(([k]) => k);
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

  'analytics.settings': (_input, ctx) => {
    const np = nextProductSettings(ctx.services.db);
    const risk = riskSettings(ctx.services.db);
    return {
      nextProduct: np.value,
      risk: risk.value,
      nextProductUpdatedAt: np.updatedAt,
      riskUpdatedAt: risk.updatedAt,
    };
  },

  // Saving mines again at once (the administrator sees the rules the new parameters give); the after-import
  // step keeps them current from then on.
  'analytics.saveNextProduct': (settings, ctx) => {
    const db = ctx.services.db;
    const before = nextProductSettings(db).value;
    db.transaction(() => {
      saveAnalyticsSettings(db, 'next_product', settings, ctx.user.id);
      shareAnalyticsSettings(db, 'next_product', syncActor(db, ctx.user));
    })();
    kickSync(db);
    const r = runNextProduct(db, { today: ctx.services.clock.today(), settings });
    ctx.audit({
      action: 'analytics.saveNextProduct',
      outcome: 'ok',
      targetType: 'setting',
      targetId: 'next_product',
      details: { params: changedKeys(before, settings) },
    });
    return { rules: r.rules, customers: r.customers };
  },

  'analytics.saveRisk': (settings, ctx) => {
    const db = ctx.services.db;
    const before = riskSettings(db).value;
    db.transaction(() => {
      saveAnalyticsSettings(db, 'risk', settings, ctx.user.id);
      shareAnalyticsSettings(db, 'risk', syncActor(db, ctx.user));
    })();
    kickSync(db);
    const r = runRisk(db, { today: ctx.services.clock.today(), settings });
    ctx.audit({
      action: 'analytics.saveRisk',
      outcome: 'ok',
      targetType: 'setting',
      targetId: 'risk',
      details: { params: changedKeys(before, settings) },
    });
    return { rated: r.rated, byLevel: r.byLevel };
  },

  'risk.watchList': (input, ctx) => listWatch(ctx.services.db, ctx.scope(), input),

  'risk.forCustomer': ({ customerId }, ctx) => riskOf(ctx.services.db, ctx.scope(), customerId),

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
