import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { DelimitedReader } from '../../../main/jobs/parse/delimited';
import { detectEncoding, SegmentDecoder } from '../../../main/jobs/parse/encoding';
import { bufferChunks } from '../../../main/jobs/parse/io';
import { delimitedProfile, expectParseError, FIXTURES, gb18030, gbk, readAll, tempDir } from './helpers';

const t = tempDir();
afterAll(() => t.cleanup());

/** Parses bytes with a given chunk size straight through the reader (chunk-boundary torture). */
async function parseBytes(bytes: Buffer, opts: ConstructorParameters<typeof DelimitedReader>[1] = {}, chunk = 1 << 20) {
  const detected = detectEncoding(bytes.subarray(0, 65536), { final: true });
  const r = new DelimitedReader(
    new SegmentDecoder(bufferChunks(bytes, chunk), { encoding: null, detected }, 4_000_000),
    opts,
  );
  await r.start();
  const recs = [];
  for (let b = await r.nextBatch(); b; b = await r.nextBatch()) recs.push(...b);
  return { header: r.header, recs };
}

describe('delimited: RFC 4180', () => {
  const tricky = ['id,name,memo', '1,"张,三","he said ""hi"""', '2,"multi', 'line","a\r\nb"', '3,,""', '4,"x",y'].join(
    '\r\n',
  );

  it('embedded delimiters, doubled quotes, CR/LF/CRLF inside quotes, empty fields, CRLF line ends', async () => {
    const f = t.file('tricky.csv', `${tricky}\r\n`);
    const { header, records } = await readAll(f, delimitedProfile({ header: true }));
    expect(header).toEqual(['id', 'name', 'memo']);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [2, ['1', '张,三', 'he said "hi"']],
      [3, ['2', 'multi\r\nline', 'a\r\nb']],
      [6, ['3', '', '']], // the record above spans physical lines 3-5
      [7, ['4', 'x', 'y']],
    ]);
    expect(records[0]!.raw).toBe('1,"张,三","he said ""hi"""');
    expect(records[1]!.raw).toBe('2,"multi\r\nline","a\r\nb"');
    expect(records[1]!.cols).toEqual([1, 3, 7]); // memo starts at column 7 of physical line 4
    expect(records[0]!.cols).toEqual([1, 3, 9]);
  });

  it('gives identical records whatever the chunk boundaries', async () => {
    const bytes = gb18030(`${tricky}\n5,𠮷野家,"丨|,""𠮷"""\n6,end`);
    const whole = await parseBytes(bytes, { header: true });
    expect(whole.recs.at(-2)!.fields).toEqual(['5', '𠮷野家', '丨|,"𠮷"']);
    for (const chunk of [1, 2, 3, 5, 7, 64]) {
      const part = await parseBytes(bytes, { header: true }, chunk);
      expect(part.recs.map((r) => [r.line, r.fields, r.raw])).toEqual(whole.recs.map((r) => [r.line, r.fields, r.raw]));
    }
  });

  it('last line with and without newline; LF and CRLF; blank and whitespace-only lines skipped', async () => {
    for (const text of ['a,b\n\nc,d', 'a,b\r\n  \r\nc,d\r\n', 'a,b\n\n\nc,d\n\n']) {
      const { records } = await readAll(t.file('ends.csv', text), delimitedProfile());
      expect(records.map((r) => r.fields)).toEqual([
        ['a', 'b'],
        ['c', 'd'],
      ]);
      expect(records.map((r) => r.raw)).toEqual(['a,b', 'c,d']);
    }
  });

  it('UTF-8 BOM stripped (not in the first header name, not in the columns)', async () => {
    const f = t.file(
      'bom.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('客户号,名称\nC1,张三\n')]),
    );
    const { header, records } = await readAll(f, delimitedProfile({ header: true }));
    expect(header).toEqual(['客户号', '名称']);
    expect(records[0]!.cols).toEqual([1, 4]);
  });

  it('skipLines before the header (a report title), counted in line numbers', async () => {
    const f = t.file('skip.csv', '客户信息表,"未闭合\n导出日期 2024-01-01\nid,name\n1,a\n', 'gbk');
    const { header, records } = await readAll(f, delimitedProfile({ header: true, skipLines: 2 }));
    expect(header).toEqual(['id', 'name']);
    expect(records[0]).toMatchObject({ line: 4, fields: ['1', 'a'] });
  });

  it('tab, pipe, semicolon, caret and \\x01 delimiters; a custom quote character', async () => {
    for (const d of ['\t', '|', ';', '^', '\x01']) {
      const f = t.file('d.txt', `a${d}"b${d}c"${d}\n1${d}2${d}3\n`);
      const { records } = await readAll(f, delimitedProfile({ delimiter: d }));
      expect(records.map((r) => r.fields)).toEqual([
        ['a', `b${d}c`, ''],
        ['1', '2', '3'],
      ]);
    }
    const f = t.file('q.txt', "a,'b,c','it''s'\n");
    expect((await readAll(f, delimitedProfile({ quote: "'" }))).records[0]!.fields).toEqual(['a', 'b,c', "it's"]);
  });

  it("GBK with '|' (0x7C) and '\\' (0x5C) trail bytes splits on characters, not bytes", async () => {
    const pipeTrail = [...'亅倈億剕厊唡噟坾墊妡'];
    for (const c of pipeTrail) expect(gbk(c)[1]).toBe(0x7c);
    expect(gbk('乗')[1]).toBe(0x5c);
    const f = t.file(
      'pipe.txt',
      Buffer.concat([gbk('编号|名称|备注\n'), gbk('1|亅倈億|乗俓\\\n'), gbk('2|"剕|厊"|坾\n')]),
    );
    const { header, records, encoding } = await readAll(f, delimitedProfile({ delimiter: '|', header: true }));
    expect(encoding).toBe('gbk');
    expect(header).toEqual(['编号', '名称', '备注']);
    expect(records.map((r) => r.fields)).toEqual([
      ['1', '亅倈億', '乗俓\\'],
      ['2', '剕|厊', '坾'],
    ]);
  });

  it('a name with 𠮷 (U+20BB7) in a GB18030 file survives exactly; columns count it as one character', async () => {
    const f = t.file('jiyoshi.csv', gb18030('1,𠮷野家,𠮷\n2,"𠮷",x\n'));
    const { records, encoding } = await readAll(f, delimitedProfile());
    expect(encoding).toBe('gb18030');
    expect(records[0]!.fields[1]).toBe('𠮷野家');
    expect(records[0]!.fields[1]!.codePointAt(0)).toBe(0x20bb7);
    expect(records[0]!.cols).toEqual([1, 3, 7]);
    expect(records[1]!.cols).toEqual([1, 3, 7]);
  });
});

