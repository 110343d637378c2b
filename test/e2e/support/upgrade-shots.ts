/**
 * Screenshots of the upgrade progress page at a branch PC's 1366×768 in both languages, in three
 * states fed to the real host and page (mid-backup, mid-migration, failed): `npx tsx
 * test/e2e/support/upgrade-shots.ts <out-dir>`. The real upgrade is too quick on a test store to catch
 * each state; test/e2e/upgrade.spec.ts drives a real one.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { UpgradeTracker } from '../../../db/upgrade-progress';
import { startHost } from '../../../main/host/server';

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? 'test-results/screenshots');
  mkdirSync(out, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-upgrade-shots-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
  let t = 0;
  const tracker = new UpgradeTracker(
    () => undefined,
    () => t,
  );
  const host = await startHost({ upgrade: () => tracker.current, rendererDir: dir });
  const browser = await chromium.launch({
    executablePath: process.env.CRM_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const shoot = async (name: string) => {
    for (const lang of ['zh-CN', 'en']) {
      await page.goto(`http://127.0.0.1:${host.port}/?lang=${lang}#token=${host.token}`);
      await page.waitForTimeout(700);
      await page.screenshot({ path: path.join(out, `${lang}-upgrade-${name}.png`) });
    }
  };
  const backup = '/home/teller/AppData/Roaming/BranchCRM/backups/crm-v17-2026-12-06T08-01-02-003Z.db';
  tracker.handle({ type: 'start', from: 17, to: 29, fullCheck: true, refills: ['reporting'] });
  t = 4000;
  tracker.handle({ type: 'check' });
  t = 61_000;
  tracker.handle({ type: 'backup-start', path: backup, writing: `${backup}.partial`, bytes: 5e9 });
  t = 95_000;
  tracker.handle({ type: 'backup', done: 2.2e9, total: 5e9 });
  await shoot('backup');
  tracker.handle({ type: 'backup-done', path: backup });
  t = 140_000;
  tracker.handle({ type: 'migrate', version: 24, name: 'audit_chain', index: 6, count: 12 });
  await shoot('migrate');
  tracker.handle({
    type: 'failed',
    code: 'STORE_MIGRATION_FAILED',
    file: '/home/teller/AppData/Roaming/BranchCRM/crm.db',
    backup,
    version: 24,
  });
  await shoot('failed');
  await browser.close();
  await host.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
