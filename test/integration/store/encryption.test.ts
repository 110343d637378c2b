/**
 * Encryption at rest and silent corruption (issue 19, items 5 and 7).
 *
 * Fails on the code before encryption: a store made by that code (the plaintext demo store below)
 * kept every name and ID number readable in the file, there was no key file, and a flipped byte in a
 * customers page was served as a different deposit figure. Passes now: the store is converted once
 * (backup kept, progress reported), the app runs on the encrypted file (open, import in a worker,
 * grid), and a changed page is refused and quarantined with a message naming the file and the backup.
 */
import {
  copyFileSync,
  mkdtempSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnection, storeFormat } from '../../../db/cipher';
import { currentVersion, loadMigrations, migrate } from '../../../db/migrate';
import { openStore } from '../../../db/open';
import { quarantineFile } from '../../../db/quarantine';
import { describeStartupError } from '../../../main/app/startup-error';
import { writeExtracts } from '../../../main/jobs/profiles/extracts';
import { createRegistry, type Registry } from '../../../main/registry';
import { createServices, type Services } from '../../../main/services';
import { keyFilePath, openAppStore, openExistingStore } from '../../../main/store-key';
import type { EncryptProgress } from '../../../db/encrypt';
import type { Input, MethodName, Output } from '../../../shared/api';
import { type CallResult, isAppError } from '../../../shared/errors';
import { dataTables, makeDemoStore, removeTempDirs, tableDigest } from '../demo/helpers';
import { demoSignIn } from '../support/demo-session';
import { loadTranslations } from '../../support/i18n';
import { errorMessage } from '../../../renderer/src/i18n/messages';
import { fileContains, firstLeafPage, flipByte } from './encryption-support';

function digestAll(db: Parameters<typeof dataTables>[0]): Record<string, { rows: number; sha: string }> {
  const out: Record<string, { rows: number; sha: string }> = {};
  for (const t of dataTables(db)) out[t] = tableDigest(db, t);
  return out;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function expectRefused(p: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    if (!isAppError(e)) throw e;
    expect(e.code).toBe(code);
    return (e.details ?? {}) as Record<string, unknown>;
  }
  throw new Error(`expected ${code}`);
}

function caller(registry: Registry, session: string) {
  const call = <M extends MethodName>(method: M, input: Input<M>) =>
    registry.dispatch({ method, input, session }, { adapter: 'test' }) as Promise<CallResult<Output<M>>>;
  const ok = async <M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await call(method, input);
    if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.value;
  };
  return { call, ok };
}

afterAll(() => removeTempDirs());

