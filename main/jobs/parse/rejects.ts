/**
 * The rejects file: every rejected record in the SAME encoding and layout as the source plus a
 * reason, so a clerk can fix it in the tool they used for the original and import it again with
 * the same profile (the skipped title lines and the header are written back too).
 *   delimited: header + delimiter + "reason header"; each record's raw text + delimiter + "reason"
 *              (the reason always quoted, quotes doubled); the source's line terminator.
 *   fixed:     raw line + ' | ' + reason (raw bytes verbatim when the line was undecodable).
 *   xlsx:      the original cells + a reason column (exceljs streaming WorkbookWriter).
 * Output is buffered and flushed in 256 KB writes: rejects can be millions of rows.
 *
 * Encoding: GBK cannot encode 4-byte GB18030 characters (𠮷 U+20BB7). GB18030 is a superset of
 * GBK, so on the first such character the writer switches to gb18030 for the rest of the file and
 * reports it (`encoding`, `fellBack`); bytes already written stay valid. While the source's
 * encoding is not settled (only ASCII seen under 'auto'), rows are written as UTF-8 and the file
 * is transcoded once at close into the encoding finally decided.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { TextDecoder } from 'node:util';
import iconv from 'iconv-lite';
import type { Encoding } from '../../../shared/imports';
import type { SourceRecord } from './io';
import type { OpenedSource } from './source';
import { loadExcelJS } from './xlsx';

export type RejectsSource = Pick<OpenedSource, 'format' | 'encoding' | 'encodingSettled' | 'header' | 'dialect'>;

export interface RejectsOptions<R> {
  /** Text of the reason cell, e.g. '第12行 第5列 出生日期: 日期无效 (20240230)'; translated by the caller. */
  describe: (reject: R, record: SourceRecord) => string;
  /** Title of the reason column. */
  reasonHeader?: string;
  /** xlsx: sheet name of the rejects workbook. */
  sheetName?: string;
}

export interface RejectsResult {
  file: string;
  rows: number;
  /** Encoding of the file written (null for xlsx). */
  encoding: Encoding | null;
  /** True when the source was GBK but a character needed GB18030. */
  fellBack: boolean;
}

export interface RejectsWriter<R> {
  write(record: SourceRecord, reject: R): Promise<void>;
  close(): Promise<RejectsResult>;
}

/**
 * Node's decoder follows GB18030-2022 for 18 two-byte codes that iconv-lite maps the 2005 way;
 * encode those back to the two bytes they came from so a rejects file round-trips byte for byte.
 */
const GB2022: Record<string, number[]> = {};
[
  [0xfe10, 0xa6d9],
  [0xfe12, 0xa6da],
  [0xfe11, 0xa6db],
  [0xfe13, 0xa6dc],
  [0xfe14, 0xa6dd],
  [0xfe15, 0xa6de],
  [0xfe16, 0xa6df],
  [0xfe17, 0xa6ec],
  [0xfe18, 0xa6ed],
  [0xfe19, 0xa6f3],
  [0x9fb4, 0xfe59],
  [0x9fb5, 0xfe61],
  [0x9fb6, 0xfe66],
  [0x9fb7, 0xfe67],
  [0x9fb8, 0xfe6d],
  [0x9fb9, 0xfe7e],
  [0x9fba, 0xfe90],
  [0x9fbb, 0xfea0],
].forEach(([u, g]) => {
  GB2022[String.fromCharCode(u!)] = [g! >> 8, g! & 0xff];
});
const GB2022_RE = /[\uFE10-\uFE19\u9FB4-\u9FBB]/;

function encodeGb(s: string, enc: 'gbk' | 'gb18030'): Buffer {
  if (!GB2022_RE.test(s)) return iconv.encode(s, enc);
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const b = GB2022[s[i]!];
    if (!b) continue;
    if (i > from) parts.push(iconv.encode(s.slice(from, i), enc));
    parts.push(Buffer.from(b));
    from = i + 1;
  }
  if (from < s.length) parts.push(iconv.encode(s.slice(from), enc));
  return Buffer.concat(parts);
}

function count(s: string | Buffer, q: string | number): number {
  let n = 0;
  for (let i = s.indexOf(q as never); i >= 0; i = s.indexOf(q as never, i + 1)) n++;
  return n;
}

/** Text encoder that falls back from GBK to GB18030 on the first character GBK lacks. */
class TextEncoderFor {
  fellBack = false;
  constructor(public encoding: Encoding) {}
  encode(s: string): Buffer {
    if (this.encoding === 'utf-8') return Buffer.from(s, 'utf8');
    if (this.encoding === 'utf-16le') return Buffer.from(s, 'utf16le');
    if (this.encoding === 'utf-16be') return Buffer.from(s, 'utf16le').swap16();
    if (this.encoding === 'gb18030') return encodeGb(s, 'gb18030');
    const b = encodeGb(s, 'gbk');
    // iconv-lite writes '?' for what GBK cannot encode: more '?' bytes out than in means a loss.
    if (b.indexOf(0x3f) < 0 || count(b, 0x3f) === count(s, '?')) return b;
    this.encoding = 'gb18030';
    this.fellBack = true;
    return encodeGb(s, 'gb18030');
  }
}

