import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysInMonth } from '../../../shared/dates';
import { shiftMonth } from '../../../db/reporting/months';

/** Month arithmetic the slow way, one month at a time: the oracle for the table-free checks below. */
function stepMonths(ym: string, months: number): string {
  let y = Number(ym.slice(0, 4));
  let m = Number(ym.slice(5, 7));
  for (let i = 0; i < Math.abs(months); i++) {
    if (months > 0) {
      m++;
      if (m === 13) {
        m = 1;
        y++;
      }
    } else {
      m--;
      if (m === 0) {
        m = 12;
        y--;
      }
    }
  }
  return `${y}-${String(m).padStart(2, '0')}`;
}

const lastDay = (ym: string) => addDays(`${addMonths(ym, 1)}-01`, -1);

describe('addMonths', () => {
  it('moves within a year and across year boundaries, both ways', () => {
    expect(addMonths('2026-03', 0)).toBe('2026-03');
    expect(addMonths('2026-03', 1)).toBe('2026-04');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2027-01', -1)).toBe('2026-12');
    expect(addMonths('2026-01', -12)).toBe('2025-01');
    expect(addMonths('2026-01', -13)).toBe('2024-12');
    expect(addMonths('2026-06', 18)).toBe('2027-12');
    expect(addMonths('2026-06', -18)).toBe('2024-12');
    expect(addMonths('2026-10', 360)).toBe('2056-10');
    expect(addMonths('2026-10', -300)).toBe('2001-10');
  });

  it('agrees with counting month by month, for every month of a decade and shifts of ±40', () => {
    for (let y = 2019; y <= 2029; y++) {
      for (let m = 1; m <= 12; m++) {
        const ym = `${y}-${String(m).padStart(2, '0')}`;
        for (let k = -40; k <= 40; k++) expect(addMonths(ym, k)).toBe(stepMonths(ym, k));
      }
    }
  });

  it('takes the month of a full date', () => {
    expect(addMonths('2024-02-29', 1)).toBe('2024-03');
    expect(addMonths('2024-01-31', -1)).toBe('2023-12');
  });

  it('keeps four-digit years at the ends of the range (Date.UTC would read year 50 as 1950)', () => {
    expect(addMonths('0050-01', -1)).toBe('0049-12');
    expect(addMonths('1000-01', -1)).toBe('0999-12');
    expect(addMonths('9999-11', 1)).toBe('9999-12');
  });

  it('is the reporting code’s shiftMonth', () => {
    expect(shiftMonth).toBe(addMonths);
  });
});

describe('month ends from addMonths and addDays', () => {
  it('gives each month’s last day, 29 February in leap years only', () => {
    expect(lastDay('2024-02')).toBe('2024-02-29');
    expect(lastDay('2026-02')).toBe('2026-02-28');
    expect(lastDay('2000-02')).toBe('2000-02-29');
    expect(lastDay('1900-02')).toBe('1900-02-28');
    expect(lastDay('2026-04')).toBe('2026-04-30');
    expect(lastDay('2026-12')).toBe('2026-12-31');
    expect(lastDay('2026-01')).toBe('2026-01-31');
  });

  it('walks the month ends of a year back from March across 29 February', () => {
    const ends = Array.from({ length: 4 }, (_, i) => lastDay(addMonths('2024-03', -i)));
    expect(ends).toEqual(['2024-03-31', '2024-02-29', '2024-01-31', '2023-12-31']);
  });
});

describe('addDays', () => {
  it('crosses month ends, 29 February and year ends, both ways', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
  });
});

describe('daysInMonth', () => {
  it('equals what Date gives for every month of years 100-2400, and counts years below 100 as themselves', () => {
    for (let y = 100; y <= 2400; y++)
      for (let m = 1; m <= 12; m++) {
        const d = new Date(0);
        d.setUTCFullYear(y, m, 0); // day 0 of the next month: the last of this one
        expect(daysInMonth(y, m)).toBe(d.getUTCDate());
      }
    expect([daysInMonth(2000, 2), daysInMonth(1900, 2), daysInMonth(2024, 2), daysInMonth(2023, 2)]).toEqual([
      29, 28, 29, 28,
    ]);
    // Date.UTC(4, 2, 0) would read year 4 as 1904; year 4 is a leap year of its own, year 1 is not.
    expect([daysInMonth(4, 2), daysInMonth(1, 2), daysInMonth(0, 2)]).toEqual([29, 28, 29]);
  });
});
