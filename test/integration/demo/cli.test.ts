import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../db/open';
import { runDemoCommand } from '../../../main/cli/demo';
import { openExistingStore } from '../../../main/store-key';
import { storeFormat } from '../../../db/cipher';

const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const customersIn = (file: string): number => {
  const db = openExistingStore(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) n FROM customers').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('crm demo', () => {
  const file = path.join(dir, 'sub', 'demo.db');

  it('creates a store and prints one summary line', async () => {
    expect(await runDemoCommand(['--customers', '120', '--db', file, '--seed', '5'])).toBe(0);
    // The WAL was folded back into the main file: one file to copy around.
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(customersIn(file)).toBe(120);
    // Encrypted at rest, like every app store (its key beside it).
    expect(storeFormat(file)).toBe('encrypted');
    expect(out.join('')).toMatch(
      /^demo store ready: .*120 customers.*\ndemo extracts written to .*inbox: branches\.csv, .*transactions\.dat\n$/,
    );
    expect(out.join('')).toContain('Demo@2026');
    // The branch as nightly extract files, in the store's import folder, to try the import path.
    for (const f of ['customers.csv', 'transactions.dat', 'wealth_holdings.xlsx'])
      expect(existsSync(path.join(path.dirname(file), 'inbox', f))).toBe(true);
  });

  it('writes no extracts with --no-extracts', async () => {
    const other = path.join(path.dirname(file), 'sub', 'no-extracts.db');
    expect(await runDemoCommand(['--customers', '50', '--db', other, '--no-extracts'])).toBe(0);
    expect(existsSync(path.join(path.dirname(other), 'inbox'))).toBe(false);
  });

  it('reuses a store that already holds customers', async () => {
    expect(await runDemoCommand(['--customers', '300', '--db', file])).toBe(0);
    expect(out.join('')).toMatch(/reused.*120 customers/);
    expect(customersIn(file)).toBe(120);
  });

  it('regenerates with --fresh', async () => {
    expect(await runDemoCommand(['--customers', '150', '--db', file, '--fresh'])).toBe(0);
    expect(customersIn(file)).toBe(150);
  });

  it('refuses a store that holds other data, pointing at --fresh', async () => {
    const used = path.join(dir, 'used.db');
    const { db } = await openStore(used);
    db.prepare("INSERT INTO branches (id, code, name) VALUES (1, '9999', '别的支行')").run();
    db.close();
    expect(await runDemoCommand(['--customers', '50', '--db', used])).toBe(1);
    expect(err.join('')).toMatch(/empty store.*--fresh/);
    expect(await runDemoCommand(['--customers', '50', '--db', used, '--fresh'])).toBe(0);
    expect(customersIn(used)).toBe(50);
  });

  it('rejects bad arguments with usage and exit code 64', async () => {
    expect(await runDemoCommand(['--customers', 'lots'])).toBe(64);
    expect(err.join('')).toMatch(/whole number[\s\S]*Usage: crm demo/);
    expect(await runDemoCommand(['--frsh'])).toBe(64);
  });

  it('reports progress on stderr no more than about once a second', async () => {
    const big = path.join(dir, 'big.db');
    const started = performance.now();
    expect(await runDemoCommand(['--customers', '3000', '--db', big])).toBe(0);
    const seconds = (performance.now() - started) / 1000;
    const lines = err.join('').split('\n').filter(Boolean);
    for (const l of lines)
      expect(l).toMatch(/^demo: (organisation|customers|summaries|reporting|indexes|analyze) \d+\.\d% \(/);
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
  });
});
