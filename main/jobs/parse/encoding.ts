/**
 * Encoding detection and decoding for core-banking extracts (UTF-8, GBK, GB18030).
 *
 * Decoding is always fatal: a wrong guess or a wrong user override must stop the import with the
 * line and column of the first bad byte (IMPORT_ENCODING), never import mojibake.
 *
 * 'gbk' is decoded with the GB18030 decoder: GBK is a subset, and extracts labelled GBK do carry
 * the odd 4-byte GB18030 name character (𠮷) far beyond the detection sample. The rejects writer
 * knows to fall back to gb18030 when such a character cannot be written back as GBK.
 *
 * `SegmentDecoder` turns a chunk stream into text cut only after an LF byte (0x0A): in UTF-8, GBK
 * and GB18030 0x0A is never part of a multi-byte character, so every segment starts and ends on a
 * character boundary, is decoded in one native call, and an error can be located within it.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { Encoding } from '../../../shared/imports';
import type { ChunkSource } from './io';

export type Confidence = 'high' | 'medium' | 'low';
export interface Detection {
  encoding: Encoding;
  bom: boolean;
  confidence: Confidence;
  reason: string;
}

export const SAMPLE_BYTES = 64 * 1024;
const ASCII_ONLY = 'only ASCII bytes in the sample';

/** Length of a complete UTF-8 prefix: drops a multi-byte character cut at the end of the sample. */
function utf8CompletePrefix(b: Uint8Array): number {
  const n = b.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const c = b[n - back]!;
    if (c < 0x80) return n; // ASCII: nothing cut
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > back ? n - back : n;
    }
  }
  return n;
}

/** Walks GB18030 structure: counts 2- and 4-byte characters, and the length of the complete prefix. */
function gbStructure(b: Uint8Array): { complete: number; double: number; quad: number } {
  const n = b.length;
  let i = 0;
  let double = 0;
  let quad = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x81 || c === 0xff) {
      i++;
      continue;
    }
    const c2 = b[i + 1];
    if (c2 === undefined) break;
    if (c2 >= 0x30 && c2 <= 0x39) {
      if (i + 4 > n) break;
      quad++;
      i += 4;
    } else {
      double++;
      i += 2;
    }
  }
  return { complete: Math.min(i, n), double, quad };
}

const STRICT_GB = new TextDecoder('gb18030', { fatal: true });

/**
 * Guesses the encoding of the first bytes of a file. `final`: the sample is the whole file, so an
 * incomplete character at its end is an error rather than the sample's cut.
 */
export function detectEncoding(sample: Uint8Array, opts: { final?: boolean } = {}): Detection {
  const s = sample;
  if (s[0] === 0xef && s[1] === 0xbb && s[2] === 0xbf) {
    return { encoding: 'utf-8', bom: true, confidence: 'high', reason: 'UTF-8 byte order mark' };
  }
  if (s[0] === 0x84 && s[1] === 0x31 && s[2] === 0x95 && s[3] === 0x33) {
    return { encoding: 'gb18030', bom: true, confidence: 'high', reason: 'GB18030 byte order mark' };
  }
  if (s[0] === 0xff && s[1] === 0xfe) {
    return { encoding: 'utf-16le', bom: true, confidence: 'high', reason: 'UTF-16 little-endian byte order mark' };
  }
  if (s[0] === 0xfe && s[1] === 0xff) {
    return { encoding: 'utf-16be', bom: true, confidence: 'high', reason: 'UTF-16 big-endian byte order mark' };
  }
  if (isAscii(s)) {
    return { encoding: 'utf-8', bom: false, confidence: 'low', reason: ASCII_ONLY };
  }
  const u8 = opts.final ? s : s.subarray(0, utf8CompletePrefix(s));
  if (isUtf8(u8)) {
    let multi = 0;
    for (let i = 0; i < u8.length && multi < 8; i++) if (u8[i]! >= 0xc0) multi++;
    return {
      encoding: 'utf-8',
      bom: false,
      confidence: multi >= 4 ? 'high' : 'medium',
      reason: `valid UTF-8 with ${multi >= 8 ? 'many' : multi} multi-byte characters`,
    };
  }
  const gb = gbStructure(s);
  const gbBytes = opts.final ? s : s.subarray(0, gb.complete);
  try {
    STRICT_GB.decode(gbBytes);
  } catch {
    const at = locateEncodingError(s, 'gb18030');
    return {
      encoding: 'gb18030',
      bom: false,
      confidence: 'low',
      reason: `neither valid UTF-8 nor GB18030 (line ${at.lineIndex + 1}, column ${at.column})`,
    };
  }
  const confidence: Confidence = gb.double + gb.quad >= 4 ? 'high' : 'medium';
  return gb.quad > 0
    ? {
        encoding: 'gb18030',
        bom: false,
        confidence,
        reason: `invalid UTF-8; valid GB18030 with ${gb.quad} four-byte sequences`,
      }
    : { encoding: 'gbk', bom: false, confidence, reason: 'invalid UTF-8; valid GBK (no four-byte GB18030 sequences)' };
}

