/**
 * Fixed-width records. Core systems define layouts in BYTES of the file's encoding (a Chinese
 * character is 2 bytes in GBK, 2 or 4 in GB18030, 3 in UTF-8), so lines are split at byte level on
 * 0x0A (never part of a multi-byte character in these encodings) and fields are cut by byte offsets.
 *
 * Per line: one structural walk over the bytes up to the last layout boundary maps each boundary
 * to a UTF-16 offset (and notices a boundary that falls inside a character), then the whole line
 * is decoded in one native call and fields are sliced from it. That is one decode per line instead
 * of one per field (20 native calls per row would dominate).
 *
 * Row-level problems (the caller rejects the row, the import goes on):
 *   - a boundary cuts a multi-byte character -> 'bad_encoding', column = that field's start byte;
 *   - the line is shorter than the layout     -> 'field_count', column = first missing field's start.
 * File-level: bytes invalid for the encoding that no layout cut explains -> IMPORT_ENCODING (a
 * wrong encoding must stop the import, not reject every row), a line over maxRecordChars ->
 * IMPORT_LINE_TOO_LONG, read errors -> IMPORT_READ_FAILED.
 */
import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { Encoding } from '../../../shared/imports';
import { type Detection, decoderFor, detectLate, isAsciiOnly, locateEncodingError } from './encoding';
import { type ChunkSource, ImportParseError, type SourceRecord } from './io';

export interface FixedColumn {
  /** 1-based first byte. */
  start: number;
  /** Width in bytes. */
  width: number;
}

export interface FixedOptions {
  header?: boolean;
  skipLines?: number;
  maxRecordChars?: number;
  batchSize?: number;
}

export class FixedReader {
  encoding: Encoding;
  detected: Detection | null;
  bom = false;
  eol: '\n' | '\r\n' = '\n';
  headerRaw: string | null = null;
  /** The `skipLines` lines' text, so the rejects file keeps the layout. */
  preamble: string[] = [];
  private provisional: boolean;
  private decoder: TextDecoder;
  private lossy: TextDecoder;
  private readonly bounds: Int32Array; // sorted distinct byte offsets (0-based) of all field edges
  private readonly off: Int32Array; // per line: UTF-16 offset of each bound, -1 cut, -2 past the end
  private readonly si: Int32Array; // per column: index of its start in `bounds` (-1: not in the file)
  private readonly ei: Int32Array;
  private readonly starts: readonly number[];
  private readonly max: number;
  private readonly batchSize: number;
  private chunk: Buffer = Buffer.alloc(0);
  private cpos = 0;
  private line = 0;
  private skip: number;
  private wantHeader: boolean;
  private first = true;
  private eolSeen = false;
  private ended = false;

  constructor(
    private readonly src: ChunkSource,
    choice: { encoding: Encoding | null; detected: Detection | null },
    /** Aligned with the profile's columns; null for columns the file does not carry (constants). */
    layout: readonly (FixedColumn | null)[],
    opts: FixedOptions = {},
  ) {
    this.detected = choice.detected;
    this.encoding = choice.encoding ?? choice.detected?.encoding ?? 'utf-8';
    this.provisional = choice.encoding === null && isAsciiOnly(choice.detected);
    this.decoder = decoderFor(this.encoding);
    this.lossy = new TextDecoder(this.encoding === 'utf-8' ? 'utf-8' : 'gb18030', { ignoreBOM: true });
    const edges = new Set<number>();
    for (const c of layout) if (c) edges.add(c.start - 1).add(c.start - 1 + c.width);
    this.bounds = Int32Array.from([...edges].sort((a, b) => a - b));
    this.off = new Int32Array(this.bounds.length);
    const at = (v: number) => this.bounds.indexOf(v);
    this.si = Int32Array.from(layout.map((c) => (c ? at(c.start - 1) : -1)));
    this.ei = Int32Array.from(layout.map((c) => (c ? at(c.start - 1 + c.width) : -1)));
    this.starts = Object.freeze(layout.map((c) => c?.start ?? 0));
    this.max = opts.maxRecordChars ?? 1_000_000;
    this.batchSize = opts.batchSize ?? 2000;
    this.skip = opts.skipLines ?? 0;
    this.wantHeader = opts.header ?? false;
  }

