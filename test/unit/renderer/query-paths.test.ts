import { beforeAll, describe, expect, it } from 'vitest';
import { conditionLabel, errorMessage, type Translate } from '../../../renderer/src/i18n/messages';
import { loadTranslations } from '../../support/i18n';

let tr: (lng: string) => Translate;
beforeAll(async () => {
  ({ tr } = await loadTranslations(false));
});

/** What the main process sends for a bad advanced-query value (db/repos/customer-query.ts, or zod). */
const issue = (...path: (string | number)[]) => ({ issues: [{ path, code: 'not_allowed' }] });

describe('advanced-query validation paths', () => {
  it('name the condition, 1-based, and its part', () => {
    const zh = tr('zh-CN');
    expect(conditionLabel(zh, ['filter', 'advanced', 'items', 1, 'value', 0])).toBe('第 2 个条件的取值');
    expect(conditionLabel(zh, ['filter', 'advanced', 'items', 0, 'op'])).toBe('第 1 个条件的比较方式');
    expect(conditionLabel(zh, ['filter', 'advanced', 'items', 2, 'days'])).toBe('第 3 个条件的天数');
    expect(conditionLabel(zh, ['filter', 'advanced', 'items', 0, 'items', 3, 'value'])).toBe(
      '第 1 组第 4 个条件的取值',
    );
    expect(conditionLabel(zh, ['filter', 'advanced'])).toBe('高级查询条件');
    expect(conditionLabel(zh, ['username'])).toBeNull();
  });

  it('reach the message in both languages without a schema path', () => {
    const zhText = errorMessage(tr('zh-CN'), 'VALIDATION', issue('filter', 'advanced', 'items', 1, 'value', 0));
    expect(zhText).toBe('输入有误，请检查：第 2 个条件的取值（不在可选范围内）');
    const enText = errorMessage(tr('en'), 'VALIDATION', issue('filter', 'advanced', 'items', 1, 'value', 0));
    expect(enText).toBe('Please check: condition 2 (value): not one of the choices');
    for (const text of [zhText, enText]) expect(text).not.toMatch(/filter|items|\.\d/);
  });

  it('say what is wrong when the main process names it', () => {
    const d = { issues: [{ path: ['filter', 'advanced', 'items', 3, 'value'], code: 'impossible_range' }] };
    expect(errorMessage(tr('zh-CN'), 'VALIDATION', d)).toBe('输入有误，请检查：第 4 个条件的取值（最小值大于最大值）');
    expect(errorMessage(tr('en'), 'VALIDATION', d)).toBe(
      'Please check: condition 4 (value): the minimum is above the maximum',
    );
    // a code without words (zod's own) leaves the condition named alone
    const z = { issues: [{ path: ['filter', 'advanced', 'items', 0, 'value'], code: 'invalid_union' }] };
    expect(errorMessage(tr('zh-CN'), 'VALIDATION', z)).toBe('输入有误，请检查：第 1 个条件的取值');
  });
});
