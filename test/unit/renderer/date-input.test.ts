import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  checkDate,
  keyMove,
  monthGrid,
  parseTypedDate,
  weekdayMon0,
} from '../../../renderer/src/components/date-input';

describe('the app date field: typed dates', () => {
  it('reads the forms typed at a branch, as ISO dates', () => {
    for (const s of ['2026-12-06', '2026/12/6', '2026.12.06', '20261206', '2026年12月6日', ' 2026-12-6 '])
      expect(parseTypedDate(s), s).toBe('2026-12-06');
    expect(parseTypedDate('2024-02-29')).toBe('2024-02-29');
  });
  it('refuses what is not a calendar date, whatever the browser would guess', () => {
    for (const s of ['12/06/2026', '2026-02-29', '2026-13-01', '2026-04-31', 'abc', '2026-12', '06.12.2026'])
      expect(parseTypedDate(s), s).toBeNull();
  });
  it('checks the bounds, and empty is empty', () => {
    expect(checkDate('', '2026-01-01')).toEqual({ ok: true, date: '' });
    expect(checkDate('2025-12-31', '2026-01-01')).toEqual({ ok: false, problem: 'min' });
    expect(checkDate('2026-12-07', undefined, '2026-12-06')).toEqual({ ok: false, problem: 'max' });
    expect(checkDate('2026/1/1', '2026-01-01', '2026-12-06')).toEqual({ ok: true, date: '2026-01-01' });
    expect(checkDate('x')).toEqual({ ok: false, problem: 'format' });
  });
});

describe('the app date field: calendar arithmetic', () => {
  it('moves by days and months across ends of months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
  });
  it('lays a month out in Monday-first weeks', () => {
    expect(weekdayMon0('2026-12-06')).toBe(6); // a Sunday
    const g = monthGrid(2026, 12);
    expect(g[0]).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
    ]);
    expect(g.at(-1)).toContain('2026-12-31');
    expect(g.flat()).toHaveLength(g.length * 7);
    expect(monthGrid(2027, 2)).toHaveLength(4); // Feb 2027 starts on a Monday: four full weeks
  });
  it('moves with the calendar keys', () => {
    expect(keyMove('ArrowDown', false, '2026-12-28')).toBe('2027-01-04');
    expect(keyMove('PageUp', true, '2026-12-06')).toBe('2025-12-06');
    expect(keyMove('Home', false, '2026-12-06')).toBe('2026-11-30');
    expect(keyMove('End', false, '2026-11-30')).toBe('2026-12-06');
    expect(keyMove('a', false, '2026-11-30')).toBeNull();
  });
});
