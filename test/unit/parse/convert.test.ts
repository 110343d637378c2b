import { describe, expect, it } from 'vitest';
import { type ColumnMapping, type FieldSpec, IMPORT_FIELDS } from '../../../shared/imports';
import { compileConverter, parseScaled, parseYuan } from '../../../main/jobs/parse/convert';

/** Converts each input; returns the value, or the reject reason prefixed with '!'. */
function run(spec: FieldSpec, mapping: ColumnMapping | Record<string, never>, inputs: string[]): unknown[] {
  const c = compileConverter(spec, mapping);
  return inputs.map((s) => {
    const r = c(s);
    return r.ok ? r.value : `!${r.reason}`;
  });
}
const m = (extra: Partial<ColumnMapping> = {}): ColumnMapping => ({ field: 'x', ...extra });

describe('compileConverter', () => {
  it('text: trimmed (ASCII and full-width spaces), empty -> null, maxLength in characters', () => {
    expect(
      run({ type: 'text', maxLength: 3 }, m(), ['  abc ', '　张三　', '', '   ', 'abcd', '𠮷𠮷𠮷', '𠮷𠮷𠮷𠮷']),
    ).toEqual(['abc', '张三', null, null, '!too_long', '𠮷𠮷𠮷', '!too_long']);
  });

  it('required and empty -> required, for every type', () => {
    for (const type of ['text', 'integer', 'amount', 'rate', 'date', 'datetime', 'enum', 'flag'] as const) {
      expect(run({ type, required: true, values: ['A'] }, m(), ['', '  '])).toEqual(['!required', '!required']);
    }
  });

  it('integer', () => {
    expect(
      run({ type: 'integer' }, m(), [
        '12',
        '-7',
        '+3',
        '007',
        '12.00',
        '12.5',
        '1e3',
        '1,000',
        '-',
        '9007199254740993',
      ]),
    ).toEqual([12, -7, 3, 7, 12, '!bad_integer', '!bad_integer', '!bad_integer', '!bad_integer', '!bad_integer']);
  });

  it('amount in yuan -> exact integer fen; grouping must be correct; at most 2 decimals', () => {
    const inputs = [
      '1,234,567.89',
      '1234567.89',
      '0.1',
      '0.07',
      '-0.07',
      '¥12',
      '￥-1,000.50',
      '-¥3',
      '+5',
      '-0.00',
      '12,345',
    ];
    expect(run({ type: 'amount' }, m({ format: 'yuan' }), inputs)).toEqual([
      123456789, 123456789, 10, 7, -7, 1200, -100050, -300, 500, 0, 1234500,
    ]);
    const bad = [
      '1,2,3',
      '12a',
      '12a3',
      '1.234',
      '12.',
      '.5',
      '1234,567',
      ',123',
      '1,23',
      '12,3456',
      '--1',
      '¥¥1',
      '1 000',
      '0x10',
      '99999999999999.99',
    ];
    expect(run({ type: 'amount' }, m({ format: 'yuan' }), bad)).toEqual(bad.map(() => '!bad_amount'));
    // defaults to yuan
    expect(run({ type: 'amount' }, m(), ['1.5'])).toEqual([150]);
  });

  it('amount in fen: an integer', () => {
    expect(run({ type: 'amount' }, m({ format: 'fen' }), ['12345', '-5', '1.00', '1,000'])).toEqual([
      12345,
      -5,
      '!bad_amount',
      '!bad_amount',
    ]);
  });

  it('rate -> integer ppm with exact decimal arithmetic', () => {
    expect(
      run({ type: 'rate' }, m({ format: 'percent' }), [
        '3.45',
        '3.45%',
        '0.35',
        '-0.5',
        '4.35%',
        '3.4567',
        '3.45675',
        'x',
        '3.4.5',
      ]),
    ).toEqual([34500, 34500, 3500, -5000, 43500, 34567, 34568, '!bad_rate', '!bad_rate']);
    expect(run({ type: 'rate' }, m({ format: 'decimal' }), ['0.0345', '0.0435', '1', '3.45%', '0.00000049'])).toEqual([
      34500, 43500, 1_000_000, 34500, 0,
    ]);
    expect(parseScaled('0.0345', 6)).toBe(34500); // 0.0345 * 1e6 in floating point is 34499.999999999996
    expect(parseYuan('0.29') + parseYuan('0.01')).toBe(30);
  });

  it('date: real calendar, years 1900-2100, formats', () => {
    expect(
      run({ type: 'date' }, m({ format: 'YYYYMMDD' }), [
        '20240229',
        '20240230',
        '20230229',
        '20000229',
        '19000229',
        '2024-02-29',
        '2024022',
      ]),
    ).toEqual(['2024-02-29', '!bad_date', '!bad_date', '2000-02-29', '!bad_date', '!bad_date', '!bad_date']);
    expect(
      run({ type: 'date' }, m({ format: 'YYYY-MM-DD' }), ['2024-02-29', '2024-2-9', '2024/02/29', '2024-13-01']),
    ).toEqual(['2024-02-29', '2024-02-09', '!bad_date', '!bad_date']);
    expect(run({ type: 'date' }, m({ format: 'YYYY/MM/DD' }), ['2024/02/29', '2024-02-29'])).toEqual([
      '2024-02-29',
      '!bad_date',
    ]);
    expect(
      run({ type: 'date' }, m(), [
        '20240229',
        '2024-02-29',
        '2024/2/29',
        '18991231',
        '21000101',
        '21010101',
        '2024-02-29 00:00:00',
        '2024-02-29 08:30:00',
        '2024-02/29',
      ]),
    ).toEqual([
      '2024-02-29',
      '2024-02-29',
      '2024-02-29',
      '!bad_date',
      '2100-01-01',
      '!bad_date',
      '2024-02-29',
      '!bad_date',
      '!bad_date',
    ]);
    // the core systems' "no date"
    expect(run({ type: 'date' }, m(), ['00000000', '0000-00-00'])).toEqual([null, null]);
    expect(run({ type: 'date', required: true }, m(), ['00000000'])).toEqual(['!required']);
  });

  it('datetime', () => {
    expect(
      run({ type: 'datetime' }, m({ format: 'YYYYMMDDHHmmss' }), [
        '20240229131415',
        '20240230131415',
        '20240229241415',
        '2024-02-29 13:14:15',
      ]),
    ).toEqual(['2024-02-29 13:14:15', '!bad_datetime', '!bad_datetime', '!bad_datetime']);
    expect(
      run({ type: 'datetime' }, m({ format: 'YYYY-MM-DD HH:mm:ss' }), [
        '2024-02-29 13:14:15',
        '2024-02-29 13:14',
        '2024-02-29',
      ]),
    ).toEqual(['2024-02-29 13:14:15', '!bad_datetime', '!bad_datetime']);
    expect(
      run({ type: 'datetime' }, m(), [
        '20240229131415',
        '2024-02-29 13:14:15',
        '2024/02/29 1:02:03.123456',
        '2024-02-29',
        '2024-02-29 13:60:00',
      ]),
    ).toEqual([
      '2024-02-29 13:14:15',
      '2024-02-29 13:14:15',
      '2024-02-29 01:02:03',
      '2024-02-29 00:00:00',
      '!bad_datetime',
    ]);
  });

  it('enum: source values mapped to store values, then checked against the field values', () => {
    const spec = IMPORT_FIELDS.customers.gender!;
    expect(
      run(spec, m({ values: { 男: 'M', 女: 'F', 未知: 'X' } }), ['男', '女', 'M', 'f', '未知', '其他', '']),
    ).toEqual(['M', 'F', 'M', 'F', '!bad_enum', '!bad_enum', null]);
  });

  it('flag: D/C through the values map; boolean-ish otherwise', () => {
    const direction = IMPORT_FIELDS.transactions.direction!;
    expect(run(direction, m({ values: { 借: 'D', 贷: 'C' } }), ['借', '贷', 'D', 'c', '收', ''])).toEqual([
      'D',
      'C',
      'D',
      'C',
      '!bad_flag',
      '!required',
    ]);
    expect(
      run({ type: 'flag' }, m({ values: { 有效: '1', 失效: '0' } }), [
        '1',
        '0',
        'Y',
        'n',
        '是',
        '否',
        'true',
        'FALSE',
        '有效',
        '失效',
        '2',
        'x',
      ]),
    ).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, '!bad_flag', '!bad_flag']);
  });

  it('a constant is converted once', () => {
    const c = compileConverter(IMPORT_FIELDS.customers.kind!, m({ constant: 'individual' }));
    expect(c('anything')).toEqual({ ok: true, value: 'individual' });
    const bad = compileConverter(IMPORT_FIELDS.customers.kind!, m({ constant: 'robot' }));
    expect(bad('')).toEqual({ ok: false, reason: 'bad_enum' });
  });

  it('is fast: 2M amount + date conversions well under a second', () => {
    const amount = compileConverter({ type: 'amount' }, m({ format: 'yuan' }));
    const date = compileConverter({ type: 'date' }, m({ format: 'YYYYMMDD' }));
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const a = amount('1,234,567.89');
      const d = date('20240229');
      if (a.ok && d.ok) sum++;
    }
    expect(sum).toBe(1_000_000);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});
