import { describe, expect, it } from 'vitest';
import { count, dateTime, moneyShare, pageRange, share, wan, yuan } from '../../../renderer/src/format';

describe('renderer formatting', () => {
  it('formats yuan with separators and 万元 with rounding, never through floats', () => {
    expect(yuan('1234567.80')).toBe('1,234,567.80');
    expect(wan('123456789.00')).toBe('12,345.68');
    expect(wan('0.00')).toBe('0.00');
    expect(wan('49.99')).toBe('0.00');
    expect(wan('50.00')).toBe('0.01');
    expect(wan('-150000.00')).toBe('-15.00');
    expect(wan('-0.01')).toBe('0.00');
    expect(wan('90071992547409.93')).toBe('9,007,199,254.74');
    expect(wan('not money')).toBe('not money');
  });

  it('computes shares', () => {
    expect(share(1, 8)).toBe('12.5%');
    expect(share(3, 0)).toBe('—');
    expect(moneyShare('250.00', '1000.00')).toBe('25.0%');
    expect(moneyShare('1.00', '3.00')).toBe('33.3%');
    expect(moneyShare('2.00', '3.00')).toBe('66.7%');
    expect(moneyShare('1.00', '0.00')).toBe('—');
    expect(moneyShare('x', '1.00')).toBe('—');
  });

  it('formats counts, times and page ranges', () => {
    expect(count(1234567)).toBe('1,234,567');
    expect(dateTime(null)).toBe('—');
    expect(dateTime('nope')).toBe('—');
    expect(dateTime(new Date(2024, 0, 2, 3, 4).toISOString())).toBe('2024-01-02 03:04');
    expect(pageRange(0, 50, 120)).toEqual({ from: 1, to: 50, total: 120 });
    expect(pageRange(100, 20, 120)).toEqual({ from: 101, to: 120, total: 120 });
    expect(pageRange(0, 0, 0)).toEqual({ from: 0, to: 0, total: 0 });
  });
});
