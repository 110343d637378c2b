import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import { makeDemoStore, removeTempDirs, type DemoStore } from '../demo/helpers';
import { storeDigest } from './helpers';
import { openAppStore } from '../../../main/store-key';

const ROOT = path.resolve(__dirname, '..', '..', '..');
let demo: DemoStore;
let dir: string;

function crm(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main/cli/index.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  demo = await makeDemoStore({ customers: 200, seed: 9 });
  dir = path.join(path.dirname(demo.file), 'x');
  await writeExtracts(demo.db, dir, { kinds: ['customers', 'transactions'] });
  // The CLI works on app stores, which are encrypted: convert it here, with this handle closed first.
  demo.close();
  const opened = await openAppStore(demo.file);
  demo = { ...demo, db: opened.db, close: () => opened.db.close() };
}, 60_000);
afterAll(() => {
  demo.close();
  removeTempDirs();
});

describe('crm import (unattended)', () => {
  it('loads a file by profile alias, prints one line, exits 0; the same file again exits 3', () => {
    const r = crm(
      'import',
      '--profile',
      'journal',
      '--file',
      path.join(dir, 'transactions.dat'),
      '--db',
      demo.file,
      '--allow-duplicate',
    );
    // stderr carries nothing but progress lines (printed every 2 s, so only on a slow machine here).
    for (const line of r.err.split('\n').filter(Boolean))
      expect(line).toMatch(/^import: [\d.]+% \d+ rows read, \d+ rejected$/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^import committed: job \d+ transactions\.dat \| read \d+, inserted 0, updated 0, unchanged \d+, rejected 0/,
    );
    const again = crm(
      'import',
      '--profile',
      'journal',
      '--file',
      path.join(dir, 'transactions.dat'),
      '--db',
      demo.file,
    );
    expect(again.code).toBe(3);
    expect(again.out).toMatch(/^import failed: .*IMPORT_DUPLICATE_FILE/);
  });

  it('a bad file exits 4 with the line named, the store unchanged, and a rejects file written', () => {
    const before = storeDigest(demo.db);
    const text = iconv.decode(readFileSync(path.join(dir, 'customers.csv')), 'gb18030').split('\r\n');
    text[5] = text[5]!.replace(/,(\d{8}),/, ',20241301,'); // month 13 somewhere in the row
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, iconv.encode(text.join('\r\n'), 'gb18030'));
    const r = crm('import', '--profile', 'cif', '--file', bad, '--db', demo.file);
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/IMPORT_TOO_MANY_REJECTS/);
    const m = /rejects file: (.+)$/m.exec(r.out);
    expect(m && existsSync(m[1]!.trim())).toBe(true);
    expect(storeDigest(demo.db)).toEqual(before);
  });

  it('usage errors exit 64 with the usage text', () => {
    const r = crm('import', '--profile', 'cif');
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/--file is required/);
    expect(crm('import', '--profile', 'nope', '--file', path.join(dir, 'customers.csv'), '--db', demo.file).code).toBe(
      64,
    );
  });
});
