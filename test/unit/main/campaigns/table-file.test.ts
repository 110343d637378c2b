import { describe, expect, it } from 'vitest';
import { findColumn, parseCsv } from '../../../../main/campaigns/table-file';

describe('parseCsv (campaign files)', () => {
  it('splits records and fields, keeping the line each record starts on', () => {
    expect(parseCsv('客户号,状态\r\n001,成功\r\n\r\n002,拒绝')).toEqual([
      { line: 1, cells: ['客户号', '状态'] },
      { line: 2, cells: ['001', '成功'] },
      { line: 4, cells: ['002', '拒绝'] },
    ]);
  });

  it('reads quoted fields with commas, escaped quotes and line breaks', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\n"two\nlines",x\n')).toEqual([
      { line: 1, cells: ['a', 'b,c', 'say "hi"'] },
      { line: 2, cells: ['two\nlines', 'x'] },
    ]);
  });

  it('keeps empty fields, and a record of empty fields when it has separators', () => {
    expect(parseCsv(',\n"",\na,,b')).toEqual([
      { line: 1, cells: ['', ''] },
      { line: 2, cells: ['', ''] },
      { line: 3, cells: ['a', '', 'b'] },
    ]);
  });

  it('takes a quote inside an unquoted field as text', () => {
    expect(parseCsv('5" disk,ok')).toEqual([{ line: 1, cells: ['5" disk', 'ok'] }]);
  });

  it('refuses an unclosed quote, naming the line its record starts on', () => {
    expect(() => parseCsv('a\n"open,b\nc')).toThrow(
      expect.objectContaining({
        code: 'CAMPAIGN_IMPORT_INVALID',
        details: { errors: [{ line: 2, column: null, reason: 'unclosedQuote' }] },
      }),
    );
  });
});

describe('findColumn', () => {
  it('matches header names ignoring case and spaces', () => {
    expect(findColumn(['备注', 'Customer No', '状态'], ['客户号', 'customer no'])).toBe(1);
    expect(findColumn(['a'], ['b'])).toBe(-1);
  });
});