  /** Up to batchSize records, or null at the end. Skipped lines and the header are consumed first. */
  async nextBatch(): Promise<SourceRecord[] | null> {
    const out: SourceRecord[] = [];
    for (;;) {
      const chunk = this.chunk;
      while (out.length < this.batchSize) {
        const nl = chunk.indexOf(0x0a, this.cpos);
        if (nl < 0) break;
        const rec = this.handle(chunk.subarray(this.cpos, nl), true);
        this.cpos = nl + 1;
        if (rec) out.push(rec);
      }
      if (out.length >= this.batchSize) return out;
      if (this.ended) return out.length > 0 ? out : null;
      const next = await this.src.read();
      const rest = chunk.length - this.cpos;
      if (next === null) {
        this.ended = true;
        const rec = rest > 0 ? this.handle(chunk.subarray(this.cpos), false) : null;
        this.cpos = chunk.length;
        if (rec) out.push(rec);
        continue;
      }
      if (rest > 4 * this.max && chunk.indexOf(0x0a, this.cpos) < 0) {
        throw new ImportParseError('IMPORT_LINE_TOO_LONG', this.line + 1, undefined, {
          max: this.max,
          maxRecordChars: this.max,
          bytes: rest,
        });
      }
      const buf = Buffer.from(next.buffer, next.byteOffset, next.length);
      this.chunk = rest > 0 ? Buffer.concat([chunk.subarray(this.cpos), buf]) : buf;
      this.cpos = 0;
      if (this.first) {
        this.first = false;
        const c = this.chunk;
        const bom =
          c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf
            ? 3
            : c[0] === 0x84 && c[1] === 0x31 && c[2] === 0x95 && c[3] === 0x33
              ? 4
              : 0;
        this.bom = bom > 0;
        this.cpos = bom; // layouts count from the first byte after the BOM
      }
    }
  }

