/**
 * Issue 18.2: a store made by an earlier release (./old-store.ts: schema 17, a demo branch's data)
 * upgraded the way the browser-mode host does it: the host listens first and serves the progress page
 * and /api/upgrade at the app's URL while the upgrade (check, backup, migrations) runs in a worker;
 * the page's state moves through the phases, the backup shows its own progress; once open, the
 * reporting refill runs in a worker while the desktop's and the reports' figures say "updating", and
 * afterwards the reporting tables equal a full rebuild. A failed upgrade leaves the store as it was,
 * the backup in place, and the page and start-up text say how to go back.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../../db/demo';
import { openConnection } from '../../../db/cipher';
import { currentVersion, loadMigrations } from '../../../db/migrate';
import { openStore } from '../../../db/open';
import { isRefilling, pendingRefills } from '../../../db/refills';
import { REPORTING_TABLES, rebuildReporting, reportingRetier } from '../../../db/reporting/maintain';
import { type UpgradeState, UpgradeTracker } from '../../../db/upgrade-progress';
import { describeStartupError } from '../../../main/app/startup-error';
import { startHost } from '../../../main/host/server';
import { upgradeBodyHtml } from '../../../main/upgrade/page';
import { createRegistry } from '../../../main/registry';
import { createServices } from '../../../main/services';
import { existingStoreKey } from '../../../main/store-key';
import { asUsers, tempDir } from '../support/store';
import { contiguousMigrations, makeOldStore, OLD_STORE_VERSION } from './old-store';
import { hostGet as get, storeCopy } from './progress-support';

const FAST = { N: 1 << 10, r: 8, p: 1 };
const t = tempDir('crm-upgrade-');
let migrationsAt = '';
let oldStore = '';
let newest = 0;
const savedEnv = process.env.CRM_MIGRATIONS_DIR;

function snapshot(d: Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of REPORTING_TABLES) {
    const n = (d.prepare('SELECT COUNT(*) AS n FROM pragma_table_info(?)').get(table) as { n: number }).n;
    out[table] = d
      .prepare(`SELECT * FROM ${table} ORDER BY ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}`)
      .raw()
      .all();
  }
  return out;
}

beforeAll(async () => {
  // The migrations as committed so far, pinned for this file (worker threads read the same variable).
  migrationsAt = contiguousMigrations(path.join(t.dir, 'migrations'));
  process.env.CRM_MIGRATIONS_DIR = migrationsAt;
  newest = loadMigrations().length;
  const demoFile = path.join(t.dir, 'demo.db');
  const { db } = await openStore(demoFile);
  await generateDemo(db, { customers: 400, txnsPerCustomer: 30 });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  oldStore = path.join(t.dir, 'old.db');
  makeOldStore(oldStore, demoFile);
}, 120_000);

afterAll(() => {
  if (savedEnv === undefined) delete process.env.CRM_MIGRATIONS_DIR;
  else process.env.CRM_MIGRATIONS_DIR = savedEnv;
  t.cleanup();
});

const copyOld = (name: string) => storeCopy(t.dir, name, oldStore);

describe('a store from an earlier release, upgraded in browser mode', () => {
  it('shows the upgrade on the page, marks the figures updating until the refill ends, then equals a rebuild', async () => {
    const { file, backups } = copyOld('ok');
    const fixture = new BetterSqlite3(file, { readonly: true });
    expect(currentVersion(fixture)).toBe(OLD_STORE_VERSION);
    fixture.close();

    const states: UpgradeState[] = [];
    const upgrade = new UpgradeTracker((s) => states.push(s));
    const rendererDir = path.join(t.dir, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>the app</title>');
    const host = await startHost({ upgrade: () => upgrade.current, rendererDir });

    // The page, polled as the browser does while the store opens.
    const polls: { ready: boolean; phase?: string; fraction?: number; html?: string }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const r = await get(host.port, '/api/upgrade?lang=zh-CN', { 'X-CRM-Token': host.token });
        expect(r.status).toBe(200);
        const b = JSON.parse(r.body) as { ready: boolean; state?: UpgradeState; html?: string };
        polls.push({
          ready: b.ready,
          ...(b.state ? { phase: b.state.phase, fraction: b.state.fraction } : {}),
          ...(b.html ? { html: b.html } : {}),
        });
        await new Promise((r2) => setTimeout(r2, 10));
      }
    })();
    // The app's own URL serves the progress page until the store is open; calls are refused as busy.
    const first = await get(host.port, '/');
    expect(first.body).toContain('正在升级客户数据文件');
    expect(first.body).toContain('/upgrade/page.js');
    const busy = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: host.port,
          method: 'POST',
          path: '/api/call',
          headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json', 'X-CRM-Token': host.token },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ method: 'system.info', input: {} }));
    });
    expect(busy).toBe(503);

    let release: () => void = () => undefined;
    const hold = new Promise<void>((r) => {
      release = r;
    });
    const refillSteps: number[] = [];
    const services = await createServices({
      dbPath: file,
      mode: 'browser',
      passwordCost: FAST,
      backupDir: backups,
      upgrade,
      refill: { hold, txnChunk: 1000, customerChunk: 50, onProgress: (s) => refillSteps.push(s.fraction ?? -1) },
    });
    const registry = createRegistry(services);
    host.ready(registry);
    // The page's last poll now says ready: it reloads into the app.
    await new Promise((r) => setTimeout(r, 50));
    polling = false;
    await poller;
    try {
      // Phases in order: the start-up's full check runs in the worker with the upgrade (so the page shows
      // it, table by table with a percentage), the backup with its own progress up to complete, every
      // migration stepped through.
      const phases = states.map((s) => s.phase).filter((p, i, a) => p !== a[i - 1]);
      expect(phases).toEqual(['check', 'backup', 'migrate', 'ready']);
      const checks = states.filter((s) => s.phase === 'check');
      const checkFractions = checks.map((s) => s.phaseFraction);
      expect(checkFractions.every((f) => f !== null)).toBe(true);
      expect(new Set(checkFractions).size).toBeGreaterThan(5);
      expect(checkFractions.every((f, i) => i === 0 || f! >= checkFractions[i - 1]!)).toBe(true);
      expect(checkFractions.at(-1)).toBe(1);
      const lastCheck = checks.at(-1)!.check!;
      expect(lastCheck.table).toBe(lastCheck.tables);
      expect(lastCheck.tables).toBeGreaterThan(20);
      const backupFractions = states.filter((s) => s.phase === 'backup').map((s) => s.backup.fraction);
      expect(backupFractions.at(-1)).toBe(1);
      expect(backupFractions.some((f) => f > 0 && f < 1) || backupFractions.length >= 2).toBe(true);
      const steps = states.filter((s) => s.phase === 'migrate' && s.step).map((s) => s.step!.version);
      expect(steps).toEqual(Array.from({ length: newest - OLD_STORE_VERSION }, (_, i) => OLD_STORE_VERSION + 1 + i));
      const overall = states.map((s) => s.fraction);
      expect(overall.every((f, i) => i === 0 || f >= overall[i - 1]!)).toBe(true);
      expect(states.at(-1)!.fraction).toBe(1);
      expect(states[0]!.refills).toEqual(['reporting']);
      const backupPath = states.at(-1)!.backup.path!;
      expect(existsSync(backupPath)).toBe(true);
      const bk = new BetterSqlite3(backupPath, { readonly: true });
      expect(currentVersion(bk)).toBe(OLD_STORE_VERSION);
      bk.close();

      // What the page showed: the upgrade in Chinese with its phases, then "ready".
      const shown = polls.filter((p) => !p.ready);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.some((p) => p.html?.includes('升级前备份'))).toBe(true);
      // The check's own line on the page while it ran: tables checked (until the worker's first count,
      // that it is getting ready), with its percentage beside its state.
      const checking = shown.filter((x) => x.phase === 'check');
      for (const p of checking) expect(p.html).toMatch(/已核对 \d+ \/ \d+ 张表|正在准备逐表核对/);
      // What the page renders for the check's last state, in both languages.
      const tables = String(lastCheck.tables);
      expect(upgradeBodyHtml(checks.at(-1)!, 'zh-CN')).toContain(`已核对 ${tables} / ${tables} 张表`);
      expect(upgradeBodyHtml(checks.at(-1)!, 'en')).toContain(`${tables} of ${tables} tables checked`);
      expect(polls.at(-1)!.ready).toBe(true);
      expect(new Set(shown.map((p) => `${p.phase}:${p.fraction}`)).size).toBeGreaterThan(1);
      // Once open, the URL is the app again.
      expect((await get(host.port, '/')).body).toContain('the app');

      // The store is open and usable; the reporting refill is due but held: figures say updating.
      expect(currentVersion(services.db)).toBe(newest);
      expect(pendingRefills(services.db)).toEqual(['reporting']);
      const sessions: Record<string, string> = {};
      const as = asUsers(() => registry, sessions);
      await as.signIn('president');
      const during = await as.ok('desktop.data', {}, 'president');
      expect(during.updating).not.toBeNull();
      expect(during.updating).toBeDefined();
      const reportDuring = await as.ok('reports.run', { report: 'overview', filter: {} }, 'president');
      expect(reportDuring.updating).not.toBeNull();
      expect(reportDuring.updating).toBeDefined();

      // Nothing may fold changes into the summaries meanwhile (imports, reverts, re-tiering are refused).
      expect(() => reportingRetier(services.db, 1, '2026-12-01')).toThrow(/IMPORT_STORE_BUSY/);

      release();
      expect(await services.refills.done).toEqual(['reporting']);
      // Steps reported as the refill went, ending complete.
      // 400 customers in steps of 50, the journal in steps of 1,000 ids: each step committed on its own.
      expect(refillSteps.length).toBeGreaterThan(10);
      expect(refillSteps.at(-1)).toBe(1);

      const after = await as.ok('desktop.data', {}, 'president');
      expect(after.updating).toBeNull();
      expect((await as.ok('reports.run', { report: 'overview', filter: {} }, 'president')).updating).toBeNull();
      expect(isRefilling(services.db, 'reporting')).toBe(false);

      // Identical to a full rebuild of the same store.
      const refilled = snapshot(services.db);
      expect(refilled.report_customer_months!.length).toBeGreaterThan(0);
      expect(refilled.summary_txn_months!.length).toBeGreaterThan(0);
      services.db.exec('SAVEPOINT rebuild');
      rebuildReporting(services.db);
      const rebuilt = snapshot(services.db);
      services.db.exec('ROLLBACK TO rebuild');
      services.db.exec('RELEASE rebuild');
      for (const table of REPORTING_TABLES) expect(refilled[table], table).toEqual(rebuilt[table]);
    } finally {
      await services.close();
      await host.close();
    }
  }, 120_000);

  it('a refill not done before an exit is still due at the next start, and runs then', async () => {
    const { file, backups } = copyOld('interrupted');
    const services = await createServices({
      dbPath: file,
      mode: 'browser',
      passwordCost: FAST,
      backupDir: backups,
      refill: { hold: new Promise(() => undefined) },
    });
    expect(pendingRefills(services.db)).toEqual(['reporting']);
    await services.close();

    // A second start (no upgrade now) refills in its worker.
    const again = await createServices({ dbPath: file, mode: 'browser', passwordCost: FAST, backupDir: backups });
    try {
      expect(currentVersion(again.db)).toBe(newest);
      expect(await again.refills.done).toEqual(['reporting']);
      expect(pendingRefills(again.db)).toEqual([]);
      const refilled = snapshot(again.db);
      again.db.exec('SAVEPOINT rebuild');
      rebuildReporting(again.db);
      const rebuilt = snapshot(again.db);
      again.db.exec('ROLLBACK TO rebuild');
      again.db.exec('RELEASE rebuild');
      for (const table of REPORTING_TABLES) expect(refilled[table], table).toEqual(rebuilt[table]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('an encrypted store: converted first, then backed up through its cipher, the bar covering both', async () => {
    const { file, backups } = copyOld('encrypted');
    const states: UpgradeState[] = [];
    const upgrade = new UpgradeTracker((s) => states.push(s));
    const services = await createServices({
      dbPath: file,
      mode: 'browser',
      passwordCost: FAST,
      backupDir: backups,
      encrypt: true,
      upgrade,
      refill: { hold: new Promise(() => undefined) },
    });
    try {
      const phases = states.map((s) => s.phase).filter((p, i, a) => p !== a[i - 1]);
      expect(phases).toEqual(['encrypt', 'backup', 'migrate', 'ready']);
      expect(states.slice(0, -1).every((s) => s.fraction < 1)).toBe(true);
      const last = states.at(-1)!;
      expect(last.backup.done).toBe(true);
      // The backup is encrypted under the store's key and holds the store as it was before migrating.
      const key = existingStoreKey(file);
      expect(key).not.toBeNull();
      const bk = openConnection(last.backup.path!, { readonly: true }, key);
      expect(currentVersion(bk)).toBe(OLD_STORE_VERSION);
      bk.close();
      expect(() =>
        new BetterSqlite3(last.backup.path!, { readonly: true }).prepare('SELECT 1 FROM users').get(),
      ).toThrow();
      expect(currentVersion(services.db)).toBe(newest);
    } finally {
      await services.close();
    }
  }, 120_000);

  it('a failed upgrade leaves the store as it was and the backup in place, and says how to go back', async () => {
    const { file, backups } = copyOld('failed');
    // One more migration that fails (as a real one could, on data nobody foresaw).
    const broken = contiguousMigrations(
      path.join(t.dir, 'migrations-broken'),
      [{ name: 'fails', sql: 'CREATE TABLE upgrade_probe (id INTEGER PRIMARY KEY);\nSELECT * FROM no_such_table;\n' }],
      migrationsAt,
    );
    process.env.CRM_MIGRATIONS_DIR = broken;
    const states: UpgradeState[] = [];
    const upgrade = new UpgradeTracker((s) => states.push(s));
    const host = await startHost({ upgrade: () => upgrade.current, rendererDir: path.join(t.dir, 'renderer') });
    try {
      const err = await createServices({
        dbPath: file,
        mode: 'browser',
        passwordCost: FAST,
        backupDir: backups,
        upgrade,
      }).then(
        () => null,
        (e: unknown) => e as { code: string; details: { backup: string; version: number; file: string } },
      );
      expect(err?.code).toBe('STORE_MIGRATION_FAILED');
      expect(err!.details.version).toBe(newest + 1);
      expect(existsSync(err!.details.backup)).toBe(true);

      // Nothing changed: the old version, no half-applied table, no refill requested.
      const db = new BetterSqlite3(file, { readonly: true });
      expect(currentVersion(db)).toBe(OLD_STORE_VERSION);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'upgrade_probe'").get()).toBeUndefined();
      expect(pendingRefills(db)).toEqual([]);
      db.close();

      const last = states.at(-1)!;
      expect(last.phase).toBe('failed');
      expect(last.failure?.backup).toBe(err!.details.backup);
      for (const lang of ['zh-CN', 'en'] as const) {
        const r = await get(host.port, `/api/upgrade?lang=${lang}`, { 'X-CRM-Token': host.token });
        const b = JSON.parse(r.body) as { failed: boolean; html: string };
        expect(b.failed).toBe(true);
        expect(b.html).toContain(err!.details.backup);
        expect(b.html).toContain(lang === 'en' ? 'To go back to before the upgrade' : '如何回到升级前');
        expect(b.html).not.toMatch(/no_such_table|_fails|STORE_|[a-z]+_[a-z]+/);
        expect(b.html).toContain(lang === 'en' ? `version ${newest + 1}` : `第 ${newest + 1} 版`);
      }
      // The start-up text (Electron's dialog, browser mode's console) names the backup and the way back.
      const text = describeStartupError(err, file).message;
      expect(text).toContain(err!.details.backup);
      expect(text).toContain('如何回到升级前');
      expect(text).toContain('To go back to before the upgrade');
    } finally {
      process.env.CRM_MIGRATIONS_DIR = migrationsAt;
      await host.close();
    }
  }, 120_000);
});
