import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectNoRawErrors, signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * zh-CN is zh-CN on any PC: with the browser set to English (en-US), dates are picked in the app's own
 * calendar (Monday first, 2026年12月, 一…日) and typed as YYYY-MM-DD, and every form check speaks the
 * app's language in the app's bubble, not the browser's ("Please select an item in the list.").
 * Screenshots: test-results/screenshots/{zh-CN,en}-date-field{,-1920}.png.
 */
test.use({ locale: 'en-US', viewport: { width: 1366, height: 768 } });

const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

test('no native date input is left in the renderer', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-opportunities').click();
  await page.getByTestId('opp-new').click();
  await page.getByTestId('opp-customer-q').fill('王');
  await page.getByTestId('opp-customer-q').press('Enter');
  await expect(page.getByTestId('opp-due')).toBeVisible();
  await expect(page.locator('input[type="date"]')).toHaveCount(0);
});

test('the date field: typed forms, the app calendar and its keys, and the app message for a bad date', async ({
  page,
}) => {
  await signIn(page, 'manager1');
  await expect(page.getByTestId('nav-opportunities')).toBeVisible();
  await setLanguage(page, 'zh-CN');
  await page.getByTestId('nav-opportunities').click();
  await page.getByTestId('opp-new').click();
  await page.getByTestId('opp-customer-q').fill('王');
  await page.getByTestId('opp-customer-q').press('Enter');
  const due = page.getByTestId('opp-due');
  await expect(due).toHaveAttribute('placeholder', '年-月-日');
  await due.fill('2026/1/5');
  await due.press('Tab');
  await expect(due).toHaveValue('2026-01-05');
  await due.fill('12/31/2026'); // the browser's en-US form is not a date here
  await due.press('Tab');
  await expect(page.getByTestId('opp-due-problem')).toContainText('日期格式应为 年-月-日');
  await expect(due).toHaveAttribute('aria-invalid', 'true');

  await due.fill('20261215');
  await page.getByTestId('opp-due-open').click();
  const cal = page.getByTestId('opp-due-calendar');
  await expect(cal).toContainText('2026年12月');
  await expect(cal.locator('th')).toHaveText(['一', '二', '三', '四', '五', '六', '日']);
  await expect(cal.locator('button[data-date="2026-12-15"]')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('PageDown');
  await expect(cal).toContainText('2027年1月');
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-date-field.png') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-date-field-1920.png') });
  await page.keyboard.press('Enter');
  await expect(cal).toBeHidden();
  await expect(due).toHaveValue('2027-01-23');
  await expect(page.getByTestId('opp-due-problem')).toHaveCount(0);
  // Esc closes the calendar only
  await due.press('Alt+ArrowDown');
  await expect(cal).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(cal).toBeHidden();
  await expect(page.getByTestId('opp-new-form')).toBeVisible();

  await setLanguage(page, 'en');
  await page.setViewportSize({ width: 1366, height: 768 });
  await expect(due).toHaveAttribute('placeholder', 'YYYY-MM-DD');
  await page.getByTestId('opp-due-open').click();
  await expect(cal).toContainText('January 2027');
  await expect(cal.locator('th').first()).toHaveText('Mo');
  await page.screenshot({ path: path.join(SHOTS, 'en-date-field.png') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: path.join(SHOTS, 'en-date-field-1920.png') });
  await page.keyboard.press('Escape');
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});

test('form checks speak the app language on an English browser', async ({ page }) => {
  await signIn(page, 'president');
  await expect(page.getByTestId('nav-referrals')).toBeVisible();
  await setLanguage(page, 'zh-CN');
  // a required choice in a form: 转派 without a manager chosen
  await page.getByTestId('nav-referrals').click();
  await page.getByTestId('referral-row').first().click();
  await page.getByTestId('referral-reassign-submit').click();
  const bubble = page.getByTestId('invalid-bubble');
  await expect(bubble).toHaveText('请在列表中选择一项');
  await expect(page.getByTestId('referral-reassign-to')).toBeFocused();
  await expect(page.getByTestId('referral-reassign-to')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('referral-reassign-to').selectOption({ index: 1 });
  await expect(bubble).toHaveCount(0);

  // a bounded number outside any form: 久未联系 days past its maximum
  await page.getByTestId('nav-staleContacts').click();
  await page.getByTestId('stale-days').fill('5000');
  await page.getByTestId('stale-days').press('Tab');
  await expect(bubble).toHaveText('不能大于 3650');
  await setLanguage(page, 'en');
  await page.getByTestId('stale-days').fill('0');
  await page.getByTestId('stale-days').press('Tab');
  await expect(bubble).toHaveText('Must be at least 1');
  await setLanguage(page, 'zh-CN');
});

test('in a dialog (snooze) the calendar is whole, and Esc closes the calendar, not the dialog', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-reminders').click();
  await setLanguage(page, 'zh-CN');
  await page.getByTestId('reminder-row').first().click();
  await page.getByTestId('reminder-detail').getByTestId('reminder-snooze').click();
  await expect(page.getByTestId('snooze-dialog')).toBeVisible();
  await page.getByTestId('snooze-until-open').click();
  const cal = page.getByTestId('snooze-until-calendar');
  await expect(cal).toBeVisible();
  // the last day of the grid can be clicked: not cut off by the dialog's scrolling box
  await cal.locator('button[data-date]').last().click({ trial: true });
  const box = (await cal.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(768);
  await page.keyboard.press('Escape');
  await expect(cal).toBeHidden();
  await expect(page.getByTestId('snooze-dialog')).toBeVisible();
  // a time that is not one is refused in the app's words
  await page.getByTestId('snooze-until-time').fill('25:00');
  await page.getByTestId('snooze-save').click();
  await expect(page.getByTestId('invalid-bubble')).toHaveText('时间格式应为 时:分，如 09:30');
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-snooze-time-check.png') });
});
