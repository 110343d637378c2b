import type { Overview, Tier } from '../../shared/api';
import { fenToYuan } from '../../shared/money';
import type { Database } from 'better-sqlite3';
import { branchName, overviewByManager, overviewByTier, overviewTotals } from '../../db/repos/overview';
import type { Scope } from '../../db/scope';
import { handlers } from './types';
import { TIERS_AND_NONE } from '../../shared/tiers';

const TIER_ORDER: readonly string[] = TIERS_AND_NONE;

function overviewFor(db: Database, scope: Scope): Overview {
  const t = overviewTotals(db, scope);
  const byTier = overviewByTier(db, scope)
    .map((r) => ({ tier: (r.tier ?? 'none') as Tier | 'none', customers: r.customers, aum: fenToYuan(r.aum_fen) }))
    .sort((a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier));
  return {
    customers: t.customers,
    deposits: fenToYuan(t.deposit_fen),
    loans: fenToYuan(t.loan_fen),
    aum: fenToYuan(t.aum_fen),
    byTier,
  };
}

export const overviewHandlers = handlers({
  'overview.branch': (_input, ctx) => {
    const { db } = ctx.services;
    const scope = ctx.scope();
    return {
      ...overviewFor(db, scope),
      branchName: ctx.user.branch_id != null ? (branchName(db, ctx.user.branch_id) ?? '') : '',
      managers: overviewByManager(db, scope).map((m) => ({
        staffId: m.staff_id,
        name: m.name,
        customers: m.customers,
        aum: fenToYuan(m.aum_fen),
      })),
    };
  },
  'overview.portfolio': (_input, ctx) => overviewFor(ctx.services.db, ctx.scope()),
});
