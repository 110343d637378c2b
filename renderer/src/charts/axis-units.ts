/**
 * Money on chart axes, in the reader's language. Chinese: 万元 or 亿元 as the figures' size calls for
 * (never raw 元 like 3,000,000,000, which overlaps on a narrow axis), the unit named on the axis.
 * English: thousands, millions and billions on the ticks themselves (40M, 1.5B), as English finance
 * writes them, never 4000万. Labels only: tooltips and tables keep the exact yuan.
 */
export type MoneyUnit = 'yi' | 'wan' | 'yuan' | 'bn' | 'mn' | 'k';

export interface AxisScale {
  unit: MoneyUnit;
  divisor: number;
  /** Written after each tick (English: "M"); the axis' name then says only the currency. */
  suffix?: string;
}

const ZH_SCALES: readonly AxisScale[] = [
  { unit: 'yi', divisor: 100_000_000 },
  { unit: 'wan', divisor: 10_000 },
];

const EN_SCALES: readonly AxisScale[] = [
  { unit: 'bn', divisor: 1_000_000_000, suffix: 'B' },
  { unit: 'mn', divisor: 1_000_000, suffix: 'M' },
  // from ten thousand, as in Chinese: 9,999 reads fine in full
  { unit: 'k', divisor: 1_000, suffix: 'K' },
];

/**
 * The unit for an axis whose largest absolute value is `maxAbs` yuan. Chinese (the default): 亿元
 * from 1亿, 万元 from 1万. English: billions from 1B, millions from 1M, thousands from 10K.
 */
export function moneyAxisScale(values: readonly number[], lang = 'zh-CN'): AxisScale {
  const maxAbs = values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
  const english = lang.startsWith('en');
  for (const s of english ? EN_SCALES : ZH_SCALES) {
    const from = s.unit === 'k' ? 10_000 : s.divisor;
    if (maxAbs >= from) return s;
  }
  return { unit: 'yuan', divisor: 1 };
}

/** An axis tick in the scale's unit: thousands separated, at most two decimals, no trailing zeros ("1.5", "12,000", "40M"). */
export function axisLabel(value: number, scale: AxisScale): string {
  const v = value / scale.divisor;
  const n = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: true }).format(
    Math.abs(v) < 1e-9 ? 0 : v,
  );
  return n === '0' ? n : `${n}${scale.suffix ?? ''}`;
}