describe('a store made by the release before encryption', () => {
  let file = '';
  let plainCopy = '';
  let known: { name: string; id_no: string; customer_no: string };
  let before: Record<string, { rows: number; sha: string }>;
  const progress: EncryptProgress[] = [];
  let backupPath = '';

  beforeAll(async () => {
    // Today's open path, without a key, as every store in the field was written.
    const demo = await makeDemoStore({ customers: 300, seed: 11 });
    file = demo.file;
    known = demo.db
      .prepare(`SELECT name, id_no, customer_no FROM customers WHERE id_no IS NOT NULL ORDER BY id LIMIT 1`)
      .get() as typeof known;
    before = digestAll(demo.db);
    demo.close();
    plainCopy = path.join(path.dirname(file), 'plain', 'demo.db');
    mkdirSync(path.dirname(plainCopy));
    copyFileSync(file, plainCopy);
  }, 60_000);

  it('is plaintext on disk before: names and ID numbers readable', () => {
    expect(storeFormat(file)).toBe('plaintext');
    expect(fileContains(file, known.id_no)).toBe(true);
    expect(fileContains(file, known.name)).toBe(true);
  });

  it('is converted at the first encrypted open: backup first, progress reported, same rows, no plaintext left', async () => {
    const opened = await openAppStore(file, { onEncryptProgress: (p) => progress.push(p) });
    try {
      expect(opened.encryption).not.toBeNull();
      backupPath = opened.encryption!.backupPath;
      expect(digestAll(opened.db)).toEqual(before);
    } finally {
      opened.db.close();
    }
    // Progress: every phase in order, the fraction never going back, ending at 1.
    const phases = progress.map((p) => p.phase).filter((p, i, a) => a[i - 1] !== p);
    expect(phases).toEqual(['check', 'backup', 'encrypt', 'verify', 'swap', 'done']);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);
    expect(progress.at(-1)!.fraction).toBe(1);

    // The file: no SQLite header, no customer's name or ID number, owner-only; no -wal of the old file.
    expect(storeFormat(file)).toBe('encrypted');
    for (const text of ['SQLite format 3', known.id_no, known.name, known.customer_no]) {
      expect(fileContains(file, text), text).toBe(false);
    }
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file)).filter((n) => n.endsWith('.encrypting'))).toEqual([]);

    // The key file: beside the store, owner-only, holding the key and the store's salt.
    const keyFile = keyFilePath(file);
    if (process.platform !== 'win32') expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const rec = JSON.parse(readFileSync(keyFile, 'utf8')) as { protection: string; key: string; store: string };
    expect(rec.protection).toBe('file');
    expect(rec.key).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.store).toBe(readFileSync(file).subarray(0, 16).toString('hex'));

    // The plaintext backup served while converting; once the encrypted store is verified and in place it
    // is gone, and no plaintext copy of the store is left in the backups folder.
    expect(path.dirname(backupPath)).toBe(path.join(path.dirname(file), 'backups'));
    expect(existsSync(backupPath)).toBe(false);
    for (const n of readdirSync(path.dirname(backupPath)))
      expect(storeFormat(path.join(path.dirname(backupPath), n)), n).not.toBe('plaintext');
  });

  it('opens again without converting, and tools read it with the key file only', async () => {
    const again = await openAppStore(file);
    expect(again.encryption).toBeNull();
    again.db.close();
    const conn = openExistingStore(file, { readonly: true, fileMustExist: true });
    try {
      expect(conn.prepare('SELECT count(*) FROM customers').pluck().get()).toBe(before.customers!.rows);
    } finally {
      conn.close();
    }
  });

  it('serves the same figures as the plaintext original, imports in a worker and queries the grid, encrypted', async () => {
    const enc = await createServices({ dbPath: file, mode: 'browser', encrypt: true });
    const plain = await createServices({ dbPath: plainCopy, mode: 'browser' });
    try {
      const re = createRegistry(enc);
      const rp = createRegistry(plain);
      const e = caller(re, await demoSignIn(re, 'president'));
      const p = caller(rp, await demoSignIn(rp, 'president'));
      const grid = { filter: {}, sort: [{ col: 'aum' as const, dir: 'desc' as const }], offset: 0, limit: 100 };
      expect(await e.ok('customers.gridCount', { filter: {} })).toEqual(
        await p.ok('customers.gridCount', { filter: {} }),
      );
      expect(await e.ok('customers.quickStats', { filter: {} })).toEqual(
        await p.ok('customers.quickStats', { filter: {} }),
      );
      expect(await e.ok('customers.grid', grid)).toEqual(await p.ok('customers.grid', grid));
      const id = (await e.ok('customers.grid', grid)).rows[0]!.id;
      expect((await e.ok('customers.get', { id })).deposits).toBe((await p.ok('customers.get', { id })).deposits);

      // An import through the app (the worker opens the encrypted store by path), then the grid sees it.
      const admin = caller(re, await demoSignIn(re, 'admin'));
      const extracts = path.join(path.dirname(file), 'extracts');
      await writeExtracts(plain.db, extracts, { kinds: ['customers'] });
      const lines = iconv.decode(readFileSync(path.join(extracts, 'customers.csv')), 'gb18030').split('\r\n');
      const header = lines[0]!.split(',');
      const nameAt = header.indexOf('客户名称');
      const noAt = header.indexOf('客户号');
      const cells = lines[1]!.split(',');
      const renamedNo = cells[noAt]!;
      cells[nameAt] = '加密后导入';
      lines[1] = cells.join(',');
      mkdirSync(enc.paths.inbox, { recursive: true });
      writeFileSync(path.join(enc.paths.inbox, 'cif.csv'), iconv.encode(lines.join('\r\n'), 'gb18030'));
      const cif = (await admin.ok('imports.profiles.list', {})).find((x) => x.kind === 'customers' && x.builtin)!;
      const started = await admin.ok('imports.start', { file: 'cif.csv', source: { id: cif.id } });
      let job: Output<'imports.active'>[number] | undefined;
      for (let i = 0; i < 600; i++) {
        job = (await admin.ok('imports.active', {})).find((j) => j.ticket === started.ticket);
        if (job?.state === 'finished') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(job).toMatchObject({ state: 'finished', status: 'committed' });
      const found = await e.ok('customers.grid', { ...grid, filter: { q: '加密后导入' } });
      expect(found.rows.map((r) => r.customerNo)).toEqual([renamedNo]);
      expect(fileContains(file, '加密后导入')).toBe(false);
    } finally {
      await enc.close();
      await plain.close();
    }
    expect(fileContains(file, '加密后导入')).toBe(false);
  }, 60_000);
});

