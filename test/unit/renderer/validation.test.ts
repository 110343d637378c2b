import { describe, expect, it } from 'vitest';
import { en, zhCN } from '../../../shared/i18n/resources';
import { validityMessage, type Validity } from '../../../renderer/src/validation-text';

/** The app's own validation messages: chosen from the field's validity, in the app's language. */
type Tree = { [k: string]: string | Tree };
function translator(tree: Tree) {
  return (key: string, o?: Record<string, unknown>) => {
    let v: string | Tree | undefined = tree;
    for (const part of key.split('.')) v = typeof v === 'object' ? v[part] : undefined;
    if (typeof v !== 'string') throw new Error(`missing ${key}`);
    return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(o?.[k] ?? ''));
  };
}
const none: Validity = {
  valueMissing: false,
  rangeUnderflow: false,
  rangeOverflow: false,
  stepMismatch: false,
  badInput: false,
  tooLong: false,
  tooShort: false,
  patternMismatch: false,
  typeMismatch: false,
  customError: false,
};

describe('validation messages', () => {
  const zh = translator(zhCN as Tree);
  const enT = translator(en as Tree);
  it('say what is wrong in the app language, never the browser one', () => {
    expect(validityMessage(zh, { validity: { ...none, valueMissing: true }, kind: 'select' })).toBe(
      '请在列表中选择一项',
    );
    expect(validityMessage(enT, { validity: { ...none, valueMissing: true }, kind: 'select' })).toBe(
      'Choose an item in the list',
    );
    expect(validityMessage(zh, { validity: { ...none, valueMissing: true }, kind: 'text' })).toBe('请填写此项');
    expect(validityMessage(zh, { validity: { ...none, rangeOverflow: true }, kind: 'number', max: '3650' })).toBe(
      '不能大于 3650',
    );
    expect(validityMessage(zh, { validity: { ...none, rangeUnderflow: true }, kind: 'number', min: '1' })).toBe(
      '不能小于 1',
    );
    expect(validityMessage(zh, { validity: { ...none, stepMismatch: true }, kind: 'number' })).toBe('请输入整数');
    expect(validityMessage(zh, { validity: { ...none, tooLong: true }, kind: 'text', maxLength: 200 })).toBe(
      '最多 200 个字符',
    );
  });
  it('a field that set its own message (the date field) keeps it', () => {
    expect(
      validityMessage(zh, {
        validity: { ...none, customError: true },
        kind: 'text',
        custom: '日期不能晚于 2026-12-06',
      }),
    ).toBe('日期不能晚于 2026-12-06');
  });
});
