/**
 * Issue 18.2/18.3: the one-off conversion of a plaintext store to the encrypted format runs in the
 * upgrade worker (main/upgrade/run.ts workerEncryptRunner) as a phase of the upgrade with its own
 * progress: the browser-mode host keeps answering the progress page while it runs, each step reports its
 * own measure (tables checked, bytes copied and re-encrypted, tables verified), the bar only grows, and
 * the result opens with the key and holds the plaintext store's content. Cancelled half-way (a signal, or
 * Ctrl-C in browser mode), the original is as it was and nothing the conversion made is left; killed
 * half-way (a crash), the plaintext store still opens with its key file kept, and the next start converts
 * it and removes what the killed run left.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnection, storeFormat } from '../../../db/cipher';
import type { EncryptProgress } from '../../../db/encrypt';
import { openStore } from '../../../db/open';
import { type UpgradeState, UpgradeTracker } from '../../../db/upgrade-progress';
import { startHost } from '../../../main/host/server';
import { createServices } from '../../../main/services';
import { existingStoreKey, keyFilePath, openAppStore, printEncryptProgress } from '../../../main/store-key';
import { workerEncryptRunner } from '../../../main/upgrade/run';
import { isAppError } from '../../../shared/errors';
import { dataTables, makeDemoStore, removeTempDirs, tableDigest } from '../demo/helpers';
import { tempDir } from '../support/store';
import { hostGet, storeCopy } from './progress-support';

const FAST = { N: 1 << 10, r: 8, p: 1 };
const t = tempDir('crm-encrypt-progress-');
let source = '';
let before: Record<string, { rows: number; sha: string }> = {};

function digestAll(db: Database): Record<string, { rows: number; sha: string }> {
  const out: Record<string, { rows: number; sha: string }> = {};
  for (const name of [...dataTables(db), 'schema_migrations']) out[name] = tableDigest(db, name);
  return out;
}

beforeAll(async () => {
  const demo = await makeDemoStore({ customers: 1500, seed: 3 });
  demo.db.pragma('wal_checkpoint(TRUNCATE)');
  before = digestAll(demo.db);
  demo.close();
  source = demo.file;
}, 180_000);

afterAll(() => {
  removeTempDirs();
  t.cleanup();
});

const copyPlain = (name: string) => storeCopy(t.dir, name, source);

/** What a conversion may leave beside the store and in its backups folder. */
function leftovers(file: string, backups: string): string[] {
  const beside = readdirSync(path.dirname(file)).filter((n) => n.includes('.encrypting'));
  const plain = existsSync(backups) ? readdirSync(backups).filter((n) => n.includes('-plaintext-')) : [];
  return [...beside, ...plain];
}

function plainDigest(file: string): Record<string, { rows: number; sha: string }> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return digestAll(db);
  } finally {
    db.close();
  }
}

