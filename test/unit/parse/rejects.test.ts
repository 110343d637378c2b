import { readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportProfile } from '../../../shared/imports';
import { openRejects } from '../../../main/jobs/parse/rejects';
import { openSource, type OpenedSource, type SourceRecord } from '../../../main/jobs/parse/source';
import { delimitedProfile, gb18030, gbk, readAll, tempDir } from './helpers';

const t = tempDir();
afterAll(() => t.cleanup());

type Reject = { field: string; why: string };
const describeReject = (r: Reject, rec: SourceRecord) => `第${rec.line}行 ${r.field}: ${r.why}`;

/** Opens `file`, rejects the records `pick` selects, returns the rejects file's bytes and result. */
async function rejectSome(
  file: string,
  profile: ImportProfile,
  pick: (r: SourceRecord) => Reject | null,
  out = `${file}.rejects`,
) {
  const src: OpenedSource = await openSource(file, profile);
  const w = await openRejects(out, src, { describe: describeReject, reasonHeader: '拒绝原因' });
  for await (const batch of src.batches()) {
    for (const rec of batch) {
      const r = pick(rec);
      if (r) await w.write(rec, r);
    }
  }
  const result = await w.close();
  return { result, bytes: readFileSync(out), out };
}

describe('rejects file', () => {
  it('delimited GBK: same encoding, delimiter, quoting, line ends; title lines and header kept; reason quoted', async () => {
    const text =
      '客户信息表\r\n客户号|姓名|出生日期\r\nC1|张三|19900101\r\nC2|"李|四"|20240230\r\nC3|王五|20230229\r\n';
    const f = t.file('cif.txt', text, 'gbk');
    const profile = delimitedProfile({ delimiter: '|', header: true, skipLines: 1 });
    const { result, bytes } = await rejectSome(f, profile, (r) =>
      r.fields[2]!.endsWith('0230') || r.fields[2] === '20230229'
        ? { field: '出生日期', why: `日期无效 (${r.fields[2]}) "x|y"` }
        : null,
    );
    expect(result).toMatchObject({ rows: 2, encoding: 'gbk', fellBack: false });
    expect(iconv.decode(bytes, 'gbk')).toBe(
      [
        '客户信息表',
        '客户号|姓名|出生日期|"拒绝原因"',
        'C2|"李|四"|20240230|"第4行 出生日期: 日期无效 (20240230) ""x|y"""',
        'C3|王五|20230229|"第5行 出生日期: 日期无效 (20230229) ""x|y"""',
        '',
      ].join('\r\n'),
    );
    // the rejects file re-imports with the same profile: same fields plus the reason
    const again = await readAll(`${f}.rejects`, profile);
    expect(again.header).toEqual(['客户号', '姓名', '出生日期', '拒绝原因']);
    expect(again.records.map((r) => r.fields.slice(0, 3))).toEqual([
      ['C2', '李|四', '20240230'],
      ['C3', '王五', '20230229'],
    ]);
  });

  it('GB18030: a name with 𠮷 survives exactly (4-byte sequence written back)', async () => {
    const f = t.file('q.csv', gb18030('id,name\n1,𠮷野家\n2,张三\n'));
    const { result, bytes } = await rejectSome(f, delimitedProfile({ header: true }), (r) =>
      r.fields[0] === '1' ? { field: 'name', why: '重复' } : null,
    );
    expect(result.encoding).toBe('gb18030');
    expect(bytes.includes(Buffer.from('9534b235', 'hex'))).toBe(true);
    expect(iconv.decode(bytes, 'gb18030')).toBe('id,name,"拒绝原因"\n1,𠮷野家,"第2行 name: 重复"\n');
  });

  it('GBK source meeting 𠮷 after the detection sample: rejects fall back to GB18030 and say so', async () => {
    const filler = Array.from({ length: 8000 }, (_, i) => `${i},客户${i}`).join('\n'); // > 64 KB of plain GBK
    const f = t.file('late.csv', Buffer.concat([gbk(`id,name\n${filler}\n`), gb18030('9999,𠮷野家\n')]));
    const src = await openSource(f, delimitedProfile({ header: true }));
    expect(src.detected?.encoding).toBe('gbk');
    await src.close();
    const { result, bytes } = await rejectSome(f, delimitedProfile({ header: true }), (r) =>
      r.fields[0] === '1' || r.fields[0] === '9999' ? { field: 'name', why: '测试' } : null,
    );
    expect(result).toMatchObject({ rows: 2, encoding: 'gb18030', fellBack: true });
    expect(iconv.decode(bytes, 'gb18030')).toBe(
      'id,name,"拒绝原因"\n1,客户1,"第3行 name: 测试"\n9999,𠮷野家,"第8002行 name: 测试"\n',
    );
  });

  it('an ASCII-only start under auto: rows written before the encoding is known are transcoded at close', async () => {
    const ascii = Array.from({ length: 5000 }, (_, i) => `${i},c${i}`).join('\n');
    const f = t.file('ascii-first.csv', `${ascii}\n5000,王小明\n`, 'gbk');
    const { result, bytes } = await rejectSome(f, delimitedProfile(), (r) =>
      r.fields[0] === '0' || r.fields[0] === '5000' ? { field: '姓名', why: '无效' } : null,
    );
    expect(result.encoding).toBe('gbk');
    expect(iconv.decode(bytes, 'gbk')).toBe('0,c0,"第1行 姓名: 无效"\n5000,王小明,"第5001行 姓名: 无效"\n');
  });

  it('GBK bytes round-trip exactly, including the codes Node maps the GB18030-2022 way (A6D9 -> U+FE10)', async () => {
    const raw = Buffer.concat([
      Buffer.from('1,'),
      Buffer.from([0xa6, 0xd9, 0xfe, 0x59, 0xd5, 0xc5]),
      Buffer.from('\n'),
    ]);
    const f = t.file('rt.csv', raw);
    const { bytes } = await rejectSome(f, delimitedProfile({ encoding: 'gbk' }), () => ({ field: 'x', why: 'y' }));
    expect(bytes.subarray(0, raw.length - 1)).toEqual(raw.subarray(0, raw.length - 1));
  });

  it("fixed-width: raw line + ' | ' + reason; undecodable lines written as their original bytes", async () => {
    const half = Buffer.concat([gbk('C00002张三'), Buffer.from([0xd5, 0x20]), gbk('  20230101')]);
    const f = t.file('fx.dat', Buffer.concat([gbk('C00001张三    20240230\r\n'), half, Buffer.from('\r\n')]));
    const profile: ImportProfile = {
      name: 'fx',
      kind: 'customers',
      format: 'fixed',
      encoding: 'gbk',
      header: false,
      columns: [
        { field: 'customer_no', start: 1, width: 6 },
        { field: 'name', start: 7, width: 8 },
        { field: 'opened_on', start: 15, width: 8 },
      ],
    };
    const { bytes } = await rejectSome(f, profile, (r) => ({
      field: r.problem ? '姓名' : '开户日期',
      why: r.problem?.reason ?? '日期无效',
    }));
    expect(bytes).toEqual(
      Buffer.concat([
        gbk('C00001张三    20240230 | 第1行 开户日期: 日期无效\r\n'),
        half,
        gbk(' | 第2行 姓名: bad_encoding\r\n'),
      ]),
    );
  });

  it('xlsx: an .xlsx with the original cells (text stays text) plus a reason column', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    ws.addRow(['客户号', '证件号码', '出生日期']);
    ws.addRow(['C1', '110101199001011234', '20240230']);
    ws.addRow(['C2', '11010119900101123X', '19900101']);
    const f = path.join(t.dir, 'in.xlsx');
    await wb.xlsx.writeFile(f);
    const profile: ImportProfile = { ...delimitedProfile({ header: true }), format: 'xlsx' };
    const out = path.join(t.dir, 'rejects.xlsx');
    const { result } = await rejectSome(
      f,
      profile,
      (r) => (r.fields[2] === '20240230' ? { field: '出生日期', why: '日期无效' } : null),
      out,
    );
    expect(result).toMatchObject({ rows: 1, encoding: null });
    const back = await readAll(out, profile);
    expect(back.header).toEqual(['客户号', '证件号码', '出生日期', '拒绝原因']);
    expect(back.records.map((r) => r.fields)).toEqual([
      ['C1', '110101199001011234', '20240230', '第2行 出生日期: 日期无效'],
    ]);
  });
});
