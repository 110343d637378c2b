import { describe, expect, it } from 'vitest';
// Only the production module: the import engine computes initials without the demo generator loaded.
import { initialsOf, pinyinOf, SURNAMES, surnameInitials } from '../../../db/names';

describe('name initials for the customer search', () => {
  it('gives one lower-case initial per character, compound surnames included', () => {
    expect(initialsOf('张伟')).toBe('zw');
    expect(initialsOf('欧阳娜娜')).toBe('oynn');
    expect(initialsOf('')).toBe('');
  });

  it('reads a surname character with its surname pronunciation', () => {
    // Without the surname table these would be c(eng), d(an), j(ie), c(hou).
    expect(initialsOf('曾敏')).toBe('zm');
    expect(initialsOf('单伟')).toBe('sw');
    expect(initialsOf('解放')).toBe('xf');
    expect(initialsOf('仇磊')).toBe('ql');
    expect(surnameInitials('欧阳')).toBe('oy');
  });

  it('keeps Latin letters and digits of mixed names', () => {
    expect(initialsOf('王A')).toBe('wa');
  });

  it('gives full pinyin, the leading surname read as one', () => {
    expect(pinyinOf('单伟', '单')).toBe('shanwei');
    expect(pinyinOf('欧阳娜娜', '欧阳')).toBe('ouyangnana');
    expect(pinyinOf('吕敏')).toBe('lvmin');
  });

  it('has the surname table the demo samples from', () => {
    expect(SURNAMES.length).toBeGreaterThan(200);
    for (const [s, share] of SURNAMES) {
      expect(s).toMatch(/^[\u4e00-\u9fa5]{1,2}$/);
      expect(share).toBeGreaterThan(0);
    }
  });
});
