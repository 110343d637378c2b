import { describe, expect, it } from 'vitest';
import { drillFromHash, drillHref, originLabel } from '../../../renderer/src/pages/desktop/drill-url';
import { en, zhCN } from '../../../shared/i18n/resources';
import { parseRoute } from '../../../renderer/src/nav';

/** The drill-down URL a desktop figure opens: the grid filter survives the trip and nothing else gets in. */
describe('drill-down URLs', () => {
  it('carries a grid filter and its label to the customer list', () => {
    const filter = {
      tiers: ['gold' as const],
      managerIds: [7],
      advanced: { op: 'and' as const, items: [{ field: 'aum' as const, op: 'gte' as const, value: '1000' }] },
    };
    const href = drillHref(filter, '客户分层金字塔 · 黄金 & 100%');
    expect(parseRoute(href)).toBe('customers');
    expect(drillFromHash(href)).toEqual({ filter, label: '客户分层金字塔 · 黄金 & 100%', from: null });
  });

  it('ignores a filter that is not a valid grid filter (unknown keys, SQL text where a number belongs, broken JSON)', () => {
    expect(drillFromHash('#/customers?filter=%7B%22sql%22%3A%22DROP%20TABLE%22%7D')).toBeNull();
    expect(
      drillFromHash(`#/customers?filter=${encodeURIComponent(JSON.stringify({ managerIds: ['1 OR 1=1'] }))}`),
    ).toBeNull();
    expect(drillFromHash('#/customers?filter=%7B')).toBeNull();
    expect(drillFromHash('#/customers')).toBeNull();
  });

  it('remembers the page it came from, with that page state, and nothing else', () => {
    const from = `#/reports/tiers?f=${encodeURIComponent(JSON.stringify({ tiers: ['gold'] }))}`;
    const href = drillHref({ tiers: ['gold'] }, '黄金', from);
    expect(drillFromHash(href)?.from).toBe(from);
    expect(drillFromHash(drillHref({}, 'x', '#/home'))?.from).toBe('#/home');
    // not a page of the app, or the grid itself: no origin
    expect(drillFromHash(drillHref({}, 'x', 'javascript:alert(1)'))?.from).toBeNull();
    expect(drillFromHash(drillHref({}, 'x', '#/customers?filter=%7B%7D'))?.from).toBeNull();
    expect(drillFromHash(`#/customers?filter=%7B%7D&from=${encodeURIComponent('#/nowhere')}`)?.from).toBeNull();
  });

  it('names the origin truly: the desktop of the role, the report by name, another page by its menu name', () => {
    type Tree = { [k: string]: string | Tree };
    const t = (tree: Tree) => (key: string, o?: Record<string, unknown>) => {
      let v: string | Tree | undefined = tree;
      for (const part of key.split('.')) v = typeof v === 'object' ? v[part] : undefined;
      return typeof v === 'string' ? v : String(o?.defaultValue ?? key);
    };
    const zh = t(zhCN as Tree);
    expect(originLabel(zh, 'president', '#/home')).toBe('行长桌面');
    expect(originLabel(zh, 'manager', null)).toBe('客户经理桌面');
    expect(originLabel(zh, 'president', '#/reports/customers?f=%7B%7D')).toBe('分析报表 · 客户分析');
    expect(originLabel(zh, 'manager', '#/reminders')).toBe('消息提醒');
    expect(originLabel(t(en as Tree), 'president', '#/reports')).toBe('Reports');
  });
});
