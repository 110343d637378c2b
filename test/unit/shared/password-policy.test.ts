import { describe, expect, it } from 'vitest';
import { PASSWORD_POLICY, passwordProblems } from '../../../shared/password-policy';

describe('password policy', () => {
  it('accepts a long password of three classes that is not a common one', () => {
    expect(passwordProblems('Hetang-Yuese7', 'manager1')).toEqual([]);
    expect(passwordProblems('Qiu7yue8gui9', 'manager1')).toEqual([]);
    expect(passwordProblems('长江大桥2026Spring', 'teller1')).toEqual([]);
  });

  it('refuses what issue 19.6 found accepted: password1 and Passw0rd', () => {
    expect(passwordProblems('password1', 'x')).toEqual(expect.arrayContaining(['min_length', 'common']));
    expect(passwordProblems('Passw0rd', 'x')).toEqual(expect.arrayContaining(['min_length', 'common']));
    expect(passwordProblems('Passw0rd2026!', 'x')).toEqual(['common']);
    expect(passwordProblems('P@ssword2026!', 'x')).toEqual(['common']);
    expect(passwordProblems('Woaini520131', 'x')).toEqual(['common']);
  });

  it('needs the minimum length and three character classes', () => {
    expect(PASSWORD_POLICY.minLength).toBe(10);
    expect(passwordProblems('Ab3$efgh', 'x')).toEqual(['min_length']);
    expect(passwordProblems('abcdefghij', 'x')).toEqual(['char_classes']);
    expect(passwordProblems('tree-river-cloud', 'x')).toEqual(['char_classes']);
    expect(passwordProblems('Tree-river-cloud', 'x')).toEqual([]);
  });

  it('refuses the user name inside it, repeated characters and digit runs', () => {
    expect(passwordProblems('Manager1-Autumn', 'manager1')).toEqual(['contains_username']);
    expect(passwordProblems('1111111111', 'x')).toEqual(
      expect.arrayContaining(['char_classes', 'common', 'repetitive']),
    );
    expect(passwordProblems('Aa1Aa1Aa1Aa1', 'x')).toEqual(['repetitive']);
    expect(passwordProblems('1234567890', 'x')).toContain('common');
  });
});
