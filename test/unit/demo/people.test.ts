import { describe, expect, it } from 'vitest';
import { Calendar } from '../../../db/demo/calendar';
import { withLuhn } from '../../../db/demo/context';
import {
  CITY,
  companyName,
  DISTRICTS,
  emailFor,
  hkMoPermitNo,
  INDUSTRIES,
  landline,
  MOBILE_PREFIXES,
  mobileNo,
  passportNo,
  residentId,
  streetAddress,
  usccCode,
} from '../../../db/demo/people';
import { Rng } from '../../../db/demo/rng';
import { isValidResidentId, isValidUscc } from '../../../shared/id-numbers';

const cal = new Calendar('2026-10-31');

describe('resident ID numbers (GB 11643)', () => {
  it('pass the check-character validation, carry the birth date and encode the gender', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 5000; i++) {
      const birth = cal.asOf - rng.range(18 * 365, 90 * 365);
      const birthText = cal.day(birth);
      const male = rng.chance(0.5);
      const id = residentId(rng, birthText, male);
      expect(id).toHaveLength(18);
      expect(isValidResidentId(id)).toBe(true);
      expect(id.slice(6, 14)).toBe(birthText.replace(/-/g, ''));
      expect(Number(id[16]) % 2).toBe(male ? 1 : 0);
    }
  });

  it('use real region codes, mostly Shanghai', () => {
    const rng = new Rng(2);
    const regions = Array.from({ length: 4000 }, () => residentId(rng, '1980-05-05', true).slice(0, 6));
    const shanghai = regions.filter((r) => r.startsWith('31')).length / regions.length;
    expect(shanghai).toBeGreaterThan(0.6);
    expect(shanghai).toBeLessThan(0.95);
    expect(new Set(regions).size).toBeGreaterThan(25);
    for (const r of regions) expect(r).toMatch(/^[1-6]\d{5}$/);
  });

  it('honour an explicit region', () => {
    expect(residentId(new Rng(3), '1990-01-31', false, '310115').startsWith('310115')).toBe(true);
  });
});

describe('unified social credit codes (GB 32100)', () => {
  it('are valid, 18 characters, start with 91 and the region', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 3000; i++) {
      const region = DISTRICTS[i % DISTRICTS.length]!.code;
      const code = usccCode(rng, region);
      expect(code).toHaveLength(18);
      expect(code.startsWith(`91${region}`)).toBe(true);
      expect(isValidUscc(code)).toBe(true);
    }
  });
});

describe('phones and other identifiers', () => {
  it('mobiles are 11 digits with a carrier prefix', () => {
    const rng = new Rng(5);
    const prefixes = new Set(MOBILE_PREFIXES);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const m = mobileNo(rng);
      expect(m).toMatch(/^1\d{10}$/);
      expect(prefixes.has(m.slice(0, 3))).toBe(true);
      seen.add(m);
    }
    expect(seen.size).toBeGreaterThan(4990);
  });

  it('the prefix list is the one the brief names', () => {
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => `13${i}`),
      '145',
      '147',
      '150',
      '151',
      '152',
      '153',
      '155',
      '156',
      '157',
      '158',
      '159',
      '166',
      ...Array.from({ length: 9 }, (_, i) => `17${i}`),
      ...Array.from({ length: 10 }, (_, i) => `18${i}`),
      '191',
      '198',
      '199',
    ];
    expect([...MOBILE_PREFIXES].sort()).toEqual(expected.sort());
  });

  it('landlines, passports and permits have their usual shapes', () => {
    const rng = new Rng(6);
    expect(landline(rng)).toMatch(/^021-[56]\d{7}$/);
    expect(passportNo(rng)).toMatch(/^E\d{8}$/);
    expect(hkMoPermitNo(rng)).toMatch(/^[HM]\d{8}$/);
  });

  it('card numbers pass the Luhn check', () => {
    const luhnOk = (s: string): boolean => {
      let sum = 0;
      for (let i = 0; i < s.length; i++) {
        let d = Number(s[s.length - 1 - i]);
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      return sum % 10 === 0;
    };
    for (const body of ['621703101000000001', '625966000012345', '4111111111111111'.slice(0, 15)]) {
      expect(luhnOk(withLuhn(body))).toBe(true);
    }
    expect(withLuhn('411111111111111')).toBe('4111111111111111');
  });
});

describe('addresses, companies and e-mail', () => {
  it('addresses are in the city and the district', () => {
    const rng = new Rng(7);
    for (const d of DISTRICTS) {
      const a = streetAddress(rng, d);
      expect(a.startsWith(`${CITY}${d.name}`)).toBe(true);
      expect(a).toMatch(/号\d+室$/);
    }
  });

  it('company names follow the registered-name pattern', () => {
    const rng = new Rng(8);
    for (let i = 0; i < 200; i++) {
      const name = companyName(rng, INDUSTRIES.sample(rng)[1]);
      expect(name).toMatch(
        /^(上海|[\u4e00-\u9fa5]{2}市)[\u4e00-\u9fa5]{2}[\u4e00-\u9fa5、]+(有限公司|股份有限公司|有限责任公司)$/,
      );
    }
  });

  it('e-mail addresses are plausible', () => {
    const rng = new Rng(9);
    expect(emailFor(rng, 'zhangwei', 1985)).toMatch(/^zhangwei\d{2,4}@[a-z0-9]+\.com$/);
  });
});
