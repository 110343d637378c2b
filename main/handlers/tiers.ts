import type { TierModelState } from '../../shared/api';
import { fenToYuan } from '../../shared/money';
import { DEFAULT_TIER_MODEL, tierModelSchema } from '../../shared/tiers';
import { refreshFactors, retier, whatIf } from '../../db/tiering';
import { handlers, type AuthedCtx } from './types';

function factorsAsOf(ctx: AuthedCtx): string | null {
  return (ctx.services.db.prepare('SELECT MAX(as_of) AS d FROM customer_factors').get() as { d: string | null }).d;
}

export const tiersHandlers = handlers({
  'tiers.model': (_input, ctx): TierModelState => {
    const r = ctx.services.db.prepare('SELECT version, definition, created_at, changed FROM tier_models WHERE active = 1').get() as
      | { version: number; definition: string; created_at: string; changed: number }
      | undefined;
    return {
      active: r ? { version: r.version, model: tierModelSchema.parse(JSON.parse(r.definition)), createdAt: r.created_at, changed: r.changed } : null,
      defaultModel: DEFAULT_TIER_MODEL,
      factorsAsOf: factorsAsOf(ctx),
    };
  },

  'tiers.refreshFactors': (_input, ctx) => {
    const asOf = ctx.services.clock.today();
    const customers = refreshFactors(ctx.services.db, asOf);
    return { customers, asOf };
  },

  'tiers.whatIf': ({ model }, ctx) => {
    if (!factorsAsOf(ctx)) refreshFactors(ctx.services.db, ctx.services.clock.today());
    return {
      cells: whatIf(ctx.services.db, model).map((c) => ({ from: c.from, to: c.to, customers: c.customers, aum: fenToYuan(c.aumFen) })),
      factorsAsOf: factorsAsOf(ctx),
    };
  },

  'tiers.apply': ({ model }, ctx) => {
    if (!factorsAsOf(ctx)) refreshFactors(ctx.services.db, ctx.services.clock.today());
    const r = retier(ctx.services.db, model, { userId: ctx.user.id, now: ctx.services.clock.now() });
    ctx.audit({ action: 'tiers.apply', outcome: 'ok', targetType: 'tier_model', targetId: r.version, details: { name: model.name, changed: r.changed } });
    return r;
  },
});
