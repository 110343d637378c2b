/**
 * Screenshots of the "更新中 / Updating" marks at 1366×768 in both languages: a store from an earlier
 * release (test/integration/store/old-store.ts) upgraded by the real services and host, with the refill
 * after the upgrade held so the marks stay on while the pages are captured.
 * `npx tsx test/e2e/support/updating-shots.ts <old-store.db> <out-dir>` (needs `npm run build` first).
 */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { DEMO_PASSWORD } from '../../../db/demo';
import { startHost } from '../../../main/host/server';
import { createRegistry } from '../../../main/registry';
import { createServices } from '../../../main/services';

async function main(): Promise<void> {
  const [oldStore, outArg] = process.argv.slice(2);
  if (!oldStore) throw new Error('usage: updating-shots.ts <old-store.db> [out-dir]');
  const out = path.resolve(outArg ?? 'test-results/screenshots');
  mkdirSync(out, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-updating-shots-'));
  const file = path.join(dir, 'crm.db');
  copyFileSync(oldStore, file);
  let release: () => void = () => undefined;
  const hold = new Promise<void>((r) => {
    release = r;
  });
  const services = await createServices({ dbPath: file, mode: 'browser', refill: { hold } });
  const host = await startHost({
    registry: createRegistry(services),
    rendererDir: path.join(__dirname, '..', '..', '..', 'out', 'renderer'),
  });
  const browser = await chromium.launch({
    executablePath: process.env.CRM_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  for (const lang of ['zh-CN', 'en']) {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(host.url);
    await page.getByTestId('signin-username').fill('president');
    await page.getByTestId('signin-password').fill(DEMO_PASSWORD);
    await page.getByTestId('signin-password').press('Enter');
    await page.getByTestId('figures-updating').first().waitFor({ timeout: 30_000 });
    // The signed-in user's language is the account's: switch it as a user would.
    if (lang === 'en') await page.getByTestId('lang-switch').first().click();
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(out, `${lang}-updating-desktop.png`) });
    await page.goto(`${host.url.replace(/#.*$/, '')}#/reports/overview`);
    await page.getByTestId('figures-updating').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(out, `${lang}-updating-reports.png`) });
    await page.close();
  }
  await browser.close();
  release();
  await services.refills.done;
  await host.close();
  await services.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
