import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * The screens this wave's security work added or changed, at a branch PC's 1366x768 and at 1920x1080,
 * in both languages: the password rules on the reset dialog, the dual-control list on 用户管理 and the
 * president's 密码重置复核, the rules on the forced password change, and the CSV note of the export
 * dialog. Screenshots go to test-results/screenshots/{zh-CN,en}-{name}[-1920].png. Uses teller2 only
 * (no other spec signs it in), and leaves every user's language as it found it.
 */
const LANGS = ['zh-CN', 'en'] as const;
const SIZES = [
  { width: 1366, height: 768, suffix: '' },
  { width: 1920, height: 1080, suffix: '-1920' },
] as const;
const TEMP = 'Temp-2026-Autumn';

async function shoot(page: Page, name: string, suffix: string): Promise<void> {
  await page.screenshot({
    path: path.resolve(__dirname, '..', '..', 'test-results', 'screenshots', `${name}${suffix}.png`),
  });
}

/** Nothing runs past the right edge, and no internal code or schema path is on screen. */
async function expectTidy(page: Page): Promise<void> {
  const overflow = await page.locator('html').evaluate((h) => h.scrollWidth - h.clientWidth);
  expect(overflow, 'page scrolls sideways').toBeLessThanOrEqual(0);
  await expect(page.locator('body')).not.toContainText(
    /min_length|char_classes|contains_username|resetPending|passwordResets\.|users\.done|INTERNAL|undefined/,
  );
}

test('dual control and the password rules read well at 1366x768 and 1920x1080 in both languages', async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage();
  const president = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin');
  await signIn(president, 'president');
  await admin.getByTestId('nav-users').click();
  await expect(admin.getByTestId('users-page')).toBeVisible();

  // The administrator requests a reset of teller2's password: the dialog states the rules, ticked live.
  // (The language switch sits behind the open dialog: switch first, then open it.)
  const dialog = admin.getByTestId('reset-dialog');
  const openReset = () =>
    admin.locator('[data-testid="user-row"][data-username="teller2"]').getByTestId('user-reset').click();
  for (const lang of LANGS) {
    await setLanguage(admin, lang);
    await openReset();
    await dialog.getByTestId('reset-password').fill('Passw0rd');
    await expect(dialog.getByTestId('password-rules').locator('[data-rule="common"]')).toHaveAttribute(
      'data-met',
      'false',
    );
    for (const size of SIZES) {
      await admin.setViewportSize(size);
      await expectTidy(admin);
      await shoot(admin, `${lang}-reset-dialog`, size.suffix);
    }
    await admin.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  }
  await setLanguage(admin, 'zh-CN');
  await openReset();
  await dialog.getByTestId('reset-password').fill(TEMP);
  await dialog.getByTestId('reset-password-confirm').fill(TEMP);
  await expect(dialog.getByTestId('password-rules').locator('[data-met="false"]')).toHaveCount(0);
  await dialog.getByTestId('reset-submit').click();
  const pendingAdmin = admin.getByTestId('pending-resets').locator('[data-username="teller2"]');
  await expect(pendingAdmin).toBeVisible();
  // The requester may not approve their own request.
  await expect(pendingAdmin.getByTestId('reset-approve')).toHaveCount(0);
  for (const size of SIZES) {
    await admin.setViewportSize(size);
    for (const lang of LANGS) {
      await setLanguage(admin, lang);
      await admin.getByTestId('pending-resets').scrollIntoViewIfNeeded();
      await expectTidy(admin);
      await shoot(admin, `${lang}-users-pending-reset`, size.suffix);
    }
  }
  await setLanguage(admin, 'zh-CN');

  // The president approves it on 密码重置复核.
  await president.getByTestId('nav-passwordResets').click();
  const pending = president.getByTestId('pending-resets').locator('[data-username="teller2"]');
  await expect(pending).toBeVisible();
  for (const size of SIZES) {
    await president.setViewportSize(size);
    for (const lang of LANGS) {
      await setLanguage(president, lang);
      await expectTidy(president);
      await shoot(president, `${lang}-password-resets`, size.suffix);
    }
  }
  await setLanguage(president, 'zh-CN');
  await pending.getByTestId('reset-approve').click();
  await expect(president.getByTestId('pending-resets').locator('[data-username="teller2"]')).toHaveCount(0);

  // teller2 signs in with the temporary password and must choose a new one, the rules shown.
  const teller = await (await browser.newContext()).newPage();
  await signIn(teller, 'teller2', TEMP);
  await expect(teller.getByTestId('change-password')).toBeVisible();
  await teller.getByTestId('password-new').fill('teller2-autumn');
  for (const size of SIZES) {
    await teller.setViewportSize(size);
    for (const lang of LANGS) {
      await setLanguage(teller, lang);
      await expectTidy(teller);
      await shoot(teller, `${lang}-change-password`, size.suffix);
    }
  }
  await setLanguage(teller, 'zh-CN');
  await expect(teller.getByTestId('password-rules').locator('[data-rule="contains_username"]')).toHaveAttribute(
    'data-met',
    'false',
  );
});

test('the export dialog says what Excel does to a CSV, at both sizes and in both languages', async ({ page }) => {
  await signIn(page, 'president');
  await page.getByTestId('nav-customers').click();
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    await page.getByTestId('grid-export').click();
    await page.getByTestId('export-format-csv').check();
    await expect(page.getByTestId('export-csv-note')).toContainText(lang === 'en' ? 'leading zeros' : '前导零');
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await expectTidy(page);
      await shoot(page, `${lang}-export-csv`, size.suffix);
    }
    await page.keyboard.press('Escape');
  }
  await setLanguage(page, 'zh-CN');
});
