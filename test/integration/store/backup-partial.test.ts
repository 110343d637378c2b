import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupStore, latestBackup } from '../../../db/open';
import type { UpgradeEvent } from '../../../db/upgrade-progress';
import { tempDir } from '../support/store';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir('crm-backup-');
});
afterEach(() => t.cleanup());

/** A store big enough that its online backup takes several steps of 4,096 pages. */
function bigStore(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 40_000; i++) ins.run(`${i}-${'x'.repeat(900)}`);
  })();
  return db;
}

describe('pre-upgrade backup (issue 18.2)', () => {
  it('is written under a .partial name and renamed only when complete', async () => {
    const file = path.join(t.dir, 'crm.db');
    const db = bigStore(file);
    const dir = path.join(t.dir, 'backups');
    const seen: string[][] = [];
    const events: UpgradeEvent[] = [];
    const target = await backupStore(db, file, 7, dir, false, (e) => {
      events.push(e);
      if (e.type === 'backup') seen.push(readdirSync(dir));
    });
    db.close();
    const start = events.find((e) => e.type === 'backup-start');
    expect(start).toMatchObject({ type: 'backup-start', path: target, writing: `${target}.partial` });
    // While it copied, only the .partial file (and its journal) was there: nothing named like a backup.
    expect(seen.length).toBeGreaterThan(1);
    for (const names of seen) {
      expect(names).toContain(path.basename(`${target}.partial`));
      expect(names.filter((n) => n.endsWith('.db'))).toEqual([]);
    }
    expect(readdirSync(dir)).toEqual([path.basename(target)]);
    expect(latestBackup(file, dir)).toBe(target);
    const copy = new BetterSqlite3(target, { readonly: true });
    expect((copy.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(40_000);
    copy.close();
  });

  it('a copy cut short is removed and never offered as the way back; a killed run’s leftover goes at the next', async () => {
    const file = path.join(t.dir, 'crm.db');
    const db = bigStore(file);
    const dir = path.join(t.dir, 'backups');
    const good = await backupStore(db, file, 6, dir);
    // Older than anything written next, so "newest" below means the later copies.
    utimesSync(good, new Date(2026, 0, 1), new Date(2026, 0, 1));

    let steps = 0;
    await expect(
      backupStore(db, file, 7, dir, false, (e) => {
        if (e.type === 'backup' && ++steps === 2) throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(dir)).toEqual([path.basename(good)]);
    expect(latestBackup(file, dir)).toBe(good);

    // What a killed process leaves: a .partial file, newer than the good backup.
    const leftover = path.join(dir, 'crm-v7-2026-12-07T00-00-00-000Z.db.partial');
    writeFileSync(leftover, 'half a copy');
    writeFileSync(`${leftover}-journal`, 'its journal');
    expect(latestBackup(file, dir)).toBe(good);
    const next = await backupStore(db, file, 7, dir);
    db.close();
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(`${leftover}-journal`)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([path.basename(good), path.basename(next)].sort());
    expect(statSync(next).size).toBeGreaterThan(30_000_000);
    expect(latestBackup(file, dir)).toBe(next);
  });
});
