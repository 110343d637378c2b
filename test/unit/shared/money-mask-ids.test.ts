import { describe, expect, it } from 'vitest';
import { isValidResidentId, isValidUscc, residentIdCheckChar, usccCheckChar } from '../../../shared/id-numbers';
import { maskIdNo, maskPhone } from '../../../shared/mask';
import { fenToYuan, formatYuan, yuanToFen } from '../../../shared/money';
import { classifySearch } from '../../../db/repos/customers';

describe('money', () => {
  it('formats fen as exact yuan strings', () => {
    expect(fenToYuan(0)).toBe('0.00');
    expect(fenToYuan(7)).toBe('0.07');
    expect(fenToYuan(-7)).toBe('-0.07');
    expect(fenToYuan(123456789)).toBe('1234567.89');
    expect(fenToYuan(9007199254740993n)).toBe('90071992547409.93');
    expect(() => fenToYuan(0.1)).toThrow();
  });
  it('parses yuan to fen without floats', () => {
    expect(yuanToFen('0.1')).toBe(10n);
    expect(yuanToFen('1234.56')).toBe(123456n);
    expect(yuanToFen('-0.07')).toBe(-7n);
    // 0.1 + 0.2 style drift cannot happen
    expect(yuanToFen('0.29') + yuanToFen('0.01')).toBe(30n);
    for (const bad of ['1,234.00', '1.234', 'abc', '', '1e3', ' . ']) expect(() => yuanToFen(bad)).toThrow();
  });
  it('groups thousands for display', () => {
    expect(formatYuan('1234567.80')).toBe('1,234,567.80');
    expect(formatYuan('-1000.00')).toBe('-1,000.00');
    expect(formatYuan('12.00')).toBe('12.00');
  });
});

describe('masking', () => {
  it('keeps region and last four of an ID number', () => {
    expect(maskIdNo('11010119900101123X')).toBe('110101********123X');
    expect(maskIdNo(null)).toBeNull();
    expect(maskIdNo('E1234567')).toBe('********');
  });
  it('keeps prefix and last four of a mobile', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('010-6512345')).toBe('010****2345');
  });
});

describe('identifier check characters', () => {
  it('GB 11643 resident IDs (published examples)', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    expect(isValidResidentId('110105194912310021')).toBe(false);
    // right check char but impossible date
    const body = '11010519490230002';
    expect(isValidResidentId(body + residentIdCheckChar(body))).toBe(false);
  });
  it('GB 32100 unified social credit codes', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
  });
});

describe('quick-search classification', () => {
  it.each([
    ['11010519491231002x', 'id_no', '11010519491231002X'],
    ['138 1234 5678', 'mobile_or_no', '13812345678'],
    ['8000000001', 'customer_no', '8000000001'],
    ['5678', 'digits', '5678'],
    ['ZW', 'initials', 'zw'],
    ['张伟', 'name', '张伟'],
  ])('%s is %s', (raw, kind, q) => {
    expect(classifySearch(raw)).toEqual({ kind, q });
  });
});

describe('masking hides at least four characters at every length', () => {
  it('ID numbers and phones of 8 to 20 characters', async () => {
    const { maskIdNo, maskPhone } = await import('../../../shared/mask');
    for (let n = 8; n <= 20; n++) {
      const s = 'ABCDEFGHIJKLMNOPQRST'.slice(0, n);
      for (const m of [maskIdNo(s)!, maskPhone(s)!]) {
        expect(m).toHaveLength(n);
        expect((m.match(/\*/g) ?? []).length).toBeGreaterThanOrEqual(4);
      }
    }
    expect(maskIdNo('E12345678')).toBe('E****5678');
    expect(maskIdNo('110101199003071234')).toBe('110101********1234');
    expect(maskPhone('13800138000')).toBe('138****8000');
  });
});