describe('a conversion that cannot finish', () => {
  it('is not started while another process has the store open, and the original stays as it was', async () => {
    const demo = await makeDemoStore({ customers: 40, seed: 2 });
    const before = digestAll(demo.db);
    try {
      // demo.db stays open, like an app that has not been closed.
      const details = await expectRefused(openAppStore(demo.file), 'STORE_IN_USE');
      expect(details).toMatchObject({ reason: 'encrypting' });
      expect(storeFormat(demo.file)).toBe('plaintext');
      expect(digestAll(demo.db)).toEqual(before);
      // No key is left behind for a store that is still plaintext.
      expect(existsSync(keyFilePath(demo.file))).toBe(false);
    } finally {
      demo.close();
    }
  });

  it('fails before the swap: the original is untouched, the message names the kept backup', async () => {
    const demo = await makeDemoStore({ customers: 40, seed: 4 });
    const before = digestAll(demo.db);
    demo.close();
    // Something in the way of the encrypted copy (a folder where the copy must go).
    mkdirSync(`${demo.file}.encrypting`);
    writeFileSync(path.join(`${demo.file}.encrypting`, 'x'), 'x');
    const err = await openAppStore(demo.file).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('STORE_ENCRYPT_FAILED');
    const details = (err as { details: { backup: string; originalUnchanged: boolean } }).details;
    expect(details.originalUnchanged).toBe(true);
    expect(storeFormat(details.backup)).toBe('plaintext');
    expect(storeFormat(demo.file)).toBe('plaintext');
    const { db } = await openStore(demo.file);
    try {
      expect(digestAll(db)).toEqual(before);
    } finally {
      db.close();
    }
    const text = describeStartupError(err, demo.file).message;
    expect(text).toContain('原文件未被改动');
    expect(text).toContain('original was left unchanged');
    expect(text).toContain(details.backup);
    // Once out of the way, the next open converts it.
    rmSync(`${demo.file}.encrypting`, { recursive: true, force: true });
    (await openAppStore(demo.file)).db.close();
    expect(storeFormat(demo.file)).toBe('encrypted');
  });
});