/** A fatal decoder for the encoding. The BOM is kept in the output (callers strip U+FEFF once). */
export function decoderFor(encoding: Encoding): TextDecoder {
  if (encoding === 'utf-16le' || encoding === 'utf-16be')
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  return encoding === 'utf-8'
    ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
    : new TextDecoder('gb18030', { fatal: true });
}

export const isUtf16 = (e: Encoding | null): e is 'utf-16le' | 'utf-16be' => e === 'utf-16le' || e === 'utf-16be';

/** Files that are certainly not text, by their first bytes: what they are, for the message. */
export function binaryKind(sample: Uint8Array): string | null {
  const s = sample;
  if (s[0] === 0x50 && s[1] === 0x4b && s[2] === 0x03 && s[3] === 0x04) return 'zip'; // also .xlsx, .docx
  if (s[0] === 0xd0 && s[1] === 0xcf && s[2] === 0x11 && s[3] === 0xe0) return 'ole'; // .xls, .doc
  if (s[0] === 0x25 && s[1] === 0x50 && s[2] === 0x44 && s[3] === 0x46) return 'pdf';
  // NUL never occurs in UTF-8, GBK or GB18030 text (UTF-16, which has them, is known by its BOM).
  return s.includes(0) ? 'binary' : null;
}

/**
 * UTF-16 read as UTF-8: the parsers cut text after LF bytes, which in UTF-16 are halves of characters,
 * so a UTF-16 file is transcoded chunk by chunk (a streaming fatal decoder; the BOM dropped) and parsed
 * as the UTF-8 it becomes. Progress still counts the file's own bytes.
 */
export function utf16Source(src: ChunkSource, encoding: 'utf-16le' | 'utf-16be'): ChunkSource {
  const dec = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
  let ended = false;
  let offset = 0;
  return {
    async read() {
      while (!ended) {
        const chunk = await src.read();
        let text: string;
        try {
          text = chunk === null ? dec.decode() : dec.decode(chunk, { stream: true });
        } catch {
          throw new SegmentError('encoding', 0, undefined, { encoding, fileOffset: offset });
        }
        if (chunk === null) ended = true;
        else offset += chunk.length;
        if (text) return Buffer.from(text, 'utf8');
      }
      return null;
    },
    bytesRead: () => src.bytesRead(),
    close: () => src.close(),
  };
}

/** Counts code points (what a user calls characters: 𠮷 is one, two UTF-16 units). */
export function codePoints(s: string, start = 0, end = s.length): number {
  let n = end - start;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

export interface EncodingErrorAt {
  /** 0-based number of LFs before the bad byte. */
  lineIndex: number;
  /** 1-based character column of the first bad byte in its line. */
  column: number;
  /** 0-based offset of the bad byte in `bytes`. */
  byteOffset: number;
}

/**
 * Finds the first byte the decoder rejects. Rare path (the import is failing anyway): decodes line
 * by line, then binary-searches the shortest prefix whose *streaming* decode throws (streaming
 * mode only throws on definitely-invalid bytes, so the predicate is monotonic).
 */
export function locateEncodingError(bytes: Uint8Array, encoding: Encoding): EncodingErrorAt {
  const dec = decoderFor(encoding);
  let lineIndex = 0;
  let start = 0;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl;
    const line = buf.subarray(start, end);
    let bad = false;
    try {
      dec.decode(line);
    } catch {
      bad = true;
    }
    if (bad) {
      const throwsAt = (k: number): boolean => {
        try {
          decoderFor(encoding).decode(line.subarray(0, k), { stream: true });
          return false;
        } catch {
          return true;
        }
      };
      // lo: longest prefix that decodes (streaming); line.length + 1 stands for "only the final flush fails".
      let lo = 0;
      let hi = line.length + 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (throwsAt(mid)) hi = mid;
        else lo = mid;
      }
      const text = decoderFor(encoding).decode(line.subarray(0, lo), { stream: true });
      // Bytes of the complete characters before the bad sequence (a started sequence is pending).
      const ok = encoding === 'utf-8' ? Buffer.byteLength(text) : gbStructure(line.subarray(0, lo)).complete;
      return { lineIndex, column: codePoints(text) + 1, byteOffset: start + ok };
    }
    if (nl < 0) return { lineIndex, column: 1, byteOffset: start };
    start = nl + 1;
    lineIndex++;
  }
}