const BOM: Record<Encoding, number[]> = {
  'utf-8': [0xef, 0xbb, 0xbf],
  gbk: [],
  gb18030: [0x84, 0x31, 0x95, 0x33],
  'utf-16le': [0xff, 0xfe],
  'utf-16be': [0xfe, 0xff],
};

export async function openRejects<R>(
  file: string,
  source: RejectsSource,
  opts: RejectsOptions<R>,
): Promise<RejectsWriter<R>> {
  return source.format === 'xlsx' ? openXlsxRejects(file, source, opts) : openTextRejects(file, source, opts);
}

async function openTextRejects<R>(
  file: string,
  source: RejectsSource,
  opts: RejectsOptions<R>,
): Promise<RejectsWriter<R>> {
  const settled = source.encodingSettled && source.encoding !== null;
  const enc = new TextEncoderFor(settled ? source.encoding! : 'utf-8');
  const d = source.dialect;
  const fixed = source.format === 'fixed';
  const q = d.quote;
  const quoted = (s: string) => q + s.split(q).join(q + q) + q;
  const tail = (reason: string) => (fixed ? ` | ${reason}` : d.delimiter + quoted(reason)) + d.eol;
  const fh = await fsp.open(file, 'w');
  let pending: Buffer[] = [];
  let size = 0;
  let rows = 0;
  const flush = async () => {
    if (size === 0) return;
    const all = Buffer.concat(pending, size);
    pending = [];
    size = 0;
    await fh.write(all);
  };
  const push = (b: Buffer) => {
    pending.push(b);
    size += b.length;
  };
  try {
    if (d.bom && settled) push(Buffer.from(BOM[enc.encoding]));
    for (const [line] of d.preamble) push(enc.encode((line ?? '') + d.eol));
    if (d.headerRaw !== null) push(enc.encode(d.headerRaw + tail(opts.reasonHeader ?? 'reason')));
  } catch (e) {
    await fh.close();
    throw e;
  }
  return {
    async write(record, reject) {
      if (record.rawBytes && settled) push(Buffer.from(record.rawBytes));
      else push(enc.encode(record.raw));
      push(enc.encode(tail(opts.describe(reject, record))));
      rows++;
      if (size >= 256 * 1024) await flush();
    },
    async close() {
      try {
        await flush();
      } finally {
        await fh.close();
      }
      const target = source.encoding ?? 'utf-8';
      if (!settled && target !== 'utf-8') return { file, rows, ...(await transcode(file, target, d.bom)) };
      return { file, rows, encoding: enc.encoding, fellBack: enc.fellBack };
    },
  };
}

/** Rewrites a UTF-8 rejects file into `target`, streaming, once the source's encoding is known. */
async function transcode(
  file: string,
  target: Encoding,
  bom: boolean,
): Promise<{ encoding: Encoding; fellBack: boolean }> {
  const tmp = `${file}.part`;
  const enc = new TextEncoderFor(target);
  const out = await fsp.open(tmp, 'w');
  try {
    const dec = new TextDecoder('utf-8');
    if (bom) await out.write(Buffer.from(BOM[target]));
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      const text = dec.decode(chunk as Buffer, { stream: true });
      if (text) await out.write(enc.encode(text));
    }
    const rest = dec.decode();
    if (rest) await out.write(enc.encode(rest));
  } finally {
    await out.close();
  }
  await fsp.rename(tmp, file);
  return { encoding: enc.encoding, fellBack: enc.fellBack };
}

async function openXlsxRejects<R>(
  file: string,
  source: RejectsSource,
  opts: RejectsOptions<R>,
): Promise<RejectsWriter<R>> {
  const book = new (loadExcelJS().stream.xlsx.WorkbookWriter)({
    filename: file,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = book.addWorksheet(opts.sheetName ?? 'rejects');
  for (const cells of source.dialect.preamble) sheet.addRow(cells).commit();
  if (source.header) sheet.addRow([...source.header, opts.reasonHeader ?? 'reason']).commit();
  const width = source.header?.length ?? 0;
  let rows = 0;
  return {
    async write(record, reject) {
      // Cells stay text (an 18-digit ID must not become a number); the reason lines up after the header.
      const cells: string[] = record.fields.slice();
      while (cells.length < width) cells.push('');
      cells.push(opts.describe(reject, record));
      sheet.addRow(cells).commit();
      rows++;
    },
    async close() {
      sheet.commit();
      await book.commit();
      return { file, rows, encoding: null, fellBack: false };
    },
  };
}
