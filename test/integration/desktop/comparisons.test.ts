import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../main/clock';
import { createRegistry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import type { DesktopView, WidgetData } from '../../../shared/api';
import { changePercent, comparisonMonths } from '../../../shared/comparisons';
import { yuanToFen } from '../../../shared/money';
import { makeDemoStore, removeTempDirs } from '../demo/helpers';
import { asUsers } from '../support/store';

/**
 * Issue 17 item 5: 较上月末 / 较上年同期 on the desktop and 环比 / 同比 in 分析报表 are one definition
 * (shared/comparisons.ts): the latest month end with figures against the month end before it and a year
 * before, whatever the calendar says. The demo's data end on 2026-10-31; the PC's clock says 2026-12-06.
 */
let services: Services;
let registry: ReturnType<typeof createRegistry>;
const s: Record<string, string> = {};
const { ok, signIn } = asUsers(() => registry, s);

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 500, seed: 17 });
  demo.close();
  services = await createServices({
    dbPath: demo.file,
    mode: 'browser',
    clock: fixedClock(new Date('2026-12-06T02:00:00Z')),
  });
  registry = createRegistry(services);
  for (const u of ['president', 'manager1']) await signIn(u);
}, 90_000);
afterAll(async () => {
  await services.close();
  removeTempDirs();
});

type Kpi = Extract<WidgetData, { kind: 'kpi' }>;
const kpisOf = (v: DesktopView): Kpi[] =>
  Object.values(v.widgets).flatMap((w) => (w.ok && w.data.kind === 'kpi' ? [w.data] : []));
const units = (v: string | number | null | undefined, money: boolean): bigint | null =>
  v == null ? null : money ? yuanToFen(String(v)) : BigInt(v);

describe('one definition of the month-end comparisons', () => {
  it('pure: the latest month with figures against M-1 and M-12; a missing month has none', () => {
    const months = ['2025-11', '2025-12', '2026-01', '2026-09', '2026-10'];
    expect(comparisonMonths(months)).toEqual({ at: '2026-10', prevMonth: '2026-09', prevYear: null });
    expect(comparisonMonths(months, '2026-01')).toEqual({ at: '2026-01', prevMonth: '2025-12', prevYear: null });
    expect(comparisonMonths([...months, '2025-10'].sort())).toMatchObject({ prevYear: '2025-10' });
    expect(comparisonMonths([])).toEqual({ at: null, prevMonth: null, prevYear: null });
    // exact from integers, half away from zero, against the size of a negative base
    expect(changePercent(1797n, 1795n)).toBe(0.11);
    expect(changePercent(100_005n, 100_000n)).toBe(0.01); // 0.005% rounds up
    expect(changePercent(99_995n, 100_000n)).toBe(-0.01);
    expect(changePercent(-50n, -100n)).toBe(50);
    expect(changePercent(5n, 0n)).toBeNull();
  });

  for (const who of ['president', 'manager1'] as const) {
    it(`${who}: the desktop's figures and changes are the overview report's, months from the data not the calendar`, async () => {
      const view = await ok('desktop.data', {}, who);
      const report = await ok('reports.run', { report: 'overview', filter: {} }, who);
      const kpiTable = report.tables.find((t) => t.id === 'kpi')!;
      const months = report.months;
      const latest = months.at(-1)!;
      expect(latest).toBe('2026-10'); // the data's month, not December's calendar
      const kpis = kpisOf(view);
      expect(kpis.map((k) => k.metric).sort()).toEqual(['aum', 'customers', 'deposits', 'loans']);
      for (const k of kpis) {
        const money = k.metric !== 'customers';
        const row = kpiTable.rows.find((r) => r.cells.metric === k.metric)!;
        expect(k.at, k.metric).toBe(latest);
        // compared with September's month end, not October's (the 0.0% of a PC a month ahead of its data)
        expect(k.prevMonthAt).toBe(months.includes('2026-09') ? '2026-09' : null);
        expect(k.prevYearAt).toBe(months.includes('2025-10') ? '2025-10' : null);
        expect(units(k.atValue, money), k.metric).toBe(units(row.cells.value, money));
        expect(units(k.prevMonth, money), k.metric).toBe(units(row.cells.prevMonth, money));
        expect(units(k.prevYear, money), k.metric).toBe(units(row.cells.prevYear, money));
        const mom = changePercent(units(k.atValue, money)!, units(k.prevMonth, money));
        expect(mom, k.metric).toBe(row.cells.mom);
        expect(row.cells.yoy).toBeNull(); // no 2025-10 in the demo's twelve months: "—" on both
      }
    });
  }
});