  /** One physical line (without LF). Returns null for skipped, blank and header lines. */
  private handle(lineWithCr: Buffer, hadLf: boolean): SourceRecord | null {
    const lineNo = ++this.line;
    let n = lineWithCr.length;
    if (n > 0 && lineWithCr[n - 1] === 0x0d) n--;
    if (!this.eolSeen && hadLf) {
      this.eolSeen = true;
      if (n < lineWithCr.length) this.eol = '\r\n';
    }
    const b = lineWithCr.subarray(0, n);
    if (this.skip > 0) {
      this.skip--;
      this.preamble.push(this.lossy.decode(b));
      return null;
    }
    let blank = true;
    for (let i = 0; i < n; i++) {
      const c = b[i]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x1a) {
        blank = false;
        break;
      }
    }
    if (blank) return null;
    if (this.provisional && !isAscii(b)) {
      this.detected = detectLate(this.chunk.subarray(this.cpos), this.ended, this.src.bytesRead());
      this.encoding = this.detected.encoding;
      this.decoder = decoderFor(this.encoding);
      this.lossy = new TextDecoder(this.encoding === 'utf-8' ? 'utf-8' : 'gb18030', { ignoreBOM: true });
      this.provisional = false;
    }
    let raw: string | null;
    try {
      raw = this.decoder.decode(b);
    } catch {
      raw = null;
    }
    if (raw !== null && raw.length > this.max) {
      throw new ImportParseError('IMPORT_LINE_TOO_LONG', lineNo, undefined, {
        max: this.max,
        maxRecordChars: this.max,
        chars: raw.length,
      });
    }
    if (this.wantHeader) {
      this.wantHeader = false;
      this.headerRaw = raw ?? this.lossy.decode(b);
      return null;
    }
    if (raw !== null && !this.walk(b, n)) {
      // Common case: the line decodes and every boundary falls between characters.
      const { si, ei, off, starts } = this;
      const fields: string[] = new Array(si.length);
      let problem: SourceRecord['problem'];
      for (let k = 0; k < si.length; k++) {
        const s = si[k]!;
        if (s < 0) {
          fields[k] = '';
          continue;
        }
        const a = off[s]!;
        const z = off[ei[k]!]!;
        if (z >= 0) fields[k] = raw.slice(a, z).trim();
        else {
          problem ??= { reason: 'field_count', column: starts[k]! }; // line ends before this field does
          fields[k] = a >= 0 ? raw.slice(a).trim() : '';
        }
      }
      const rec: SourceRecord = { line: lineNo, fields, raw, cols: starts };
      if (problem) rec.problem = problem;
      return rec;
    }
    return this.slowLine(b, n, lineNo, raw);
  }

  /**
   * A line that does not decode, or whose layout cuts a character. Each field is decoded on its
   * own. A field that is valid except for an incomplete character at its end (before padding) is
   * a character the extract truncated, and a boundary inside a character is a layout cut: both
   * reject the row ('bad_encoding'). Any other invalid byte means the encoding is wrong: the file
   * stops with IMPORT_ENCODING rather than rejecting every row.
   */
  private slowLine(b: Buffer, n: number, lineNo: number, raw: string | null): SourceRecord {
    const { si, ei, starts, bounds } = this;
    const fields: string[] = new Array(si.length);
    let problem: SourceRecord['problem'];
    for (let k = 0; k < si.length; k++) {
      const s = si[k]!;
      if (s < 0) {
        fields[k] = '';
        continue;
      }
      const from = bounds[s]!;
      const to = bounds[ei[k]!]!;
      if (to > n) problem ??= { reason: 'field_count', column: starts[k]! };
      const bytes = b.subarray(Math.min(from, n), Math.min(to, n));
      fields[k] = this.lossy.decode(bytes).trim();
      if (raw !== null) {
        // The line decodes: walk() found the boundaries that fall inside a character.
        if (this.off[s] === -1 || this.off[ei[k]!] === -1) problem ??= { reason: 'bad_encoding', column: starts[k]! };
        continue;
      }
      let broken = false;
      try {
        this.decoder.decode(bytes);
      } catch {
        broken = true;
      }
      if (!broken) continue;
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0x20) end--;
      let truncated: boolean;
      try {
        decoderFor(this.encoding).decode(bytes.subarray(0, end), { stream: true });
        truncated = true; // only an incomplete last character: the extract cut it
      } catch {
        truncated = false;
      }
      if (!truncated) {
        const at = locateEncodingError(b, this.encoding);
        throw new ImportParseError('IMPORT_ENCODING', lineNo, at.column, {
          encoding: this.encoding,
          byte: b.subarray(at.byteOffset, at.byteOffset + 4).toString('hex'),
        });
      }
      problem ??= { reason: 'bad_encoding', column: starts[k]! };
    }
    if (!problem) {
      // Every field decodes on its own, yet the line did not (bytes outside the layout): those
      // bytes are not ours to judge, but the encoding is then doubtful for the whole file.
      const at = locateEncodingError(b, this.encoding);
      throw new ImportParseError('IMPORT_ENCODING', lineNo, at.column, {
        encoding: this.encoding,
        byte: b.subarray(at.byteOffset, at.byteOffset + 4).toString('hex'),
      });
    }
    const rec: SourceRecord = { line: lineNo, fields, raw: raw ?? this.lossy.decode(b), cols: starts, problem };
    if (raw === null) rec.rawBytes = Buffer.from(b); // keep the exact bytes for the rejects file
    return rec;
  }

  /**
   * Maps every layout boundary to a UTF-16 offset in the decoded line; marks boundaries that fall
   * inside a character (-1) or past the end of the line (-2). Returns whether any boundary is cut.
   */
  private walk(b: Uint8Array, n: number): boolean {
    const { bounds, off } = this;
    const gb = this.encoding !== 'utf-8';
    let i = 0;
    let u = 0;
    let cut = false;
    for (let k = 0; k < bounds.length; k++) {
      const target = bounds[k]!;
      if (target > n) {
        off[k] = -2;
        continue;
      }
      while (i < target) {
        const c = b[i]!;
        if (c < 0x80) {
          i++;
          u++;
        } else if (gb) {
          if (c === 0x80 || c === 0xff) {
            i++;
            u++;
          } else {
            const c2 = b[i + 1]!;
            if (c2 >= 0x30 && c2 <= 0x39) {
              i += 4;
              u += c >= 0x90 ? 2 : 1; // 4-byte sequences from 0x90308130 are outside the BMP
            } else {
              i += 2;
              u++;
            }
          }
        } else if (c >= 0xf0) {
          i += 4;
          u += 2;
        } else {
          i += c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
          u++;
        }
      }
      if (i === target) off[k] = u;
      else {
        off[k] = -1;
        cut = true;
      }
    }
    return cut;
  }
}