describe('a missing or wrong key', () => {
  let file = '';

  beforeAll(async () => {
    const demo = await makeDemoStore({ customers: 60, seed: 3 });
    file = demo.file;
    demo.close();
    (await openAppStore(file)).db.close();
  }, 60_000);

  it('a missing key file: refused with a clear message, nothing written, the store opens once it is back', async () => {
    const keyFile = keyFilePath(file);
    const saved = readFileSync(keyFile);
    const hash = sha(file);
    rmSync(keyFile);
    const details = await expectRefused(
      createServices({ dbPath: file, mode: 'browser', encrypt: true }),
      'STORE_KEY_MISSING',
    );
    expect(details).toMatchObject({ file: path.resolve(file), keyFile });
    expect(existsSync(keyFile)).toBe(false); // no new key made for an encrypted store
    expect(sha(file)).toBe(hash);
    const text = describeStartupError(
      await createServices({ dbPath: file, mode: 'browser', encrypt: true }).catch((e: unknown) => e),
      file,
    ).message;
    expect(text).toContain('密钥文件');
    expect(text).toContain('key file');
    expect(text).toContain(keyFile);
    expect(text).not.toMatch(/\n\s+at /); // no stack

    writeFileSync(keyFile, saved, { mode: 0o600 });
    const s = await createServices({ dbPath: file, mode: 'browser', encrypt: true });
    expect(s.db.prepare('SELECT count(*) FROM customers').pluck().get()).toBe(60);
    await s.close();
  });

  it('a key that does not fit: STORE_KEY_WRONG (not "damaged"), the file untouched', async () => {
    const keyFile = keyFilePath(file);
    const saved = readFileSync(keyFile, 'utf8');
    const hash = sha(file);
    const other = { ...JSON.parse(saved), key: randomBytes(32).toString('hex') };
    writeFileSync(keyFile, JSON.stringify(other));
    try {
      await expectRefused(openAppStore(file), 'STORE_KEY_WRONG');
      const e = await openAppStore(file).catch((x: unknown) => x);
      const text = describeStartupError(e, file).message;
      expect(text).toContain('无法用密钥文件');
      expect(text).toContain('cannot be opened with the key file');
      expect(sha(file)).toBe(hash);
      // Opened without any key, the encrypted file is not taken for a damaged plaintext store either.
      await expectRefused(openStore(file), 'STORE_DAMAGED');
      expect(sha(file)).toBe(hash);
    } finally {
      writeFileSync(keyFile, saved);
    }
    (await openAppStore(file)).db.close();
  });
});

