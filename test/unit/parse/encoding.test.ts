import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decoderFor, detectEncoding, locateEncodingError, SAMPLE_BYTES } from '../../../main/jobs/parse/encoding';
import { delimitedProfile, expectParseError, gb18030, gbk, readAll, tempDir } from './helpers';

const CHINESE =
  '客户号,客户名称,联系地址\n0001,张三,北京市朝阳区建国路88号\n0002,李四,上海市浦东新区陆家嘴环路1000号\n';

describe('detectEncoding', () => {
  it('UTF-8 BOM -> utf-8, high', () => {
    const d = detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n')]));
    expect(d).toMatchObject({ encoding: 'utf-8', bom: true, confidence: 'high' });
  });
  it('GB18030 BOM -> gb18030, high', () => {
    expect(detectEncoding(Buffer.from([0x84, 0x31, 0x95, 0x33, 0x41]))).toMatchObject({
      encoding: 'gb18030',
      bom: true,
      confidence: 'high',
    });
  });
  it('valid UTF-8 with Chinese -> utf-8, high', () => {
    expect(detectEncoding(Buffer.from(CHINESE))).toMatchObject({ encoding: 'utf-8', bom: false, confidence: 'high' });
  });
  it('pure ASCII -> utf-8, low', () => {
    expect(detectEncoding(Buffer.from('a,b,c\n1,2,3\n'))).toMatchObject({ encoding: 'utf-8', confidence: 'low' });
  });
  it('GBK (invalid UTF-8, no 4-byte sequences) -> gbk', () => {
    expect(detectEncoding(gbk(CHINESE))).toMatchObject({ encoding: 'gbk', bom: false, confidence: 'high' });
  });
  it('GB18030 with a 4-byte sequence (𠮷) -> gb18030', () => {
    const d = detectEncoding(gb18030(`${CHINESE}0003,𠮷野,广州\n`));
    expect(d).toMatchObject({ encoding: 'gb18030', confidence: 'high' });
    expect(d.reason).toMatch(/four-byte/);
  });
  it('a sample cut in the middle of a character is not mistaken for an invalid one', () => {
    const u = Buffer.from(CHINESE.repeat(2000)); // > 64 KB of UTF-8
    for (let cut = SAMPLE_BYTES - 3; cut <= SAMPLE_BYTES; cut++)
      expect(detectEncoding(u.subarray(0, cut)).encoding).toBe('utf-8');
    const g = gbk(CHINESE.repeat(2000));
    for (let cut = SAMPLE_BYTES - 3; cut <= SAMPLE_BYTES; cut++)
      expect(detectEncoding(g.subarray(0, cut)).encoding).toBe('gbk');
    const q = gb18030(`𠮷${CHINESE}`.repeat(2000));
    for (let cut = SAMPLE_BYTES - 4; cut <= SAMPLE_BYTES; cut++)
      expect(detectEncoding(q.subarray(0, cut)).encoding).toBe('gb18030');
    // the same cut in a whole file (final) is a real error for UTF-8: falls through to GB18030
    const cutUtf8 = Buffer.from('张三').subarray(0, 4);
    expect(detectEncoding(cutUtf8, { final: true }).encoding).not.toBe('utf-8');
  });
  it('bytes valid in neither -> low confidence with the position', () => {
    const d = detectEncoding(Buffer.from([0x41, 0x0a, 0x42, 0xff, 0xfe, 0x43]), { final: true });
    expect(d.confidence).toBe('low');
    expect(d.reason).toMatch(/line 2/);
  });
});

describe('decoderFor / locateEncodingError', () => {
  it('Node decodes 4-byte GB18030 sequences (gbk uses the GB18030 decoder: superset)', () => {
    const bytes = gb18030('张𠮷三');
    expect(bytes.length).toBe(2 + 4 + 2);
    expect(decoderFor('gb18030').decode(bytes)).toBe('张𠮷三');
    expect(decoderFor('gbk').decode(bytes)).toBe('张𠮷三');
    // split across calls in streaming mode
    const d = decoderFor('gb18030');
    let s = '';
    for (const b of bytes) s += d.decode(Buffer.from([b]), { stream: true });
    expect(s + d.decode()).toBe('张𠮷三');
  });
  it('decoding is fatal: a wrong encoding throws instead of producing mojibake', () => {
    expect(() => decoderFor('utf-8').decode(gbk('张三'))).toThrow();
  });
  it('locates the first bad byte: line index and character column', () => {
    const bytes = Buffer.concat([Buffer.from('abc\nxy张'), gbk('三'), Buffer.from('z\n')]);
    expect(locateEncodingError(bytes, 'utf-8')).toEqual({ lineIndex: 1, column: 4, byteOffset: 9 });
    // truncated character at the very end
    const cut = Buffer.from('ab张').subarray(0, 4);
    expect(locateEncodingError(cut, 'utf-8')).toMatchObject({ lineIndex: 0, column: 3, byteOffset: 2 });
  });
});

describe('forced and deferred encodings, end to end', () => {
  it("forcing 'utf-8' on a GBK file fails with IMPORT_ENCODING at the first bad character", async () => {
    const t = tempDir();
    try {
      const f = t.file('gbk.csv', 'id,name\n1,abc\n2,x张三\n', 'gbk');
      const e = await expectParseError(
        readAll(f, delimitedProfile({ header: true }), { encoding: 'utf-8' }),
        'IMPORT_ENCODING',
        { line: 3, column: 4 },
      );
      expect(e.details).toMatchObject({ encoding: 'utf-8', fileOffset: 17 }); // 'id,name\n1,abc\n2,x' is 17 bytes
      // the profile's own encoding setting is an override too
      await expectParseError(readAll(f, delimitedProfile({ header: true, encoding: 'utf-8' })), 'IMPORT_ENCODING', {
        line: 3,
        column: 4,
      });
      // auto detection gets it right
      expect((await readAll(f, delimitedProfile({ header: true }))).records[1]!.fields).toEqual(['2', 'x张三']);
    } finally {
      t.cleanup();
    }
  });
  it('an ASCII-only first 64 KB defers the decision to the first non-ASCII bytes', async () => {
    const t = tempDir();
    try {
      const ascii = Array.from({ length: 5000 }, (_, i) => `${i},customer${i},ok`).join('\n');
      const f = t.file('late.csv', `${ascii}\n5000,王小明,晚到的中文\n`, 'gbk');
      const r = await readAll(f, delimitedProfile());
      expect(r.records.at(-1)!.fields).toEqual(['5000', '王小明', '晚到的中文']);
      expect(r.encoding).toBe('gbk');
      const f8 = t.file('late8.csv', `${ascii}\n5000,王小明,晚到的中文\n`, 'utf-8');
      const r8 = await readAll(f8, delimitedProfile());
      expect(r8.records.at(-1)!.fields[1]).toBe('王小明');
      expect(r8.encoding).toBe('utf-8');
    } finally {
      t.cleanup();
    }
  });
  it('iconv-lite round-trips 𠮷 in gb18030 (4 bytes) but cannot encode it in gbk', () => {
    expect(iconv.encode('𠮷', 'gb18030').toString('hex')).toBe('9534b235');
    expect(iconv.decode(iconv.encode('𠮷', 'gb18030'), 'gb18030')).toBe('𠮷');
    expect(iconv.encode('𠮷', 'gbk').toString()).toBe('?');
  });
});
