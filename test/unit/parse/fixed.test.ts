import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ColumnMapping, ImportProfile } from '../../../shared/imports';
import { expectParseError, FIXTURES, gb18030, gbk, readAll, tempDir } from './helpers';

const t = tempDir();
afterAll(() => t.cleanup());

/** customer_no 1-6, name 7-14 (8 bytes: 4 GBK characters), opened_on 15-22, kind constant. */
const columns: ColumnMapping[] = [
  { field: 'customer_no', start: 1, width: 6 },
  { field: 'name', start: 7, width: 8 },
  { field: 'opened_on', start: 15, width: 8 },
  { field: 'kind', constant: 'individual' },
];
const profile = (over: Partial<ImportProfile> = {}): ImportProfile => ({
  name: 'fixed',
  kind: 'customers',
  format: 'fixed',
  encoding: 'auto',
  header: false,
  columns,
  ...over,
});

describe('fixed-width', () => {
  it('slices GBK double-byte fields by bytes, trims ASCII and full-width spaces, aligns fields with profile columns', async () => {
    const f = t.file(
      'cif.dat',
      Buffer.concat([
        gbk('C00001张三    20240229\r\n'),
        gbk('C00002欧阳娜娜20230101\r\n'),
        gbk('C00003　李　  20220101  trailing filler\r\n'),
      ]),
    );
    const { records, encoding } = await readAll(f, profile());
    expect(encoding).toBe('gbk');
    expect(records.map((r) => r.fields)).toEqual([
      ['C00001', '张三', '20240229', ''],
      ['C00002', '欧阳娜娜', '20230101', ''],
      ['C00003', '李', '20220101', ''],
    ]);
    expect(records[1]).toMatchObject({ line: 2, raw: 'C00002欧阳娜娜20230101' });
    expect(records[0]!.cols).toEqual([1, 7, 15, 0]);
    expect(records.every((r) => r.problem === undefined)).toBe(true);
  });

  it('a layout boundary inside a double-byte character -> bad_encoding at that field, the import goes on', async () => {
    // Row 2 is shifted by one byte: '赵' straddles the name/opened_on boundary (bytes 14|15).
    const f = t.file(
      'cut.dat',
      Buffer.concat([
        gbk('C00001张三    20240229\n'),
        gbk('C00002 王小李赵2023010\n'),
        gbk('C00003赵六    20220101\n'),
      ]),
    );
    const { records } = await readAll(f, profile());
    expect(records.map((r) => r.problem)).toEqual([undefined, { reason: 'bad_encoding', column: 7 }, undefined]);
    expect(records[1]!.raw).toBe('C00002 王小李赵2023010');
    expect(records[2]!.fields[1]).toBe('赵六');
  });

  it('a character cut by the extract itself (lead byte + space) -> bad_encoding, raw bytes kept verbatim', async () => {
    const bad = Buffer.concat([gbk('C00002张三'), Buffer.from([0xd5, 0x20]), gbk('  20230101')]); // name ends with half of 张, padded
    const f = t.file('half.dat', Buffer.concat([gbk('C00001张三    20240229\n'), bad, Buffer.from('\n')]));
    const { records } = await readAll(f, profile({ encoding: 'gbk' }));
    expect(records[1]!.problem).toEqual({ reason: 'bad_encoding', column: 7 });
    expect(Buffer.from(records[1]!.rawBytes!)).toEqual(bad);
    expect(records[1]!.fields[2]).toBe('20230101');
    // no padding: the dangling lead byte is followed directly by the next field
    const tight = Buffer.concat([gbk('C00003王小明X'), Buffer.from([0xd5]), gbk('20230101')]); // name: 7 bytes + half a character
    const g = t.file('tight.dat', Buffer.concat([tight, Buffer.from('\n'), gbk('C00004赵六    20220101\n')]));
    const r2 = await readAll(g, profile({ encoding: 'gbk' }));
    expect(r2.records.map((r) => r.problem)).toEqual([{ reason: 'bad_encoding', column: 7 }, undefined]);
    expect(r2.records[0]!.fields[2]).toBe('20230101');
  });

  it('a line shorter than the layout -> field_count at the first missing field', async () => {
    const f = t.file(
      'short.dat',
      Buffer.concat([gbk('C00001张三    20240229\n'), gbk('C00002王五    2023\n'), gbk('C00003\n')]),
    );
    const { records } = await readAll(f, profile());
    expect(records.map((r) => r.problem)).toEqual([
      undefined,
      { reason: 'field_count', column: 15 },
      { reason: 'field_count', column: 7 },
    ]);
    expect(records[1]!.fields.slice(0, 3)).toEqual(['C00002', '王五', '2023']);
  });

  it('GB18030 4-byte characters (𠮷) count 4 bytes; UTF-8 characters 3 bytes', async () => {
    const f = t.file('q.dat', gb18030('C00001𠮷三  20240229\n'));
    expect((await readAll(f, profile())).records[0]!.fields.slice(0, 3)).toEqual(['C00001', '𠮷三', '20240229']);
    const u = t.file('u.dat', Buffer.from('C00001张三20240229\n'));
    const cols3: ColumnMapping[] = [
      { field: 'customer_no', start: 1, width: 6 },
      { field: 'name', start: 7, width: 6 },
      { field: 'opened_on', start: 13, width: 8 },
    ];
    const r = await readAll(u, profile({ columns: cols3 }));
    expect(r.encoding).toBe('utf-8');
    expect(r.records[0]!.fields).toEqual(['C00001', '张三', '20240229']);
  });

  it('header and skipLines are skipped; line numbers stay physical; blank lines skipped', async () => {
    const f = t.file('hdr.dat', gbk('客户信息 2024-01-01\n编号  姓名    日期\n\nC00001张三    20240229\n'));
    const { records } = await readAll(f, profile({ skipLines: 1, header: true }));
    expect(records).toHaveLength(1);
    expect(records[0]!.line).toBe(4);
  });

  it('wrong encoding (utf-8 forced on GBK) -> IMPORT_ENCODING with line and character column', async () => {
    const f = t.file('enc.dat', gbk('C00001ABCD    20240229\nC00002张三    20240229\n'));
    await expectParseError(readAll(f, profile({ encoding: 'utf-8' })), 'IMPORT_ENCODING', { line: 2, column: 7 });
  });

  it('IMPORT_EMPTY_FILE for an empty or header-only file; IMPORT_LINE_TOO_LONG for a huge line', async () => {
    await expectParseError(readAll(t.file('e.dat', ''), profile()), 'IMPORT_EMPTY_FILE');
    await expectParseError(readAll(t.file('h.dat', 'HEADER\n\n'), profile({ header: true })), 'IMPORT_EMPTY_FILE');
    await expectParseError(
      readAll(t.file('l.dat', 'x'.repeat(5000)), profile(), { maxRecordChars: 1000 }),
      'IMPORT_LINE_TOO_LONG',
      { line: 1 },
    );
  });

  it('a fixed-width column without start/width -> IMPORT_BAD_PROFILE', async () => {
    const f = t.file('p.dat', 'C00001\n');
    await expectParseError(
      readAll(f, profile({ columns: [{ field: 'customer_no', source: 1 }] })),
      'IMPORT_BAD_PROFILE',
    );
  });

  it('committed fixture fixed-gbk.dat: amounts right-aligned, a shifted row cut by the layout, a short row', async () => {
    const cols: ColumnMapping[] = [...columns.slice(0, 3), { field: 'registered_capital', start: 23, width: 12 }];
    const { records } = await readAll(path.join(FIXTURES, 'fixed-gbk.dat'), profile({ columns: cols }));
    expect(records.map((r) => [r.line, r.fields, r.problem])).toEqual([
      [1, ['C00001', '张三', '20240229', '1234.56'], undefined],
      [2, ['C00002', '欧阳娜娜', '20230101', '0.07'], undefined],
      [3, ['C00003', '王小李\ufffd', '\ufffd240101', '12.00'], { reason: 'bad_encoding', column: 7 }],
      [4, ['C00004', '赵六', '2022', ''], { reason: 'field_count', column: 15 }],
    ]);
  });
});
