import { describe, expect, it } from 'vitest';
import { axisLabel, moneyAxisScale } from '../../../renderer/src/charts/axis-units';

/** Issue 17 item 9: money axes in 万元 / 亿元 with short labels, never 3,000,000,000. */
describe('money axis units', () => {
  it('picks 亿元 from a hundred million, 万元 from ten thousand, else 元', () => {
    expect(moneyAxisScale([3_000_000_000, 12])).toEqual({ unit: 'yi', divisor: 100_000_000 });
    expect(moneyAxisScale([-250_000_000])).toEqual({ unit: 'yi', divisor: 100_000_000 });
    expect(moneyAxisScale([99_999_999.99, 10])).toEqual({ unit: 'wan', divisor: 10_000 });
    expect(moneyAxisScale([9_999.99, Number.NaN])).toEqual({ unit: 'yuan', divisor: 1 });
    expect(moneyAxisScale([])).toEqual({ unit: 'yuan', divisor: 1 });
  });

  it('writes ticks short: grouped, at most two decimals', () => {
    const yi = moneyAxisScale([3_000_000_000]);
    expect(axisLabel(3_000_000_000, yi)).toBe('30');
    expect(axisLabel(150_000_000, yi)).toBe('1.5');
    expect(axisLabel(0, yi)).toBe('0');
    const wan = moneyAxisScale([50_000_000]);
    expect(axisLabel(12_000_000, wan)).toBe('1,200');
    expect(axisLabel(-12_345, wan)).toBe('-1.23');
    // the longest label on a 13-digit axis stays short enough not to overlap its neighbours
    expect(axisLabel(9_999_999_999_999, moneyAxisScale([9_999_999_999_999])).length).toBeLessThanOrEqual(9);
  });
});

/** English axes in English units (40M, 1.5B), never 4000万 (issue 17). */
describe('money axis units in English', () => {
  it('picks billions, millions, or thousands from ten thousand', () => {
    expect(moneyAxisScale([3_000_000_000], 'en')).toMatchObject({ unit: 'bn', divisor: 1_000_000_000 });
    expect(moneyAxisScale([40_000_000, 12], 'en')).toMatchObject({ unit: 'mn', divisor: 1_000_000 });
    expect(moneyAxisScale([-999_999], 'en')).toMatchObject({ unit: 'k', divisor: 1_000 });
    expect(moneyAxisScale([9_999.99], 'en')).toEqual({ unit: 'yuan', divisor: 1 });
  });

  it('writes the magnitude on each tick, and no Chinese unit', () => {
    const mn = moneyAxisScale([40_000_000], 'en');
    expect(axisLabel(40_000_000, mn)).toBe('40M');
    expect(axisLabel(2_500_000, mn)).toBe('2.5M');
    expect(axisLabel(0, mn)).toBe('0');
    expect(axisLabel(150_000, moneyAxisScale([150_000], 'en'))).toBe('150K');
    expect(axisLabel(1_500_000_000, moneyAxisScale([3e9], 'en'))).toBe('1.5B');
    expect(axisLabel(9_999_999_999_999, moneyAxisScale([9_999_999_999_999], 'en'))).not.toMatch(/[万亿]/);
    // Chinese keeps its units named on the axis, bare ticks
    expect(axisLabel(40_000_000, moneyAxisScale([40_000_000], 'zh-CN'))).toBe('4,000');
  });
});