describe('delimited: row-level vs file-level problems', () => {
  it('too many / too few fields are records (the caller rejects field_count)', async () => {
    const f = t.file('count.csv', 'a,b,c\n1,2\n1,2,3,4\n1,2,3\n');
    const { records } = await readAll(f, delimitedProfile({ header: true }));
    expect(records.map((r) => [r.line, r.fields.length])).toEqual([
      [2, 2],
      [3, 4],
      [4, 3],
    ]);
  });

  it('unclosed quote -> IMPORT_UNCLOSED_QUOTE at the line and column where the quote opened', async () => {
    const f = t.file('unclosed.csv', 'a,b\n1,2\n3,"never closed\n4,5\n6,7\n');
    await expectParseError(readAll(f, delimitedProfile()), 'IMPORT_UNCLOSED_QUOTE', { line: 3, column: 3 });
  });

  it('truncated file ending inside a quoted field -> unclosed quote; ending mid-line -> short last record', async () => {
    const full = 'id,name,addr\n1,张三,"北京市,朝阳区"\n2,李四,"上海市,浦东新区"\n';
    const insideQuote = full.slice(0, full.indexOf('浦东'));
    await expectParseError(
      readAll(t.file('trunc1.csv', insideQuote, 'gbk'), delimitedProfile({ header: true })),
      'IMPORT_UNCLOSED_QUOTE',
      {
        line: 3,
        column: 6,
      },
    );
    const midLine = full.slice(0, full.indexOf(',"上海'));
    const { records } = await readAll(t.file('trunc2.csv', midLine, 'gbk'), delimitedProfile({ header: true }));
    expect(records.at(-1)).toMatchObject({ line: 3, fields: ['2', '李四'] });
    expect(records.at(-1)!.fields.length).toBe(2); // < 3: the engine rejects it as field_count
  });

  it('a file truncated in the middle of a multi-byte character -> IMPORT_ENCODING on the last line', async () => {
    const bytes = gbk('1,张三\n2,李四\n');
    await expectParseError(
      readAll(t.file('cutchar.csv', bytes.subarray(0, bytes.length - 2)), delimitedProfile()),
      'IMPORT_ENCODING',
      { line: 2, column: 4 },
    );
  });

  it('empty file, BOM only, whitespace only, header only -> IMPORT_EMPTY_FILE', async () => {
    await expectParseError(readAll(t.file('e0.csv', ''), delimitedProfile()), 'IMPORT_EMPTY_FILE');
    await expectParseError(
      readAll(t.file('e1.csv', Buffer.from([0xef, 0xbb, 0xbf])), delimitedProfile()),
      'IMPORT_EMPTY_FILE',
    );
    await expectParseError(readAll(t.file('e2.csv', ' \r\n\t\n\n'), delimitedProfile()), 'IMPORT_EMPTY_FILE');
    await expectParseError(
      readAll(t.file('e3.csv', 'id,name\r\n'), delimitedProfile({ header: true })),
      'IMPORT_EMPTY_FILE',
    );
    await expectParseError(readAll(t.file('e4.csv', '\n\n'), delimitedProfile({ header: true })), 'IMPORT_EMPTY_FILE');
  });

  it('a record over maxRecordChars -> IMPORT_LINE_TOO_LONG', async () => {
    const f = t.file('long.csv', `a,b\n1,${'x'.repeat(2000)}\n`);
    await expectParseError(readAll(f, delimitedProfile(), { maxRecordChars: 1000 }), 'IMPORT_LINE_TOO_LONG', {
      line: 2,
    });
    const q = t.file('longq.csv', `a,b\n1,"${'x\n'.repeat(1000)}"\n`);
    await expectParseError(readAll(q, delimitedProfile(), { maxRecordChars: 1000 }), 'IMPORT_LINE_TOO_LONG', {
      line: 2,
    });
  });

  it('a ~50 MB line without newline fails fast with bounded memory', async () => {
    const f = `${t.dir}/huge.csv`;
    const fd = openSync(f, 'w');
    const block = Buffer.alloc(1 << 20, 'abcdefgh,');
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    closeSync(fd);
    globalThis.gc?.();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const e = await expectParseError(readAll(f, delimitedProfile()), 'IMPORT_LINE_TOO_LONG', { line: 1 });
      expect(e.details.maxRecordChars).toBe(1_000_000);
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(peak - rss0).toBeLessThan(100 * 2 ** 20);
  });
});

