import type { GridRow, QuickStats, Tier } from '../../shared/api';
import { fenToYuan } from '../../shared/money';
import { MONEY_FIELDS } from '../../db/customer-field-sql';
import { gridCount, gridRows, gridStats, type GridDbRow } from '../../db/repos/customer-grid';
import { handlers } from './types';
import { TIERS_AND_NONE } from '../../shared/tiers';

/** The store's row on the wire: money fields from fen to yuan strings, the rest as they are (already masked). */
function toGridRow(r: GridDbRow): GridRow {
  const out: Record<string, unknown> = { ...r, masked: true };
  for (const k of MONEY_FIELDS) out[k] = fenToYuan(r[k] as number);
  return out as GridRow;
}

export const gridHandlers = handlers({
  'customers.grid': ({ filter, sort, offset, limit }, ctx) => ({
    rows: gridRows(
      ctx.services.db,
      ctx.scope(),
      filter,
      sort,
      offset,
      limit,
      ctx.services.clock.today(),
      ctx.user.id,
    ).map(toGridRow),
  }),

  'customers.gridCount': ({ filter }, ctx) => {
    const { db } = ctx.services;
    const today = ctx.services.clock.today();
    return {
      total: gridCount(db, ctx.scope(), {}, today, ctx.user.id),
      filtered: gridCount(db, ctx.scope(), filter, today, ctx.user.id),
    };
  },

  'customers.quickStats': ({ filter }, ctx): QuickStats => {
    const s = gridStats(ctx.services.db, ctx.scope(), filter, ctx.services.clock.today(), ctx.user.id);
    const n = s.total.n;
    const aum = s.total.aum ?? 0n;
    return {
      count: Number(n),
      aum: fenToYuan(aum),
      deposits: fenToYuan(s.total.dep ?? 0n),
      wealth: fenToYuan(s.total.wlt ?? 0n),
      loans: fenToYuan(s.total.lon ?? 0n),
      avgAum: fenToYuan(n > 0n ? aum / n : 0n),
      // In tier order (gold first, 'none' last) whichever path answered: each sorts by the code's spelling.
      byTier: s.byTier
        .map((t) => ({ tier: t.tier as Tier | 'none', count: Number(t.n), aum: fenToYuan(t.aum) }))
        .sort((a, b) => TIERS_AND_NONE.indexOf(a.tier) - TIERS_AND_NONE.indexOf(b.tier)),
      byManager: s.byManager.map((m) => ({
        managerId: Number(m.mid),
        managerName: m.mname,
        count: Number(m.n),
        aum: fenToYuan(m.aum),
      })),
    };
  },
});