/** True when the detection saw only ASCII: the real decision waits for the first non-ASCII byte. */
export function isAsciiOnly(d: Detection | null): boolean {
  return d !== null && d.confidence === 'low' && d.reason === ASCII_ONLY;
}

/**
 * Decides the encoding from the first bytes that are not ASCII (`bytes` holds them; everything
 * before was ASCII). `readSoFar` only feeds the reason shown to the user.
 */
export function detectLate(bytes: Uint8Array, final: boolean, readSoFar: number): Detection {
  let first = 0;
  while (first < bytes.length && bytes[first]! < 0x80) first++;
  const from = Math.max(0, first - 256); // ASCII before the first non-ASCII byte is safe to start at
  const d = detectEncoding(bytes.subarray(from, from + SAMPLE_BYTES), {
    final: final && bytes.length - from <= SAMPLE_BYTES,
  });
  return { ...d, reason: `${d.reason} (first non-ASCII byte after ${Math.round(readSoFar / 1024)} KB)` };
}

/** Internal: a decoding problem located relative to the start of the current segment. */
export class SegmentError extends Error {
  constructor(
    readonly kind: 'encoding' | 'too_long',
    readonly lineInSegment: number,
    readonly column: number | undefined,
    readonly info: Record<string, unknown>,
  ) {
    super(kind);
  }
}

/**
 * Decoded text from a chunk source, one LF-terminated segment at a time. With encoding 'auto' and
 * a pure-ASCII sample the decision is deferred to the first segment holding a non-ASCII byte: ASCII
 * reads the same in all three encodings, so nothing decoded before that point changes.
 */
export class SegmentDecoder {
  encoding: Encoding;
  detected: Detection | null;
  bom = false;
  private decoder: TextDecoder;
  private provisional: boolean;
  private pending: Uint8Array[] = [];
  private pendingLen = 0;
  private first = true;
  private ended = false;

  constructor(
    private readonly src: ChunkSource,
    choice: { encoding: Encoding | null; detected: Detection | null },
    /** A line longer than this many bytes is certainly over maxRecordChars (4 bytes per char at most). */
    private readonly maxLineBytes: number,
  ) {
    this.detected = choice.detected;
    this.encoding = choice.encoding ?? choice.detected?.encoding ?? 'utf-8';
    this.provisional = choice.encoding === null && isAsciiOnly(choice.detected);
    this.decoder = decoderFor(this.encoding);
  }

  /** Next decoded segment (ends with '\n' unless it is the end of the file), or null at the end. */
  async next(): Promise<string | null> {
    while (!this.ended) {
      const chunk = await this.src.read();
      if (chunk === null) {
        this.ended = true;
        if (this.pendingLen === 0) return null;
        return this.decode(this.takePending(null, 0));
      }
      const lf = chunk.lastIndexOf(0x0a);
      if (lf < 0) {
        this.pending.push(chunk);
        this.pendingLen += chunk.length;
        if (this.pendingLen > this.maxLineBytes)
          throw new SegmentError('too_long', 0, undefined, { bytes: this.pendingLen });
        continue;
      }
      return this.decode(this.takePending(chunk, lf + 1));
    }
    return null;
  }

  private takePending(chunk: Uint8Array | null, cut: number): Uint8Array {
    const parts = this.pending;
    if (chunk) parts.push(chunk.subarray(0, cut));
    const seg = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.pending = chunk && cut < chunk.length ? [chunk.subarray(cut)] : [];
    this.pendingLen = chunk ? chunk.length - cut : 0;
    return seg;
  }

  private decode(seg: Uint8Array): string {
    if (this.provisional && !isAscii(seg)) {
      this.detected = detectLate(seg, this.ended, this.src.bytesRead());
      this.encoding = this.detected.encoding;
      this.decoder = decoderFor(this.encoding);
      this.provisional = false;
    }
    let text: string;
    try {
      text = this.decoder.decode(seg);
    } catch {
      const at = locateEncodingError(seg, this.encoding);
      let column = at.column;
      const bom =
        (seg[0] === 0xef && seg[1] === 0xbb && seg[2] === 0xbf) ||
        (seg[0] === 0x84 && seg[1] === 0x31 && seg[2] === 0x95 && seg[3] === 0x33);
      if (this.first && at.lineIndex === 0 && bom && column > 1) column--; // a BOM is not a column
      throw new SegmentError('encoding', at.lineIndex, column, {
        encoding: this.encoding,
        byte: Buffer.from(seg.buffer, seg.byteOffset, seg.length)
          .subarray(at.byteOffset, at.byteOffset + 4)
          .toString('hex'),
        fileOffset: this.src.bytesRead() - this.pendingLen - seg.length + at.byteOffset,
      });
    }
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) {
        this.bom = true;
        text = text.slice(1);
      }
    }
    return text;
  }
}