describe('delimited: iconv-lite encoded fixtures of every encoding', () => {
  it.each(['utf-8', 'gbk', 'gb18030'] as const)('%s customer rows', async (enc) => {
    const text = '客户号,姓名,地址\nC001,欧阳娜娜,"广州市天河区,珠江新城"\nC002,司马懿,\n';
    const bytes = enc === 'utf-8' ? Buffer.from(text) : iconv.encode(text, enc);
    const { recs } = await parseBytes(bytes, { header: true }, 3);
    expect(recs.map((r) => r.fields)).toEqual([
      ['C001', '欧阳娜娜', '广州市天河区,珠江新城'],
      ['C002', '司马懿', ''],
    ]);
  });
});

describe('delimited: committed fixtures (real bytes)', () => {
  it('gbk-pipe.txt: GBK, pipe delimiter, 0x7C / 0x5C trail bytes, CRLF', async () => {
    const { header, records, encoding } = await readAll(
      path.join(FIXTURES, 'gbk-pipe.txt'),
      delimitedProfile({ delimiter: '|', header: true }),
    );
    expect(encoding).toBe('gbk');
    expect(header).toEqual(['编号', '名称', '备注']);
    expect(records.map((r) => r.fields)).toEqual([
      ['1', '亅倈億', '乗俓\\'],
      ['2', '剕厊唡', '含|竖线'],
      ['3', '噟坾墊', '妡'],
    ]);
  });

  it('gb18030-customers.csv: 𠮷, doubled quotes, a newline inside quotes, grouped amounts', async () => {
    const { records, encoding } = await readAll(
      path.join(FIXTURES, 'gb18030-customers.csv'),
      delimitedProfile({ header: true }),
    );
    expect(encoding).toBe('gb18030');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [2, ['C0000000001', '𠮷野家', '北京市朝阳区建国路88号,3单元501室', '1,234.56']],
      [3, ['C0000000002', '欧阳"娜娜"', '上海市浦东新区\r\n陆家嘴环路1000号', '0.07']],
      [5, ['C0000000003', '司马懿', '', '-12']],
    ]);
  });
});
