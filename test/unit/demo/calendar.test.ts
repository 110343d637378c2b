import { describe, expect, it } from 'vitest';
import {
  addMonths,
  Calendar,
  civilFromDay,
  dayFromCivil,
  formatDay,
  parseDay,
  weekday,
} from '../../../db/demo/calendar';

describe('day numbers', () => {
  it('agree with Date over two centuries', () => {
    for (let d = dayFromCivil(1900, 1, 1); d < dayFromCivil(2100, 1, 1); d += 7) {
      const date = new Date(d * 86400000);
      expect(civilFromDay(d)).toEqual([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]);
      expect(weekday(d)).toBe(date.getUTCDay());
    }
  });

  it('parse and format round-trip and reject impossible dates', () => {
    expect(formatDay(parseDay('2026-10-31'))).toBe('2026-10-31');
    expect(formatDay(parseDay('1936-02-29'))).toBe('1936-02-29');
    expect(() => parseDay('2026-02-29')).toThrow();
    expect(() => parseDay('2026/10/31')).toThrow();
  });

  it('add months clamping to the month length', () => {
    expect(formatDay(addMonths(parseDay('2026-01-31'), 1))).toBe('2026-02-28');
    expect(formatDay(addMonths(parseDay('2024-01-31'), 1))).toBe('2024-02-29');
    expect(formatDay(addMonths(parseDay('2026-10-31'), -12))).toBe('2025-10-31');
    expect(formatDay(addMonths(parseDay('2026-03-15'), 360))).toBe('2056-03-15');
  });
});

describe('Calendar', () => {
  it('reports 12 month ends ending on a month-end as-of date', () => {
    const cal = new Calendar('2026-10-31');
    expect(cal.balanceDates.map((d) => cal.day(d))).toEqual([
      '2025-11-30',
      '2025-12-31',
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
    ]);
    expect(cal.day(cal.windowStart)).toBe('2025-11-01');
    expect(cal.windowDays).toBe(365);
  });

  it('ends on the as-of date itself when it is not a month end', () => {
    const cal = new Calendar('2026-06-15');
    const dates = cal.balanceDates.map((d) => cal.day(d));
    expect(dates).toHaveLength(12);
    expect(dates[10]).toBe('2026-05-31');
    expect(dates[11]).toBe('2026-06-15');
    expect(cal.day(cal.windowStart)).toBe('2025-07-01');
  });

  it('opens the counter on working weekdays only', () => {
    const cal = new Calendar('2026-10-31');
    const days = [...cal.counterDays];
    expect(days.length).toBeGreaterThan(230);
    expect(days.length).toBeLessThan(262);
    for (const d of days) expect([1, 2, 3, 4, 5]).toContain(weekday(d));
    // National Day and the Spring Festival are closed.
    expect(days).not.toContain(parseDay('2026-10-01'));
    expect(days).not.toContain(parseDay('2026-02-17'));
    expect(days).toContain(parseDay('2026-10-30'));
  });

  it('finds the first open day on or after any window day', () => {
    const cal = new Calendar('2026-10-31');
    for (let off = 0; off < cal.windowDays; off++) {
      const idx = cal.firstCounterIdx[off]!;
      if (idx < cal.counterDays.length) {
        expect(cal.counterDays[idx]!).toBeGreaterThanOrEqual(cal.windowStart + off);
        if (idx > 0) expect(cal.counterDays[idx - 1]!).toBeLessThan(cal.windowStart + off);
      }
    }
  });

  it('formats timestamps and stamps', () => {
    const cal = new Calendar('2026-10-31');
    expect(cal.dateTime(cal.asOf, 9 * 3600 + 5 * 60 + 7)).toBe('2026-10-31 09:05:07');
    expect(cal.stamp).toBe('2026-10-31T16:00:00.000Z');
    expect(cal.compact[0]).toBe('20251101');
  });
});
