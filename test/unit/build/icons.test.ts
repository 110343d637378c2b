/**
 * The committed icons are real image files of the right sizes, and match what make-icons.mjs draws today
 * (pixels are compared, not bytes, so a different zlib in another Node release does not fail this).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface IconsModule {
  PNG_SIZE: number;
  ICO_SIZES: number[];
  renderIcon(size: number): Uint8Array;
  decodeOwnPng(buf: Buffer): { width: number; height: number; rgba: Uint8Array };
}

let icons: IconsModule;
beforeAll(async () => {
  // A variable specifier keeps tsc from resolving the plain-JS module (it has no .d.ts, on purpose).
  const specifier = pathToFileURL(path.join(ROOT, 'build/scripts/make-icons.mjs')).href;
  icons = (await import(specifier)) as IconsModule;
});

interface IcoEntry {
  size: number;
  bpp: number;
  data: Buffer;
}

function readIco(buf: Buffer): IcoEntry[] {
  expect(buf.readUInt16LE(0)).toBe(0);
  expect(buf.readUInt16LE(2)).toBe(1); // icon, not cursor
  const count = buf.readUInt16LE(4);
  const entries: IcoEntry[] = [];
  let expectedOffset = 6 + 16 * count;
  for (let i = 0; i < count; i++) {
    const e = 6 + 16 * i;
    const size = buf[e] === 0 ? 256 : (buf[e] ?? -1);
    expect(buf[e + 1] === 0 ? 256 : buf[e + 1]).toBe(size);
    const length = buf.readUInt32LE(e + 8);
    const offset = buf.readUInt32LE(e + 12);
    expect(offset).toBe(expectedOffset);
    expectedOffset += length;
    entries.push({ size, bpp: buf.readUInt16LE(e + 6), data: buf.subarray(offset, offset + length) });
  }
  expect(expectedOffset).toBe(buf.length);
  return entries;
}

/** Top-down RGBA from a 32-bit BMP icon image (bottom-up BGRA). */
function bmpToRgba(data: Buffer, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const xor = data.subarray(40, 40 + size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const s = ((size - 1 - y) * size + x) * 4;
      const d = (y * size + x) * 4;
      out[d] = xor[s + 2] ?? 0;
      out[d + 1] = xor[s + 1] ?? 0;
      out[d + 2] = xor[s] ?? 0;
      out[d + 3] = xor[s + 3] ?? 0;
    }
  }
  return out;
}

describe('build/icon.png', () => {
  const png = readFileSync(path.join(ROOT, 'build/icon.png'));

  it('is a 512x512 RGBA PNG', () => {
    expect(png.subarray(0, 8).equals(PNG_SIG)).toBe(true);
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(512);
    expect(png.readUInt32BE(20)).toBe(512);
    expect(png[25]).toBe(6); // colour type RGBA
  });

  it('matches what make-icons.mjs draws (re-run the script after changing it)', () => {
    const decoded = icons.decodeOwnPng(png);
    expect(decoded.width).toBe(icons.PNG_SIZE);
    expect(Buffer.from(decoded.rgba).equals(Buffer.from(icons.renderIcon(icons.PNG_SIZE)))).toBe(true);
  });

  it('is opaque in the middle and transparent in the corners', () => {
    const { rgba, width } = icons.decodeOwnPng(png);
    expect(rgba[(256 * width + 256) * 4 + 3]).toBe(255);
    expect(rgba[3]).toBe(0);
  });
});

describe('build/icon.ico', () => {
  const ico = readFileSync(path.join(ROOT, 'build/icon.ico'));
  const entries = readIco(ico);

  it('holds 16, 32, 48 and 256 px images at 32 bpp', () => {
    expect(entries.map((e) => e.size)).toEqual([16, 32, 48, 256]);
    for (const e of entries) expect(e.bpp).toBe(32);
  });

  it('stores 256 px as PNG and the small sizes as BMP', () => {
    const big = entries.find((e) => e.size === 256)!;
    expect(big.data.subarray(0, 8).equals(PNG_SIG)).toBe(true);
    expect(big.data.readUInt32BE(16)).toBe(256);
    for (const e of entries.filter((x) => x.size < 256)) {
      expect(e.data.readUInt32LE(0)).toBe(40); // BITMAPINFOHEADER
      expect(e.data.readInt32LE(4)).toBe(e.size);
      expect(e.data.readInt32LE(8)).toBe(e.size * 2); // XOR + AND mask
      expect(e.data.readUInt16LE(14)).toBe(32);
      const maskStride = Math.ceil(e.size / 32) * 4;
      expect(e.data.length).toBe(40 + e.size * e.size * 4 + maskStride * e.size);
    }
  });

  it('matches what make-icons.mjs draws at every size', () => {
    for (const e of entries) {
      const want = Buffer.from(icons.renderIcon(e.size));
      const got = e.size === 256 ? icons.decodeOwnPng(e.data).rgba : bmpToRgba(e.data, e.size);
      expect(Buffer.from(got).equals(want), `${e.size}px`).toBe(true);
    }
  });

  it('is accepted by electron-builder’s size rule (largest image at least 256 px)', () => {
    expect(Math.max(...entries.map((e) => e.size))).toBeGreaterThanOrEqual(256);
  });
});
