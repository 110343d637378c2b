import { describe, expect, it } from 'vitest';
import { drillFromHash, drillHref } from '../../../renderer/src/pages/desktop/drill-url';
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
    expect(drillFromHash(href)).toEqual({ filter, label: '客户分层金字塔 · 黄金 & 100%' });
  });

  it('ignores a filter that is not a valid grid filter (unknown keys, SQL text where a number belongs, broken JSON)', () => {
    expect(drillFromHash('#/customers?filter=%7B%22sql%22%3A%22DROP%20TABLE%22%7D')).toBeNull();
    expect(
      drillFromHash(`#/customers?filter=${encodeURIComponent(JSON.stringify({ managerIds: ['1 OR 1=1'] }))}`),
    ).toBeNull();
    expect(drillFromHash('#/customers?filter=%7B')).toBeNull();
    expect(drillFromHash('#/customers')).toBeNull();
  });
});
