import { beforeAll, describe, expect, it } from 'vitest';
import { errorMessage, issueReason, validationFields, type Translate } from '../../../renderer/src/i18n/messages';
import { zhCN } from '../../../shared/i18n/resources';
import { loadTranslations } from '../../support/i18n';
import { ERROR_CODES } from '../../../shared/errors';

let tr: (lng: string) => Translate;
beforeAll(async () => {
  ({ tr } = await loadTranslations('zh-CN'));
});

describe('errorMessage', () => {
  it('maps plain codes to friendly text in both languages', () => {
    expect(errorMessage(tr('zh-CN'), 'BAD_CREDENTIALS')).toBe('用户名或密码错误');
    expect(errorMessage(tr('en'), 'BAD_CREDENTIALS')).toBe('Wrong username or password');
    expect(errorMessage(tr('zh-CN'), 'SESSION_EXPIRED')).toContain('会话已过期');
    expect(errorMessage(tr('zh-CN'), 'FORBIDDEN')).toContain('权限');
  });

  it('never shows a raw code or an i18n key for any error code', () => {
    for (const code of ERROR_CODES) {
      for (const lng of ['zh-CN', 'en']) {
        const text = errorMessage(tr(lng), code, {});
        expect(text).not.toContain(code);
        expect(text).not.toMatch(/errors\.|errorVariants\.|\{\{/);
      }
    }
  });

  it('shows the unlock time of a locked account', () => {
    const until = new Date(2031, 4, 6, 14, 35).toISOString();
    expect(errorMessage(tr('zh-CN'), 'ACCOUNT_LOCKED', { lockedUntil: until })).toContain('2031-05-06 14:35');
    expect(errorMessage(tr('en'), 'ACCOUNT_LOCKED', { lockedUntil: until })).toContain('2031-05-06 14:35');
    expect(errorMessage(tr('zh-CN'), 'ACCOUNT_LOCKED', {})).toContain('账户已被锁定');
    expect(errorMessage(tr('zh-CN'), 'ACCOUNT_LOCKED', { lockedUntil: 'garbage' })).not.toContain('garbage');
  });

  it('lists the labelled fields of a validation error, never a raw path', () => {
    const details = {
      issues: [{ path: ['username'] }, { path: ['rows', 2, 'unlabelledField'] }, { path: ['username'] }, { path: [] }],
    };
    expect(validationFields(tr('zh-CN'), details)).toEqual(['用户名']);
    expect(errorMessage(tr('zh-CN'), 'VALIDATION', details)).toBe('输入有误，请检查：用户名');
    expect(errorMessage(tr('en'), 'VALIDATION', details)).toBe('Please check: Username');
    expect(errorMessage(tr('zh-CN'), 'VALIDATION', { issues: [{ path: ['rows', 2, 'unlabelledField'] }] })).toBe(
      '输入有误，请检查后重试',
    );
    expect(errorMessage(tr('zh-CN'), 'VALIDATION', { issues: 'nonsense' })).toBe('输入有误，请检查后重试');
    expect(errorMessage(tr('zh-CN'), 'VALIDATION')).toBe('输入有误，请检查后重试');
  });

  it('says what is wrong with each field, from the issue code and its bound', () => {
    const details = {
      issues: [
        { path: ['username'], code: 'too_small', minimum: 2, origin: 'string' },
        { path: ['displayName'], code: 'too_small', minimum: 1, origin: 'string' },
        { path: ['password'], code: 'too_big', maximum: 256, origin: 'string' },
        { path: ['limit'], code: 'too_big', maximum: 500, origin: 'number' },
      ],
    };
    expect(errorMessage(tr('zh-CN'), 'VALIDATION', details)).toBe(
      '输入有误，请检查：用户名（至少 2 个字符）、姓名（必填）、密码（最多 256 个字符）、每页条数（不能大于 500）',
    );
    expect(errorMessage(tr('en'), 'VALIDATION', { issues: [{ path: ['username'], code: 'invalid_format' }] })).toBe(
      'Please check: Username: letters, digits and . _ - only',
    );
    expect(issueReason(tr('zh-CN'), 'username', { code: 'invalid_format' })).toBe('只能用字母、数字和 . _ -');
    expect(issueReason(tr('zh-CN'), 'role', { code: 'invalid_value' })).toBe('请从列表中选择');
    // an unknown code or a missing bound says nothing more than the field's name
    expect(issueReason(tr('zh-CN'), 'username', { code: 'custom' })).toBe('');
    expect(issueReason(tr('zh-CN'), 'username', { code: 'too_small' })).toBe('');
  });

  it('uses safe details for password policy and conflicts only when well-formed', () => {
    // Every broken rule is named, with the policy's own figures; unknown or unsafe entries are not shown raw.
    expect(errorMessage(tr('zh-CN'), 'PASSWORD_POLICY', { rules: ['min_length', 'common'], minLength: 10 })).toBe(
      '新密码不符合密码规则：至少 10 位、不是常见密码或其简单变形（如 Passw0rd、password1）',
    );
    expect(errorMessage(tr('en'), 'PASSWORD_POLICY', { rules: ['char_classes'] })).toBe(
      'The new password does not meet the password rules: at least 3 of: upper-case letters, lower-case letters, digits, symbols',
    );
    expect(errorMessage(tr('zh-CN'), 'PASSWORD_POLICY', { rules: '<b>' })).toBe(
      (zhCN.errors as Record<string, string>).PASSWORD_POLICY,
    );
    expect(errorMessage(tr('zh-CN'), 'CONFLICT', { field: 'username' })).toBe('用户名已存在，请换一个');
    expect(errorMessage(tr('zh-CN'), 'CONFLICT', { field: 7 })).toBe((zhCN.errors as Record<string, string>).CONFLICT);
  });
});

describe('import error messages', () => {
  it('name the file, line and column the details carry, in both languages', () => {
    const details = { file: 'cif.csv', line: 12, column: 5 };
    expect(errorMessage(tr('zh-CN'), 'IMPORT_UNCLOSED_QUOTE', details)).toBe(
      '文件 cif.csv，第 12 行，第 5 列：引号没有闭合',
    );
    expect(errorMessage(tr('en'), 'IMPORT_UNCLOSED_QUOTE', details)).toBe(
      'cif.csv, line 12, column 5: A quote is never closed',
    );
    expect(errorMessage(tr('en'), 'IMPORT_HEADER_MISMATCH', { file: 'a.csv', missing: ['客户号', '网点号'] })).toBe(
      "a.csv: The file's header does not match the profile; missing columns: 客户号, 网点号",
    );
    expect(errorMessage(tr('zh-CN'), 'IMPORT_TOO_MANY_REJECTS', { file: 'a.csv', rejected: 7, tolerance: 0 })).toBe(
      '文件 a.csv：文件有 7 行被拒绝，超过允许的 0 行，本次导入未写入任何数据',
    );
  });
});
