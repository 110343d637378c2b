#!/usr/bin/env node
/**
 * Generates build/icon.png (512x512) and build/icon.ico (16, 32, 48, 256) with nothing but Node: no
 * image libraries to install on an offline machine, and the output is reproducible from this file.
 *   node build/scripts/make-icons.mjs
 * The generated files are committed; test/unit/build/icons.test.ts re-renders the pixels and compares, so
 * a change here without re-running the script fails the tests.
 *
 * The glyph is a classical bank front (pediment, columns, steps) in white on a teal rounded square. Each
 * size is rasterised from the same shapes with supersampling rather than downscaled from 512 px, so the
 * 16 px taskbar icon stays crisp; below 32 px the columns drop from four to three so they do not blur
 * into one grey block.
 *
 * ICO layout: the 256 px image is stored as PNG, the small ones as 32-bit BMP (DIB + AND mask). Windows
 * Vista+ reads PNG at any size, but the NSIS installer's icon replacement and some older shell paths only
 * read BMP entries reliably, which is also what most icon tools emit.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';

export const PNG_SIZE = 512;
export const ICO_SIZES = [16, 32, 48, 256];

const TEAL_TOP = [13, 148, 136]; // #0D9488
const TEAL_BOTTOM = [17, 94, 89]; // #115E59
const WHITE = [255, 255, 255];

/** Rounded square filling the canvas, in unit coordinates. */
function inBackground(x, y, margin) {
  const r = 0.2;
  const lo = margin;
  const hi = 1 - margin;
  if (x < lo || x > hi || y < lo || y > hi) return false;
  const cx = Math.min(Math.max(x, lo + r), hi - r);
  const cy = Math.min(Math.max(y, lo + r), hi - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function inRect(x, y, x0, y0, x1, y1) {
  return x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

/** The bank front. `columns` is 4 for large sizes, 3 for small ones. */
function inGlyph(x, y, columns) {
  // Pediment: triangle from (0.20, 0.40) to (0.80, 0.40) with its apex at (0.50, 0.18).
  if (y >= 0.18 && y <= 0.4) {
    const half = ((y - 0.18) / 0.22) * 0.3;
    if (Math.abs(x - 0.5) <= half) {
      // A coin cut out of the pediment: reads as "money" at 48 px and up, vanishes harmlessly below.
      return (x - 0.5) ** 2 + (y - 0.325) ** 2 > 0.045 ** 2;
    }
  }
  if (inRect(x, y, 0.22, 0.42, 0.78, 0.47)) return true; // architrave
  const colTop = 0.5;
  const colBottom = 0.7;
  const span = 0.5; // columns spread over x = 0.25..0.75
  const width = columns === 4 ? 0.075 : 0.1;
  for (let i = 0; i < columns; i++) {
    const cx = 0.25 + (span * (i + 0.5)) / columns;
    if (inRect(x, y, cx - width / 2, colTop, cx + width / 2, colBottom)) return true;
  }
  if (inRect(x, y, 0.2, 0.72, 0.8, 0.77)) return true; // upper step
  if (inRect(x, y, 0.16, 0.79, 0.84, 0.84)) return true; // lower step
  return false;
}

/**
 * RGBA pixels (row-major, top-down) of the icon at `size` px.
 * @param {number} size
 * @returns {Uint8Array}
 */
export function renderIcon(size) {
  const ss = size <= 48 ? 8 : size <= 256 ? 4 : 3; // samples per axis
  const columns = size < 32 ? 3 : 4;
  const margin = size <= 32 ? 0 : 0.03; // small icons use the whole cell; large ones get a little air
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          if (!inBackground(x, y, margin)) continue;
          const c = inGlyph(x, y, columns)
            ? WHITE
            : TEAL_TOP.map((top, i) => top + ((TEAL_BOTTOM[i] ?? top) - top) * y);
          r += c[0] ?? 0;
          g += c[1] ?? 0;
          b += c[2] ?? 0;
          a += 1;
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0) {
        // Colour is averaged over covered samples only (straight alpha), coverage becomes alpha.
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
        out[o + 3] = Math.round((a / (ss * ss)) * 255);
      }
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** 8-bit RGBA, non-interlaced, filter type 0 on every row (simple, and small enough for flat art). */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Reads back a PNG written by encodePng (RGBA, filter 0 only): for the tests' pixel comparison. */
export function decodeOwnPng(buf) {
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6) throw new Error('not 8-bit RGBA');
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    if (raw[row] !== 0) throw new Error('unsupported PNG filter');
    rgba.set(raw.subarray(row + 1, row + 1 + width * 4), y * width * 4);
  }
  return { width, height, rgba };
}

/** 32-bit BMP as stored inside an ICO: BITMAPINFOHEADER, bottom-up BGRA, then the 1-bit AND mask. */
export function encodeIcoBmp(size, rgba) {
  const header = Buffer.alloc(40);
  const maskStride = Math.ceil(size / 32) * 4;
  const xorBytes = size * size * 4;
  const andBytes = maskStride * size;
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // XOR + AND masks stacked, as ICO requires
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(0, 16); // BI_RGB
  header.writeUInt32LE(xorBytes + andBytes, 20);
  const xor = Buffer.alloc(xorBytes);
  const and = Buffer.alloc(andBytes);
  for (let y = 0; y < size; y++) {
    const dstRow = size - 1 - y;
    for (let x = 0; x < size; x++) {
      const s = (y * size + x) * 4;
      const d = (dstRow * size + x) * 4;
      xor[d] = rgba[s + 2] ?? 0;
      xor[d + 1] = rgba[s + 1] ?? 0;
      xor[d + 2] = rgba[s] ?? 0;
      xor[d + 3] = rgba[s + 3] ?? 0;
      // Fully transparent pixels are also masked for renderers that ignore the alpha channel.
      if ((rgba[s + 3] ?? 0) === 0) and[dstRow * maskStride + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, xor, and]);
}

/** ICO container: 6-byte header, 16-byte directory entry per image, then the images. */
export function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type 1 = icon
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const img of images) {
    const e = Buffer.alloc(16);
    e[0] = img.size >= 256 ? 0 : img.size; // 0 means 256
    e[1] = img.size >= 256 ? 0 : img.size;
    e[2] = 0; // palette colours
    e[3] = 0;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(img.data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += img.data.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

export function buildIcons() {
  const png = encodePng(PNG_SIZE, renderIcon(PNG_SIZE));
  const ico = encodeIco(
    ICO_SIZES.map((size) => {
      const rgba = renderIcon(size);
      return { size, data: size >= 256 ? encodePng(size, rgba) : encodeIcoBmp(size, rgba) };
    }),
  );
  return { png, ico };
}

export function writeIcons(buildDir) {
  const { png, ico } = buildIcons();
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(path.join(buildDir, 'icon.png'), png);
  writeFileSync(path.join(buildDir, 'icon.ico'), ico);
  return { png: png.length, ico: ico.length };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const sizes = writeIcons(buildDir);
  process.stdout.write(`build/icon.png ${sizes.png} bytes, build/icon.ico ${sizes.ico} bytes\n`);
}
