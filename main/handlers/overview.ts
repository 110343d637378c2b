import type { Overview, Tier } from '../../shared/api';
import { fenToYuan } from '../../shared/money';
import type { Scope } from '../../db/scope';
import type { Repos } from '../services';
import { handlers } from './types';

const TIER_ORDER = ['gold', 'quality', 'key', 'ordinary', 'restricted', 'exit', 'none'];

function overviewFor(repos: Repos, scope: Scope): Overview {
  const t = repos.overview.totals(scope);
  const byTier = repos.overview
    .byTier(scope)
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
    const { repos } = ctx.services;
    const scope = ctx.scope();
    return {
      ...overviewFor(repos, scope),
      branchName: ctx.user.branch_id != null ? (repos.overview.branchName(ctx.user.branch_id) ?? '') : '',
      managers: repos.overview
        .byManager(scope)
        .map((m) => ({ staffId: m.staff_id, name: m.name, customers: m.customers, aum: fenToYuan(m.aum_fen) })),
    };
  },
  'overview.portfolio': (_input, ctx) => overviewFor(ctx.services.repos, ctx.scope()),
});
