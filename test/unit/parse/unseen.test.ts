/**
 * Text files the parser had never seen (issue 15): UTF-16 with a BOM (Excel's "Unicode text"), a
 * binary file renamed .csv, the line-too-long message's number.
 */
import i18next, { type i18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../../../renderer/src/i18n/messages';
import { en, zhCN } from '../../../shared/i18n/resources';
import { presentColumns } from '../../../main/jobs/parse/source';
import { delimitedProfile, expectParseError, readAll, tempDir } from './helpers';

const t = tempDir();
afterAll(() => t.cleanup());
let inst: i18n;
beforeAll(async () => {
  inst = i18next.createInstance();
  await inst.init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng: 'zh-CN',
    interpolation: { escapeValue: false },
  });
});
const msg = (lng: string, e: { code: string; details: Record<string, unknown> }) =>
  errorMessage((k, o) => inst.getFixedT(lng)(k, o ?? {}), e.code as never, e.details);

const TEXT = '客户号,名称\r\n0001,𠮷祥\r\n0002,"王,喆"\r\n0003,"多\r\n行"\r\n';
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const utf16be = (s: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]);
const profile = delimitedProfile({ header: true }, [
  { field: 'customer_no', source: '客户号' },
  { field: 'name', source: '名称' },
]);

describe('UTF-16 with a byte order mark', () => {
  for (const [name, bytes, enc] of [
    ['little endian', utf16le(TEXT), 'utf-16le'],
    ['big endian', utf16be(TEXT), 'utf-16be'],
  ] as const) {
    it(`reads ${name}: header, 4-byte characters, quoted commas and line breaks`, async () => {
      const r = await readAll(t.file(`u16-${enc}.csv`, bytes), profile);
      expect(r.encoding).toBe(enc);
      expect(r.header).toEqual(['客户号', '名称']);
      expect(r.records.map((x) => x.fields)).toEqual([
        ['0001', '𠮷祥'],
        ['0002', '王,喆'],
        ['0003', '多\r\n行'],
      ]);
      expect(r.records.map((x) => x.line)).toEqual([2, 3, 4]);
    });
  }

  it('reads UTF-16 across chunk boundaries (a character cut between two reads)', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${String(i).padStart(6, '0')},𠮷祥${i}`);
    const r = await readAll(t.file('u16-big.csv', utf16le(`客户号,名称\n${rows.join('\n')}\n`)), profile);
    expect(r.records).toHaveLength(40_000);
    expect(r.records[39_999]!.fields).toEqual(['039999', '𠮷祥39999']);
  });

  it('a file without the BOM is not taken as UTF-16 when the user picks it', async () => {
    await expectParseError(
      readAll(t.file('no-bom.csv', '客户号,名称\n1,a\n'), profile, { encoding: 'utf-16le' }),
      'IMPORT_ENCODING',
    );
  });
});

describe('not a text file', () => {
  it('a binary file renamed .csv is "not a text file", not an encoding error at some column', async () => {
    const bin = Buffer.alloc(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
    const e = await expectParseError(readAll(t.file('photo.csv', bin), profile), 'IMPORT_NOT_TEXT');
    expect(msg('zh-CN', e)).toContain('不是文本文件');
    expect(msg('en', e)).toContain('not a text file');
  });

  it('an Excel workbook renamed .csv says it is a workbook', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
    const e = await expectParseError(readAll(t.file('book.csv', zip), profile), 'IMPORT_NOT_TEXT');
    expect(e.details.kind).toBe('zip');
    expect(msg('zh-CN', e)).toContain('.xlsx');
  });
});

describe('messages carry their numbers', () => {
  it('该行过长 names the limit', async () => {
    const f = t.file('long.csv', `a,b\n1,${'x'.repeat(2000)}\n`);
    const e = await expectParseError(readAll(f, delimitedProfile(), { maxRecordChars: 1000 }), 'IMPORT_LINE_TOO_LONG');
    expect(msg('zh-CN', e)).toContain('超过 1000 个字符');
    expect(msg('en', e)).toContain('1000');
  });
});

describe('optional columns', () => {
  it('an absent optional column is left out; a key or required one never is', () => {
    const p = delimitedProfile({ header: true }, [
      { field: 'customer_no', source: '客户号', optional: true },
      { field: 'name', source: '名称', optional: true },
      { field: 'email', source: '邮箱', optional: true },
      { field: 'address', source: '地址' },
    ]);
    const used = presentColumns(p, ['客户号', '地址']);
    expect(used.columns.map((c) => c.field)).toEqual(['customer_no', 'name', 'address']);
    expect(presentColumns(p, null)).toBe(p);
  });
});
