import { closeSync, openSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportProfile } from '../../../shared/imports';
import { DelimitedReader } from '../../../main/jobs/parse/delimited';
import { detectEncoding, SegmentDecoder } from '../../../main/jobs/parse/encoding';
import { iterableChunks } from '../../../main/jobs/parse/io';
import { openSource, preview, resolveColumns } from '../../../main/jobs/parse/source';
import { delimitedProfile, expectParseError, readAll, tempDir } from './helpers';

const t = tempDir();
afterAll(() => t.cleanup());

function bigCsv(name: string, rows: number): string {
  const f = `${t.dir}/${name}`;
  const fd = openSync(f, 'w');
  writeSync(fd, 'id,name,addr\n');
  let block = '';
  for (let i = 1; i <= rows; i++) {
    block += `${i},客户${i},"北京市朝阳区建国路${i}号,${i % 9}单元"\n`;
    if (block.length > 500_000) {
      writeSync(fd, block);
      block = '';
    }
  }
  writeSync(fd, block);
  closeSync(fd);
  return f;
}

const cif: ImportProfile = delimitedProfile({ header: true }, [
  { field: 'customer_no', source: '客户号' },
  { field: 'name', source: 'Name' },
  { field: 'kind', constant: 'individual' },
  { field: 'address', source: 4 },
  { field: 'mobile', source: '手机' },
]);

describe('resolveColumns', () => {
  it('maps header names (trimmed, ASCII case-insensitive), 1-based numbers and constants', () => {
    expect(resolveColumns(cif, [' 客户号 ', 'NAME', '手机', '地址'])).toEqual({ indexes: [0, 1, -1, 3, 2] });
  });
  it('a header lacking named columns -> IMPORT_HEADER_MISMATCH with every missing name and the header found', () => {
    let err: unknown;
    try {
      resolveColumns(cif, ['客户编号', 'name', '地址']);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'IMPORT_HEADER_MISMATCH',
      details: { missing: ['客户号', '#4', '手机'], found: ['客户编号', 'name', '地址'] },
    });
  });
  it('end to end: the header read by openSource is checked before any row', async () => {
    const f = t.file('mismatch.csv', '客户编号,姓名\nC1,张三\n', 'gbk');
    const src = await openSource(f, cif);
    expect(() => resolveColumns(cif, src.header)).toThrow(expect.objectContaining({ code: 'IMPORT_HEADER_MISMATCH' }));
    await src.close();
  });
  it('fixed-width columns and constants are -1 (fixed records are aligned with profile.columns)', () => {
    const fixed: ImportProfile = {
      ...cif,
      format: 'fixed',
      columns: [
        { field: 'customer_no', start: 1, width: 6 },
        { field: 'kind', constant: 'x' },
      ],
    };
    expect(resolveColumns(fixed, null)).toEqual({ indexes: [-1, -1] });
  });
});

describe('openSource', () => {
  it('streams batches of at most batchSize records, reporting progress in bytes', async () => {
    const f = bigCsv('big.csv', 30_000);
    const src = await openSource(f, delimitedProfile({ header: true }), { batchSize: 2500 });
    let n = 0;
    let batches = 0;
    let lastProgress = 0;
    for await (const b of src.batches()) {
      expect(b.length).toBeLessThanOrEqual(2500);
      expect(src.bytesRead()).toBeGreaterThanOrEqual(lastProgress);
      lastProgress = src.bytesRead();
      n += b.length;
      batches++;
    }
    expect(n).toBe(30_000);
    expect(batches).toBe(12);
    expect(src.bytesRead()).toBe(src.totalBytes);
  });

  it('preview returns the first n records without reading the rest', async () => {
    const f = bigCsv('preview.csv', 200_000); // ~9 MB
    const src = await openSource(f, delimitedProfile({ header: true }), { batchSize: 20 });
    const it = src.batches()[Symbol.asyncIterator]();
    await it.next();
    expect(src.bytesRead()).toBeLessThanOrEqual(1 << 20);
    await it.return?.();
    const p = await preview(f, delimitedProfile({ header: true }), 5);
    expect(p.header).toEqual(['id', 'name', 'addr']);
    expect(p.records.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
    expect(p.encoding).toBe('utf-8');
  });

  it('a file that does not exist -> IMPORT_READ_FAILED with errno ENOENT', async () => {
    const e = await expectParseError(openSource(`${t.dir}/nope.csv`, delimitedProfile()), 'IMPORT_READ_FAILED');
    expect(e.details.errno).toBe('ENOENT');
  });

  it('a file truncated while it is being read -> IMPORT_READ_FAILED', async () => {
    const f = bigCsv('shrinks.csv', 100_000);
    const src = await openSource(f, delimitedProfile({ header: true }));
    const e = await expectParseError(
      (async () => {
        let i = 0;
        for await (const _ of src.batches()) if (++i === 2) truncateSync(f, 1_500_000);
      })(),
      'IMPORT_READ_FAILED',
    );
    expect(e.details).toMatchObject({ errno: 'ETRUNCATED' });
  });

  it('a file deleted while it is being read: the open handle still reads it (Linux) or fails cleanly', async () => {
    const f = bigCsv('vanishes.csv', 50_000);
    const src = await openSource(f, delimitedProfile({ header: true }));
    let n = 0;
    let first = true;
    try {
      for await (const b of src.batches()) {
        if (first) unlinkSync(f);
        first = false;
        n += b.length;
      }
      expect(n).toBe(50_000);
    } catch (e) {
      expect(e).toMatchObject({ code: 'IMPORT_READ_FAILED' });
    }
  });

  it('a stream that errors mid-read -> IMPORT_READ_FAILED carrying the errno code', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('a,b\n1,2\n');
        throw Object.assign(new Error('disk gone'), { code: 'EIO' });
      })(),
    );
    const r = new DelimitedReader(
      new SegmentDecoder(iterableChunks(failing), { encoding: null, detected: detectEncoding(Buffer.from('a')) }, 1e6),
      {},
    );
    await r.start();
    const e = await expectParseError(
      (async () => {
        while (await r.nextBatch());
      })(),
      'IMPORT_READ_FAILED',
    );
    expect(e.details.errno).toBe('EIO');
  });

  it('an abort signal stops the reading with an AbortError', async () => {
    const f = bigCsv('abort.csv', 100_000);
    const ac = new AbortController();
    const src = await openSource(f, delimitedProfile({ header: true }), { signal: ac.signal });
    await expect(
      (async () => {
        for await (const _ of src.batches()) ac.abort();
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('readAll of the same file twice gives the same records (no state leaks between opens)', async () => {
    const f = t.file('twice.csv', '1,"a\nb"\n2,c\n');
    expect((await readAll(f, delimitedProfile())).records).toEqual((await readAll(f, delimitedProfile())).records);
  });
});
