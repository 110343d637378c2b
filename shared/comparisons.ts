import { addMonths } from './dates';

/**
 * 较上月末 / 较上年同期 (the reports' 环比 / 同比): ONE definition for the desktop's headline figures and
 * the reports. A figure is compared at a month end M: the latest month with month-end figures (the month
 * of the data loaded, not of the calendar: a PC opened on 6 December with data up to 31 October compares
 * October), or the last month of a report's period. 较上月末 compares M's month end with the month end
 * before it (M-1); 较上年同期 with the same month end a year earlier (M-12). A month without figures has
 * no comparison (shown as "—"). Pure: the main process and the renderer both read it.
 */
export interface ComparisonMonths {
  /** The month end compared (null: no month-end figures at all). */
  at: string | null;
  /** M-1 when it has figures. */
  prevMonth: string | null;
  /** M-12 when it has figures. */
  prevYear: string | null;
}

/** `months`: the months that have month-end figures ('YYYY-MM'); `at`: a report's last month, else the latest. */
export function comparisonMonths(months: readonly string[], at?: string | null): ComparisonMonths {
  const m = at ?? months.at(-1) ?? null;
  if (m === null) return { at: null, prevMonth: null, prevYear: null };
  const has = (x: string) => (months.includes(x) ? x : null);
  return { at: m, prevMonth: has(addMonths(m, -1)), prevYear: has(addMonths(m, -12)) };
}

/**
 * The change from `before` to `now` in percent, exact to 0.01 percentage points (rounded half away from
 * zero) from integer amounts; null when there is no base (nothing before, or zero).
 */
export function changePercent(now: bigint, before: bigint | null): number | null {
  if (before === null || before === 0n) return null;
  const diff = now - before;
  // against the size of the base (a negative base, e.g. a deposit growth, keeps the sign of the change);
  // basis points, rounded half away from zero
  const scaled = (diff * 20000n) / (before < 0n ? -before : before);
  const bp = scaled >= 0n ? (scaled + 1n) / 2n : (scaled - 1n) / 2n;
  return Number(bp) / 100;
}
