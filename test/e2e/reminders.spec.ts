import { expect, test } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/** 'YYYY-MM-DDTHH:mm:ss' in Beijing time (the browser runs in Asia/Shanghai), `ms` from now. */
function beijingInput(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + ms));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

/**
 * A manager widens their reminder settings, a reminder appears in the inbox (and in the header count),
 * opens the customer, is snoozed until a few seconds ahead, disappears, and returns after that time.
 */
test('a reminder appears in the inbox, is snoozed and returns', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'manager1');
  await page.getByTestId('reminder-bell').click();
  await expect(page.getByTestId('reminders-page')).toBeVisible();

  // 提醒设置: birthdays and term-deposit maturities 60 days ahead
  await page.getByTestId('reminders-settings').click();
  const settings = page.getByTestId('reminder-settings');
  await expect(settings.getByTestId('pref-birthday')).toBeVisible();
  await settings.getByTestId('pref-birthday').locator('input[type=number]').fill('60');
  await settings.getByTestId('pref-term_maturity').locator('input[type=number]').fill('60');
  await saveScreenshot(page, 'zh-CN-reminder-settings');
  await settings.getByTestId('prefs-save').click();
  await expect(settings).toBeHidden();

  await page.getByTestId('reminders-generate').click();
  await expect(page.getByText(/已生成 \d+ 条新提醒/)).toBeVisible();
  const rows = page.getByTestId('reminder-row');
  await expect(rows.first()).toBeVisible();
  await expect(page.getByTestId('reminder-count')).toBeVisible();
  const before = Number(await page.getByTestId('reminder-count').textContent());
  expect(before).toBeGreaterThan(0);
  await saveScreenshot(page, 'zh-CN-reminders-inbox');

  // the first reminder about a customer opens that customer's 360 (from its detail beside the list)
  const detail = page.getByTestId('reminder-detail');
  const withCustomer = page.locator('[data-testid="reminder-row"][data-has-customer="true"]').first();
  const id = await withCustomer.getAttribute('data-id');
  await withCustomer.click();
  await detail.getByTestId('reminder-customer').click();
  await expect(page).toHaveURL(/#\/customer\/\d+/);
  // the 360 lists this customer's open reminders
  await expect(page.getByTestId('c360-reminders')).toBeVisible();
  await page.goBack();
  await expect(page.getByTestId('reminders-page')).toBeVisible();

  // snooze it until 8 seconds from now: it leaves the inbox and the count drops
  const row = page.locator(`[data-testid="reminder-row"][data-id="${id}"]`);
  await row.click();
  await detail.getByTestId('reminder-snooze').click();
  // the app's date field and a typed time (no browser datetime input)
  const until = beijingInput(8_000);
  await page.getByTestId('snooze-until').fill(until.slice(0, 10));
  await page.getByTestId('snooze-until-time').fill(until.slice(11));
  await page.getByTestId('snooze-save').click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('reminder-count')).toHaveText(String(before - 1));
  await page.getByTestId('reminders-view').selectOption('snoozed');
  await expect(row).toBeVisible();
  await expect(row).toContainText('延后至');

  // after its time it is back among the open reminders (and in the count)
  await page.waitForTimeout(9_000);
  await page.getByTestId('reminders-view').selectOption('open');
  await expect(row).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('reminder-count')).toHaveText(String(before));

  // done takes it away for good
  await row.click();
  await detail.getByTestId('reminder-done').click();
  await expect(row).toHaveCount(0);
  await page.getByTestId('reminders-view').selectOption('done');
  await expect(row).toBeVisible();
  await expectNoRawErrors(page);
});
