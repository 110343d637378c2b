import { describe, expect, it } from 'vitest';
import {
  checkIdNo,
  isValidCardNo,
  isValidHkMoPermit,
  isValidMobile,
  isValidPassport,
  isValidTwPermit,
  luhnValid,
  normalizeMobile,
  residentIdCheckChar,
  upgradeLegacyResidentId,
} from '../../../shared/id-numbers';

describe('identifier rules', () => {
  it('resident IDs: check character and birth date', () => {
    expect(checkIdNo('resident_id', '110108195008026868')).toEqual({ value: '110108195008026868' });
    expect(checkIdNo('resident_id', '110108195008026860')).toBeNull(); // wrong check character
    const body = '11010819500230123'; // 30 February
    expect(checkIdNo('resident_id', body + residentIdCheckChar(body))).toBeNull();
    expect(checkIdNo('resident_id', '11010819500802686')).toBeNull(); // 17 digits
    const x = '11010519491231002';
    expect(residentIdCheckChar(x)).toBe('X');
    expect(checkIdNo('resident_id', `${x}x`)).toEqual({ value: `${x}X` });
  });

  it('15-digit legacy IDs are upgraded to 18 digits, or kept when the bank says so', () => {
    const legacy = '110108500802686';
    const upgraded = upgradeLegacyResidentId(legacy);
    expect(upgraded).toBe(`11010819500802686${residentIdCheckChar('11010819500802686')}`);
    expect(checkIdNo('resident_id', legacy)).toEqual({ value: upgraded });
    expect(checkIdNo('resident_id', legacy, { legacy15: 'keep' })).toEqual({ value: legacy });
    expect(checkIdNo('resident_id', '110108501302686')).toBeNull(); // month 13
  });

  it('HK/Macao and Taiwan permits, passports, USCC, other', () => {
    expect(isValidHkMoPermit('H12345678')).toBe(true);
    expect(isValidHkMoPermit('M1234567890')).toBe(true);
    expect(isValidHkMoPermit('X12345678')).toBe(false);
    expect(isValidHkMoPermit('H1234567')).toBe(false);
    const hkResidence = `81000019900101123`;
    expect(isValidHkMoPermit(hkResidence + residentIdCheckChar(hkResidence))).toBe(true);
    expect(isValidTwPermit('12345678')).toBe(true);
    expect(isValidTwPermit('1234567')).toBe(false);
    expect(isValidPassport('E12345678')).toBe(true);
    expect(isValidPassport('X123')).toBe(false);
    expect(isValidPassport('ABCDEFG')).toBe(false);
    expect(isValidPassport('E1234-678')).toBe(false);
    expect(checkIdNo('passport', ' e12345678 ')).toEqual({ value: 'E12345678' });
    expect(checkIdNo('uscc', '91310115MA1H7GTR1X')).toBeNull();
    expect(checkIdNo('other', 'anything 1')).toEqual({ value: 'anything 1' });
  });

  it('mobiles: 11 digits starting 13-19, prefixes and separators dropped', () => {
    expect(isValidMobile('17355765810')).toBe(true);
    expect(isValidMobile('1735576581X')).toBe(false);
    expect(isValidMobile('12355765810')).toBe(false);
    expect(normalizeMobile('+86 138-0013-8000')).toBe('13800138000');
    expect(normalizeMobile('0086 13800138000')).toBe('13800138000');
    expect(normalizeMobile('1735576581X')).toBe('1735576581X');
  });

  it('Luhn: card numbers', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(isValidCardNo('6225880137005672')).toBe(luhnValid('6225880137005672'));
    expect(isValidCardNo('4111111111111111')).toBe(true);
    expect(isValidCardNo('4111111111111112')).toBe(false);
    expect(isValidCardNo('411111111111')).toBe(false);
  });
});
