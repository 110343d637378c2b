import type { TierModelState } from '../../shared/api';
import { fenToYuan } from '../../shared/money';
import { DEFAULT_TIER_MODEL, tierModelSchema } from '../../shared/tiers';
import {
  activeTierModel,
  factorsAsOf as storedFactorsAsOf,
  factorsRefreshedAt,
  lastImportChange,
  refreshFactors,
  retier,
  setFactorsRefreshedAt,
  whatIfSplit,
  type WhatIfCell,
} from '../../db/tiering';
import { deferCheckpoints } from '../../db/checkpoints';
import { syncActor } from '../../db/sync/actor';
import { shareTierModel } from '../../db/sync/tiers';
import { kickSync } from '../sync/worker';
import { handlers, type AuthedCtx } from './types';

const factorsAsOf = (ctx: AuthedCtx): string | null => storedFactorsAsOf(ctx.services.db);

/** Factors are re-measured when they are from another day or an import landed (or was reverted) since. */
function ensureFresh(ctx: AuthedCtx): void {
  const at = factorsRefreshedAt(ctx.services.db);
  const lastImport = lastImportChange(ctx.services.db);
  const today = ctx.services.clock.today();
  if (at && factorsAsOf(ctx) === today && (!lastImport || lastImport < at)) return;
  refresh(ctx);
}

function refresh(ctx: AuthedCtx): { customers: number; asOf: string } {
  const asOf = ctx.services.clock.today();
  const customers = refreshFactors(ctx.services.db, asOf);
  setFactorsRefreshedAt(ctx.services.db, ctx.services.clock.now().toISOString());
  return { customers, asOf };
}

export const tiersHandlers = handlers({
  'tiers.model': (_input, ctx): TierModelState => {
    const r = activeTierModel(ctx.services.db);
    return {
      active: r
        ? {
            version: r.version,
            model: tierModelSchema.parse(JSON.parse(r.definition)),
            createdAt: r.created_at,
            changed: r.changed,
          }
        : null,
      defaultModel: DEFAULT_TIER_MODEL,
      factorsAsOf: factorsAsOf(ctx),
    };
  },

  'tiers.refreshFactors': (_input, ctx) => refresh(ctx),

  'tiers.whatIf': ({ model }, ctx) => {
    ensureFresh(ctx);
    const active = activeTierModel(ctx.services.db);
    const baseline = active ? tierModelSchema.parse(JSON.parse(active.definition)) : DEFAULT_TIER_MODEL;
    const split = whatIfSplit(ctx.services.db, model, baseline);
    const out = (cells: WhatIfCell[]) =>
      cells.map((c) => ({ from: c.from, to: c.to, customers: c.customers, aum: fenToYuan(c.aumFen) }));
    return {
      cells: out(split.total),
      changed: out(split.changed),
      drift: out(split.drift),
      baseline: active ? { version: active.version } : null,
      factorsAsOf: factorsAsOf(ctx),
    };
  },

  'tiers.apply': ({ model }, ctx) => {
    ensureFresh(ctx);
    const db = ctx.services.db;
    // A re-tier rewrites most of a big book: copying its WAL back into the store (seconds) is left to
    // the follow-up run, which checkpoints on its own connection in a worker, instead of happening
    // here or at this connection's next small commit. Restored once that run is over.
    const restore = deferCheckpoints(db);
    let r: ReturnType<typeof retier>;
    try {
      // On a PC joined to a hub, the new version and the pointer to it are queued in the same transaction.
      const now = ctx.services.clock.now();
      r = db.transaction(() => {
        const out = retier(db, model, { userId: ctx.user.id, now });
        shareTierModel(db, out.version, syncActor(db, ctx.user), now.toISOString());
        return out;
      })();
      kickSync(db);
      ctx.audit({
        action: 'tiers.apply',
        outcome: 'ok',
        targetType: 'tier_model',
        targetId: r.version,
        details: { name: model.name, changed: r.changed },
      });
      // Tier changes are events (reminders, rules): the follow-up steps run now, not at the next import.
      ctx.services.followUps.schedule({ today: ctx.services.clock.today(), reason: 'retier', jobId: null });
    } catch (e) {
      restore();
      throw e;
    }
    void ctx.services.followUps.idle().then(restore, restore);
    return r;
  },
});
