/** Shared helpers for the parsing-layer tests: temp files, profiles, collecting records, error checks. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { expect } from 'vitest';
import type { ColumnMapping, Encoding, ImportProfile } from '../../../shared/imports';
import { ImportParseError, type ImportErrorCode } from '../../../main/jobs/parse/io';
import { type OpenOptions, openSource, type SourceRecord } from '../../../main/jobs/parse/source';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'parse');

export function tempDir(): {
  dir: string;
  file(name: string, content: string | Uint8Array, enc?: Encoding): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-parse-test-'));
  return {
    dir,
    file(name, content, enc = 'utf-8') {
      const f = path.join(dir, name);
      writeFileSync(
        f,
        typeof content === 'string' ? (enc === 'utf-8' ? Buffer.from(content) : iconv.encode(content, enc)) : content,
      );
      return f;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function gbk(s: string): Buffer {
  return iconv.encode(s, 'gbk');
}
export function gb18030(s: string): Buffer {
  return iconv.encode(s, 'gb18030');
}

export function delimitedProfile(over: Partial<ImportProfile> = {}, columns?: ColumnMapping[]): ImportProfile {
  return {
    name: 'test',
    kind: 'customers',
    format: 'delimited',
    encoding: 'auto',
    header: false,
    columns: columns ?? [{ field: 'customer_no', source: 1 }],
    ...over,
  };
}

export async function readAll(
  file: string,
  profile: ImportProfile,
  opts: OpenOptions = {},
): Promise<{ header: string[] | null; records: SourceRecord[]; encoding: Encoding | null }> {
  const src = await openSource(file, profile, opts);
  const records: SourceRecord[] = [];
  for await (const b of src.batches()) records.push(...b);
  return { header: src.header, records, encoding: src.encoding };
}

/** Awaits `p` and checks it failed with an ImportParseError of `code` (and line/column when given). */
export async function expectParseError(
  p: Promise<unknown>,
  code: ImportErrorCode,
  where: { line?: number; column?: number } = {},
): Promise<ImportParseError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toBeInstanceOf(ImportParseError);
  const e = err as ImportParseError;
  expect(e.code).toBe(code);
  if (where.line !== undefined) expect(e.line).toBe(where.line);
  if (where.column !== undefined) expect(e.column).toBe(where.column);
  return e;
}
