/**
 * Money on chart axes for a bank's readers: 万元 or 亿元 as the figures' size calls for (never raw 元
 * like 3,000,000,000, which overlaps on a narrow axis), with the unit named on the axis. Labels only:
 * tooltips and tables keep the exact yuan.
 */
export type MoneyUnit = 'yi' | 'wan' | 'yuan';

export interface AxisScale {
  unit: MoneyUnit;
  divisor: number;
}

/** The unit for an axis whose largest absolute value is `maxAbs` yuan: 亿元 from 1亿, 万元 from 1万. */
export function moneyAxisScale(values: readonly number[]): AxisScale {
  const maxAbs = values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
  if (maxAbs >= 100_000_000) return { unit: 'yi', divisor: 100_000_000 };
  if (maxAbs >= 10_000) return { unit: 'wan', divisor: 10_000 };
  return { unit: 'yuan', divisor: 1 };
}

/** An axis tick in the scale's unit: thousands separated, at most two decimals, no trailing zeros ("1.5", "12,000"). */
export function axisLabel(value: number, scale: AxisScale): string {
  const v = value / scale.divisor;
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: true }).format(
    Math.abs(v) < 1e-9 ? 0 : v,
  );
}