describe('a plaintext store converted to the encrypted format', () => {
  it('runs in a worker as a phase of the upgrade: the page is served throughout, each step measured, the bar growing; the result opens with the key and equals the plaintext', async () => {
    const { file, backups } = copyPlain('worker');
    const states: UpgradeState[] = [];
    const upgrade = new UpgradeTracker((s) => states.push(s));
    // Browser mode's console lines, as its host prints them.
    const lines: string[] = [];
    const print = printEncryptProgress({ write: (l: string) => lines.push(l) });
    let converted: { ok: string; digest: Record<string, { rows: number; sha: string }> } | null = null;
    const rendererDir = path.join(t.dir, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>the app</title>');
    const host = await startHost({ upgrade: () => upgrade.current, rendererDir });
    // The page polled as the browser does: answered while the conversion runs, since it runs in a worker.
    const answered: { phase: string; fraction: number; html: string }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const b = JSON.parse(
          (await hostGet(host.port, '/api/upgrade?lang=zh-CN', { 'X-CRM-Token': host.token })).body,
        ) as {
          ready: boolean;
          state?: UpgradeState;
          html?: string;
        };
        if (b.state) answered.push({ phase: b.state.phase, fraction: b.state.fraction, html: b.html ?? '' });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const services = await createServices({
      dbPath: file,
      mode: 'browser',
      passwordCost: FAST,
      backupDir: backups,
      encrypt: true,
      upgrade,
      // The converted file as it stands once swapped in, before the app's start-up writes to it.
      onEncryptProgress: (p) => {
        print(p);
        if (p.phase !== 'done') return;
        const conn = openConnection(file, { readonly: true }, existingStoreKey(file));
        try {
          converted = { ok: String(conn.pragma('integrity_check', { simple: true })), digest: digestAll(conn) };
        } finally {
          conn.close();
        }
      },
    });
    polling = false;
    await poller;
    try {
      // The conversion is this start's one phase (the schema is current): then the store opens.
      const phases = states.map((s) => s.phase).filter((p, i, a) => p !== a[i - 1]);
      expect(phases).toEqual(['encrypt', 'ready']);
      const converting = states.filter((s) => s.phase === 'encrypt');
      const steps = converting.map((s) => s.encrypt?.phase).filter((p, i, a) => p !== a[i - 1]);
      expect(steps).toEqual(['check', 'backup', 'encrypt', 'verify', 'swap', 'done']);
      // The bar only grows, in many steps, and says 100% only once the store is open.
      const overall = states.map((s) => s.fraction);
      expect(overall.every((f, i) => i === 0 || f >= overall[i - 1]!)).toBe(true);
      expect(new Set(converting.map((s) => s.fraction)).size).toBeGreaterThan(20);
      expect(converting.every((s) => s.fraction < 1)).toBe(true);
      expect(states.at(-1)!.fraction).toBe(1);
      // Each step with its own measure: the check and the verification table by table up to every table,
      // the copies and the re-encryption in bytes up to the whole file (twice: copy, then re-encryption).
      for (const phase of ['check', 'verify'] as const) {
        const s = converting.map((x) => x.encrypt!).filter((e) => e.phase === phase);
        expect(s.every((e) => e.unit === 'pages')).toBe(true);
        const tables = s.map((e) => e.table ?? 0);
        expect(tables.every((n, i) => i === 0 || n >= tables[i - 1]!)).toBe(true);
        expect(s.at(-1)!.table).toBe(s.at(-1)!.tables);
        expect(s.at(-1)!.tables).toBeGreaterThan(20);
        expect(s.at(-1)!.done).toBe(s.at(-1)!.total);
      }
      const enc = converting.map((x) => x.encrypt!).filter((e) => e.phase === 'encrypt');
      expect(enc.every((e) => e.unit === 'bytes')).toBe(true);
      expect(enc.at(-1)!.done).toBe(enc.at(-1)!.total);
      expect(enc.at(-1)!.total).toBeGreaterThan(2 * 1024 * 1024);

      // The page was answered while converting (this thread was free), with the step's own line.
      const during = answered.filter((a) => a.phase === 'encrypt');
      expect(during.length).toBeGreaterThan(0);
      for (const a of during) expect(a.html).toContain('加密数据文件');
      expect(during.some((a) => /已核对 \d+ \/ \d+ 张表|已复制 \d+ \/ \d+ MB|加密：\d+ \/ \d+ MB/.test(a.html))).toBe(
        true,
      );

      // The result: encrypted on disk, opened with the key file's key, the same content as the plaintext.
      expect(storeFormat(file)).toBe('encrypted');
      expect(converted).toEqual({ ok: 'ok', digest: before });
      expect(services.db.prepare('SELECT count(*) FROM customers').pluck().get()).toBe(before.customers!.rows);
      expect(() =>
        new BetterSqlite3(file, { readonly: true }).prepare('SELECT count(*) FROM customers').get(),
      ).toThrow();
      expect(leftovers(file, backups)).toEqual([]);
      // The console's lines say the same in both languages.
      expect(lines.join('')).toMatch(/已核对 \d+ \/ \d+ 张表 \/ Checking the original file: \d+ of \d+ tables/);
      expect(lines.join('')).toMatch(/加密：\d+ \/ \d+ MB \/ Encrypting: \d+ of \d+ MB/);
    } finally {
      await services.close();
      await host.close();
    }
  }, 240_000);

  it('cancelled half-way: the original is as it was and nothing the conversion made is left; the next start converts it', async () => {
    const { file, backups } = copyPlain('cancel');
    const key = 'c4'.repeat(32);
    const abort = new AbortController();
    const seen: EncryptProgress[] = [];
    const err = await openStore(file, {
      key,
      backupDir: backups,
      encryptRunner: workerEncryptRunner,
      signal: abort.signal,
      onEncryptProgress: (p) => {
        seen.push(p);
        // Stopped while the check is under way: long before the swap.
        if (p.phase === 'check' && (p.table ?? 0) >= 1) abort.abort();
      },
    }).then(
      (o) => {
        o.db.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(isAppError(err) && err.code).toBe('STORE_ENCRYPT_FAILED');
    expect(isAppError(err) && err.details).toMatchObject({ reason: 'cancelled', originalUnchanged: true });
    expect(seen.some((p) => p.phase === 'swap')).toBe(false);
    expect(storeFormat(file)).toBe('plaintext');
    expect(plainDigest(file)).toEqual(before);
    expect(leftovers(file, backups)).toEqual([]);

    const again = await openAppStore(file, { backupDir: backups });
    try {
      expect(again.encryption).not.toBeNull();
      expect(digestAll(again.db)).toEqual(before);
    } finally {
      again.db.close();
    }
    expect(storeFormat(file)).toBe('encrypted');
  }, 240_000);

  it('browser mode: Ctrl-C while converting cancels it, the original is as it was, and the host ends', async () => {
    const { file, backups } = copyPlain('host-cancel');
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/host/index.ts', '--db', file], {
      cwd: path.resolve(__dirname, '..', '..', '..'),
      env: { ...process.env, CRM_LOG: 'silent' },
      stdio: 'pipe',
    });
    let out = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString('utf8');
    });
    // The progress page is announced at the conversion's first step: stop the host then.
    for (let i = 0; i < 1200 && !out.includes('Upgrade progress:'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('Upgrade progress:');
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(out).toContain('Encryption cancelled; the data file is unchanged');
    expect(storeFormat(file)).toBe('plaintext');
    expect(plainDigest(file)).toEqual(before);
    expect(leftovers(file, backups)).toEqual([]);
    // The key made for this start is of no use to a plaintext store: removed, as after any failed start.
    expect(existsSync(keyFilePath(file))).toBe(false);
  }, 240_000);

  it('killed half-way (a crash): the plaintext store still opens, its key file is kept, and the next start converts it and removes what the killed run left', async () => {
    const { file, backups } = copyPlain('crash');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'encrypt-crash-child.ts'), file, backups],
      { cwd: path.resolve(__dirname, '..', '..', '..'), env: { ...process.env, CRM_LOG: 'silent' }, stdio: 'pipe' },
    );
    let out = '';
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child never reached the re-encryption:\n${out}`)), 120_000);
      const onData = (b: Buffer) => {
        out += b.toString('utf8');
        if (out.includes('HOLDING')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', () => reject(new Error(`the child ended on its own:\n${out}`)));
    });
    // Killed in the middle of the encrypted copy (after the plaintext backup): nothing runs after this.
    child.kill('SIGKILL');
    expect(await exit).toBe('SIGKILL');

    expect(storeFormat(file)).toBe('plaintext');
    expect(plainDigest(file)).toEqual(before);
    const keyRecord = readFileSync(keyFilePath(file), 'utf8');
    // What the killed run left: its half-made copy and its plaintext backup.
    expect(leftovers(file, backups).length).toBeGreaterThanOrEqual(2);

    const again = await openAppStore(file, { backupDir: backups });
    try {
      expect(again.encryption).not.toBeNull();
      expect(digestAll(again.db)).toEqual(before);
    } finally {
      again.db.close();
    }
    // The same key (written before the first attempt) opens it; nothing of either run is left.
    expect(JSON.parse(readFileSync(keyFilePath(file), 'utf8')).key).toBe(JSON.parse(keyRecord).key);
    expect(storeFormat(file)).toBe('encrypted');
    expect(leftovers(file, backups)).toEqual([]);
  }, 240_000);
});
