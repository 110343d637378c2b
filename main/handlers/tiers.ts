import type { TierModelState } from '../../shared/api';
import { fenToYuan } from '../../shared/money';
import { DEFAULT_TIER_MODEL, tierModelSchema } from '../../shared/tiers';
import { refreshFactors, retier, whatIf } from '../../db/tiering';
import { deferCheckpoints } from '../../db/checkpoints';
import { handlers, type AuthedCtx } from './types';

function factorsAsOf(ctx: AuthedCtx): string | null {
  return (ctx.services.db.prepare('SELECT MAX(as_of) AS d FROM customer_factors').get() as { d: string | null }).d;
}

/** Factors are re-measured when they are from another day or an import landed (or was reverted) since. */
function ensureFresh(ctx: AuthedCtx): void {
  const db = ctx.services.db;
  const at =
    (
      db.prepare(`SELECT value FROM settings WHERE key = 'tier_factors_refreshed_at'`).get() as
        | { value: string }
        | undefined
    )?.value ?? null;
  const lastImport = (
    db
      .prepare(
        `SELECT MAX(MAX(COALESCE(finished_at, '')), MAX(COALESCE(reverted_at, ''))) AS t FROM import_jobs WHERE status IN ('committed', 'reverted')`,
      )
      .get() as { t: string | null }
  ).t;
  const today = ctx.services.clock.today();
  if (at && factorsAsOf(ctx) === today && (!lastImport || lastImport < at)) return;
  refresh(ctx);
}

function refresh(ctx: AuthedCtx): { customers: number; asOf: string } {
  const asOf = ctx.services.clock.today();
  const customers = refreshFactors(ctx.services.db, asOf);
  ctx.services.db
    .prepare(
      `INSERT INTO settings (key, value) VALUES ('tier_factors_refreshed_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    )
    .run(ctx.services.clock.now().toISOString());
  return { customers, asOf };
}

export const tiersHandlers = handlers({
  'tiers.model': (_input, ctx): TierModelState => {
    const r = ctx.services.db
      .prepare('SELECT version, definition, created_at, changed FROM tier_models WHERE active = 1')
      .get() as { version: number; definition: string; created_at: string; changed: number } | undefined;
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
    return {
      cells: whatIf(ctx.services.db, model).map((c) => ({
        from: c.from,
        to: c.to,
        customers: c.customers,
        aum: fenToYuan(c.aumFen),
      })),
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
      r = retier(db, model, { userId: ctx.user.id, now: ctx.services.clock.now() });
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