describe('one changed byte in an encrypted store', () => {
  let file = '';
  let services: Services;
  let registry: Registry;
  let target: { id: number; deposits: string };

  beforeAll(async () => {
    const demo = await makeDemoStore({ customers: 300, seed: 19 });
    file = demo.file;
    demo.close();
    services = await createServices({ dbPath: file, mode: 'browser', encrypt: true });
    registry = createRegistry(services);
  }, 60_000);
  afterAll(async () => {
    await services.close();
  });

  it('is refused during a request, not served as a wrong figure, and the store is quarantined', async () => {
    const p = caller(registry, await demoSignIn(registry, 'president'));
    const { pageno, pageSize, firstId } = firstLeafPage(services.db, 'customers');
    const c = await p.ok('customers.get', { id: firstId });
    target = { id: firstId, deposits: String(c.deposits) };
    expect(Number(c.deposits)).toBeGreaterThan(0);

    // The page is on disk (not only in the WAL), and the connection forgets what it had cached.
    services.db.pragma('wal_checkpoint(TRUNCATE)');
    flipByte(file, pageno, pageSize);
    services.db.pragma('shrink_memory');

    const r = await p.call('customers.get', { id: target.id });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('STORE_DAMAGED');
    expect(r.error.details).toMatchObject({ file: path.resolve(file), reason: 'quarantined' });
    // What the window shows: the file named, no code, no stack (renderer/src/i18n/messages.ts).
    const { tr } = await loadTranslations('zh-CN');
    const zh = errorMessage(tr('zh-CN'), r.error.code, r.error.details);
    const en = errorMessage(tr('en'), r.error.code, r.error.details);
    expect(zh).toContain(path.resolve(file));
    expect(zh).toContain('已损坏');
    expect(en).toContain('is damaged');
    expect(`${zh}${en}`).not.toMatch(/STORE_DAMAGED|SQLITE_|\{\{/);
    expect(errorMessage(tr('en'), 'STORE_DAMAGED', { file: '/x/crm.db', backup: '/x/backups/crm-v27.db' })).toContain(
      'last good backup: /x/backups/crm-v27.db',
    );
    // Everything after is refused too, even calls that would not touch the page.
    const next = await p.call('customers.gridCount', { filter: {} });
    expect(!next.ok && next.error.code).toBe('STORE_DAMAGED');
    expect(existsSync(quarantineFile(file))).toBe(true);
  });

  it('stays refused at the next start (quarantine), with the file and the last backup in both languages', async () => {
    await services.close();
    // A backup to offer, as the nightly backup or a pre-migration backup would leave.
    const backups = path.join(path.dirname(file), 'backups');
    mkdirSync(backups, { recursive: true });
    const backup = path.join(backups, 'demo-v27-2026-12-01T00-00-00-000Z.db');
    writeFileSync(backup, 'backup');
    rmSync(quarantineFile(file));
    // Without the marker the open-time check (every page read, every HMAC checked) finds it as well.
    const err = await createServices({ dbPath: file, mode: 'browser', encrypt: true }).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('STORE_DAMAGED');
    const text = describeStartupError(err, file).message;
    expect(text).toContain(path.resolve(file));
    expect(text).toContain(backup);
    expect(text).toContain('已损坏');
    expect(text).toContain('last good backup');
    expect(text).not.toMatch(/SQLITE_|\n\s+at /);

    // A quarantined store is refused before any check runs, whatever its size.
    writeFileSync(quarantineFile(file), JSON.stringify({ since: 'x', sqlite: 'SQLITE_CORRUPT', backup }));
    const q = await createServices({ dbPath: file, mode: 'browser', encrypt: true }).catch((e: unknown) => e);
    expect(isAppError(q) && q.details).toMatchObject({ reason: 'quarantined', backup });
    // Reopen something for afterAll's close.
    rmSync(quarantineFile(file));
    services = await createServices({ dbPath: backupFree(), mode: 'browser', encrypt: true });
  });

  function backupFree(): string {
    return path.join(path.dirname(file), 'fresh', 'crm.db');
  }
});

describe('a big store with a changed page the open-time checks do not read', () => {
  it('is found by the background page check after start-up and quarantined', async () => {
    const demo = await makeDemoStore({ customers: 300, seed: 23 });
    demo.close();
    (await openAppStore(demo.file)).db.close();
    // The last leaf page of customers: the structural checks at open read only each table's first row.
    const conn = openExistingStore(demo.file, { readonly: true });
    const pageSize = conn.pragma('page_size', { simple: true }) as number;
    const last = conn
      .prepare(`SELECT pageno FROM dbstat WHERE name = 'customers' AND pagetype = 'leaf' ORDER BY path DESC LIMIT 1`)
      .pluck()
      .get() as number;
    conn.close();
    flipByte(demo.file, last, pageSize);
    // "Big": anything over 0 bytes skips the full check at open, as a store over 256 MB does.
    const s = await createServices({ dbPath: demo.file, mode: 'browser', encrypt: true, fullCheckMaxBytes: 0 });
    try {
      for (let i = 0; i < 600 && !s.damaged; i++) await new Promise((r) => setTimeout(r, 50));
      expect(s.damaged).toMatchObject({
        file: path.resolve(demo.file),
        sqlite: expect.stringMatching(/^SQLITE_CORRUPT/),
      });
      expect(existsSync(quarantineFile(demo.file))).toBe(true);
      const r = createRegistry(s);
      const answer = await r.dispatch({ method: 'system.info', input: {}, session: null }, { adapter: 'test' });
      expect(!answer.ok && answer.error.code).toBe('STORE_DAMAGED');
    } finally {
      await s.close();
    }
  });
});

describe('a schema migration of an encrypted store', () => {
  it('backs up first into an encrypted copy (same key), never a plaintext one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-enc-migrate-'));
    try {
      const file = path.join(dir, 'crm.db');
      const key = randomBytes(32).toString('hex');
      const from = loadMigrations().length - 2;
      const old = openConnection(file, {}, key);
      migrate(old, { upTo: from });
      old.close();
      const { db, migrated, backupPath } = await openStore(file, { key });
      try {
        expect(migrated.length).toBeGreaterThan(0);
        expect(backupPath).not.toBeNull();
        expect(storeFormat(backupPath!)).toBe('encrypted');
        if (process.platform !== 'win32') expect(statSync(backupPath!).mode & 0o777).toBe(0o600);
        const bk = openConnection(backupPath!, { readonly: true }, key);
        try {
          expect(currentVersion(bk)).toBe(from);
          expect(bk.pragma('quick_check', { simple: true })).toBe('ok');
        } finally {
          bk.close();
        }
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
