import { describe, expect, it } from 'vitest';
import { addWorkdays, isWorkday, workdaysBetween } from '../../../db/relationship/workdays';

/**
 * Working days on the official 2026 calendar (国务院办公厅 2026 holiday notice): National Day 1–7 October
 * off, with Sunday 20 September and Saturday 10 October worked instead; Mid-Autumn 25–27 September off.
 */
describe('working days (mainland China official calendar)', () => {
  it('knows holidays, weekends and adjusted working days', () => {
    expect(isWorkday('2026-09-30')).toBe(true); // Wednesday
    for (let d = 1; d <= 7; d++) expect(isWorkday(`2026-10-0${d}`)).toBe(false); // 国庆节, weekdays included
    expect(isWorkday('2026-10-10')).toBe(true); // Saturday worked (调休上班)
    expect(isWorkday('2026-09-20')).toBe(true); // Sunday worked
    expect(isWorkday('2026-10-11')).toBe(false); // plain Sunday
    expect(isWorkday('2026-09-25')).toBe(false); // 中秋节, a Friday
    expect(isWorkday('2026-11-02')).toBe(true); // plain Monday
    expect(() => isWorkday('2026/10/01')).toThrow(RangeError);
  });

  it('counts working days forward across the National Day holiday', () => {
    expect(addWorkdays('2026-09-30', 1)).toBe('2026-10-08');
    expect(addWorkdays('2026-09-30', 2)).toBe('2026-10-09');
    expect(addWorkdays('2026-09-30', 3)).toBe('2026-10-10'); // the adjusted Saturday counts
    expect(addWorkdays('2026-09-30', 4)).toBe('2026-10-12'); // Sunday 11th does not
    // Flagged during the holiday: counting starts from the first working day after it.
    expect(addWorkdays('2026-10-03', 1)).toBe('2026-10-08');
    // Ordinary weeks: Friday + 2 = Tuesday.
    expect(addWorkdays('2026-11-06', 2)).toBe('2026-11-10');
    expect(addWorkdays('2026-10-04', 0)).toBe('2026-10-08');
    expect(addWorkdays('2026-11-02', 0)).toBe('2026-11-02');
    expect(() => addWorkdays('2026-11-02', -1)).toThrow(RangeError);
  });

  it('measures the working days between two dates, the inverse of addWorkdays', () => {
    expect(workdaysBetween('2026-09-30', '2026-10-09')).toBe(2);
    expect(workdaysBetween('2026-09-30', '2026-10-10')).toBe(3);
    expect(workdaysBetween('2026-10-09', '2026-09-30')).toBe(0);
    for (const start of ['2026-09-18', '2026-09-24', '2026-09-30', '2026-10-05', '2026-12-30']) {
      for (let n = 1; n <= 12; n++) expect(workdaysBetween(start, addWorkdays(start, n))).toBe(n);
    }
  });
});
