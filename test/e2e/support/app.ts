import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'Demo@2026';

export function appUrl(): string {
  const url = process.env.CRM_E2E_URL;
  if (!url) throw new Error('CRM_E2E_URL not set: global setup did not run');
  return url;
}

export function origin(): string {
  return new URL(appUrl()).origin;
}

export async function signIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(appUrl());
  await page.getByTestId('signin-username').fill(username);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-password').press('Enter');
}

/** Screenshots the suite keeps (README and reviews), under test-results/screenshots. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve(__dirname, '..', '..', '..', 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export async function expectNoRawErrors(page: Page): Promise<void> {
  await expect(page.locator('body')).not.toContainText(/INTERNAL|SQLITE|TypeError|undefined/);
}
