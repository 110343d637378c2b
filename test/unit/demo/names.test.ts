import { describe, expect, it } from 'vitest';
import { COMPOUND_SURNAMES, personName, randomName, SURNAME_COUNT } from '../../../db/demo/names';
import { initialsOf, pinyinOf, surnameInitials } from '../../../db/names';
import { Rng } from '../../../db/demo/rng';

describe('Chinese personal names', () => {
  it('have a weighted surname and a one- or two-character given name', () => {
    const rng = new Rng(1);
    let single = 0;
    const surnames = new Map<string, number>();
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const p = personName(rng, i % 2 === 0, 1950 + (i % 55));
      expect(p.name).toBe(p.surname + p.given);
      expect([1, 2]).toContain(p.given.length);
      expect([1, 2]).toContain(p.surname.length);
      expect(p.name).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
      if (p.given.length === 1) single++;
      surnames.set(p.surname, (surnames.get(p.surname) ?? 0) + 1);
    }
    // About 30% single-character given names.
    expect(single / n).toBeGreaterThan(0.24);
    expect(single / n).toBeLessThan(0.34);
    // Frequency follows the national ranking: 王 and 李 lead, far ahead of mid-list surnames.
    const top = [...surnames.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([s]) => s);
    expect(top).toEqual(expect.arrayContaining(['王', '李', '张']));
    expect(surnames.get('王')! / n).toBeGreaterThan(0.05);
    expect(surnames.size).toBeGreaterThan(120);
  });

  it('has at least 80 surnames including compound ones', () => {
    expect(SURNAME_COUNT).toBeGreaterThanOrEqual(80);
    expect(COMPOUND_SURNAMES).toEqual(expect.arrayContaining(['欧阳', '司马', '诸葛']));
  });

  it('lets compound surnames occur', () => {
    const rng = new Rng(2);
    let compound = 0;
    for (let i = 0; i < 200000; i++) if (personName(rng, true, 1980).surname.length === 2) compound++;
    expect(compound).toBeGreaterThan(0);
    expect(compound / 200000).toBeLessThan(0.01);
  });

  it('computes lower-case pinyin initials, one per character', () => {
    expect(initialsOf('张伟')).toBe('zw');
    expect(initialsOf('欧阳娜娜')).toBe('oynn');
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) {
      const p = personName(rng, i % 2 === 1, 1975);
      expect(p.initials).toMatch(/^[a-z]+$/);
      expect(p.initials).toHaveLength(p.name.length);
      expect(p.initials).toBe(surnameInitials(p.surname) + initialsOf(p.given));
    }
  });

  it('reads surnames with their surname pronunciation', () => {
    expect(surnameInitials('单')).toBe('s');
    expect(surnameInitials('曾')).toBe('z');
    expect(surnameInitials('解')).toBe('x');
    expect(pinyinOf('单伟', '单')).toBe('shanwei');
    expect(pinyinOf('曾敏', '曾')).toBe('zengmin');
  });

  it('gives random names for counterparties', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 100; i++) expect(randomName(rng)).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
  });
});
