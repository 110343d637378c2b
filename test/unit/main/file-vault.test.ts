/**
 * Issue 19.7: export files were plain 0644 files never deleted from exports/. They are now readable by
 * their owner only and deleted once their link expires, when the services close, and at start-up.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearStaleExports, FileVault } from '../../../main/exports/service';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crm-vault-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, 'customer data');
  return f;
};

describe('the export file vault', () => {
  it('hands a file to its owner only, readable by the owner only', () => {
    const vault = new FileVault(60_000);
    const f = file('a.xlsx');
    const id = vault.register(f, '客户清单.xlsx', 7);
    if (process.platform !== 'win32') expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(vault.get(id, 8)).toBeNull();
    expect(vault.get(id, 7)).toEqual({ path: f, name: '客户清单.xlsx' });
    vault.close();
  });

  it('deletes a file once its link has expired, and every file when it closes', () => {
    let now = 1_000_000;
    const vault = new FileVault(60_000, () => now);
    const old = file('old.csv');
    vault.register(old, 'old.csv', 1);
    now += 30_000;
    const fresh = file('fresh.csv');
    vault.register(fresh, 'fresh.csv', 1);
    now += 31_000;
    expect(vault.sweep()).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    vault.close();
    expect(existsSync(fresh)).toBe(false);
  });

  it('clears what an earlier run left behind', () => {
    file('export-1-abc.xlsx');
    file('export-2-def.csv');
    expect(clearStaleExports(dir)).toBe(2);
    expect(clearStaleExports(path.join(dir, 'missing'))).toBe(0);
  });
});
