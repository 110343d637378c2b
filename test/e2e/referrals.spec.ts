import { openExistingStore } from '../../main/store-key';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/**
 * Teller referral end to end: the teller flags a prospect with the keyboard only; the manager of record
 * sees it in the queue, accepts, records the contact and closes it as won; the teller sees the outcome;
 * the president sees it in the referral report.
 */
function pickCustomer(): { id: number; no: string; name: string; tellerName: string } {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  try {
    // a customer of manager1 that has no referral yet (the suite may run more than once on one store)
    const c = db
      .prepare(
        `SELECT c.id, c.customer_no AS no, c.name FROM customers c JOIN users u ON u.staff_id = c.manager_staff_id AND u.username = 'manager1'
         WHERE c.status = 'active' AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.customer_id = c.id) ORDER BY c.aum_fen DESC LIMIT 1`,
      )
      .get() as { id: number; no: string; name: string };
    const t = db
      .prepare(`SELECT s.name FROM users u JOIN staff s ON s.id = u.staff_id WHERE u.username = 'teller1'`)
      .get() as { name: string };
    return { ...c, tellerName: t.name };
  } finally {
    db.close();
  }
}

async function as(browser: Browser, user: string): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, user);
  return page;
}

test('a teller flags a prospect by keyboard; the manager wins it; the teller sees the outcome; the president sees it in the report', async ({
  browser,
}) => {
  const c = pickCustomer();

  // Teller: look-up, Enter, Alt+R, ↓ (理财), Tab, → (紧急), Tab, note, Enter. No mouse.
  const teller = await as(browser, 'teller1');
  await expect(teller.getByTestId('home-teller')).toBeVisible();
  await expect(teller.getByTestId('teller-search')).toBeFocused();
  const started = Date.now();
  await teller.keyboard.type(c.no);
  await expect(teller.locator(`[data-testid="customer-row"][data-customer-no="${c.no}"]`)).toBeVisible();
  await teller.keyboard.press('Enter');
  await expect(teller.getByTestId('teller-card')).toContainText(c.name);
  await teller.keyboard.press('Alt+r');
  await expect(teller.getByTestId('referral-dialog')).toBeVisible();
  await expect(teller.getByTestId('referral-interest-deposit')).toBeFocused();
  await teller.keyboard.press('ArrowDown');
  await expect(teller.getByTestId('referral-interest-wealth')).toBeChecked();
  await teller.keyboard.press('Tab');
  await teller.keyboard.press('ArrowRight');
  await expect(teller.getByTestId('referral-urgency-high')).toBeChecked();
  await teller.keyboard.press('Tab');
  await expect(teller.getByTestId('referral-note')).toBeFocused();
  await teller.keyboard.type('客户有一笔定期下月到期，想了解理财');
  await teller.keyboard.press('Enter');
  await expect(teller.getByText(/已转介给 .+，首次联系时限 \d{4}-\d{2}-\d{2}/)).toBeVisible();
  const tookMs = Date.now() - started;
  expect(tookMs).toBeLessThan(30_000);
  test.info().annotations.push({
    type: 'teller flag, keyboard only',
    description: `${tookMs} ms from typing the customer number to the confirmation`,
  });
  console.log(`teller flag, keyboard only: ${tookMs} ms`);
  const mine = teller.locator(`[data-testid="my-referral"][data-customer-no="${c.no}"]`);
  await expect(mine).toHaveAttribute('data-status', 'new');
  await expect(teller.getByTestId('teller-search')).toBeFocused();

  // Manager of record: the referral is in the queue; accept, record the contact, close as won.
  const manager = await as(browser, 'manager1');
  await manager.getByTestId('nav-referrals').click();
  await expect(manager.getByTestId('referrals-page')).toBeVisible();
  const row = manager.locator(`[data-testid="referral-row"][data-customer-no="${c.no}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('理财');
  await row.click();
  const detail = manager.getByTestId('referral-detail');
  await expect(detail).toContainText('客户有一笔定期下月到期');
  await detail.getByTestId('referral-accept').click();
  await expect(detail.getByTestId('referral-status')).toHaveText(/已受理/);
  await detail.getByTestId('referral-contact-channel').selectOption('visit');
  await detail.getByTestId('referral-contact-outcome').selectOption('interested');
  await detail.getByTestId('referral-contact-summary').fill('客户同意购买稳健型理财');
  await detail.getByTestId('referral-contact-submit').click();
  await expect(detail.getByTestId('referral-status')).toHaveText(/已联系/);
  const product = detail.getByTestId('referral-win-product');
  await expect(product.locator('option')).not.toHaveCount(1);
  await product.selectOption({ index: 1 });
  await detail.getByTestId('referral-win-amount').fill('50000');
  await detail.getByTestId('referral-win-submit').click();
  await expect(detail.getByTestId('referral-status')).toHaveText(/已成交/);
  await expect(detail.getByTestId('referral-outcome')).toContainText('50,000.00');
  await expect(detail.getByTestId('referral-history')).toContainText('成交');
  await saveScreenshot(manager, 'zh-CN-referral-queue');
  await expectNoRawErrors(manager);

  // The customer 360 shows the contact and the referral.
  await detail.getByTestId('referral-customer').click();
  await expect(manager.getByTestId('customer-360')).toBeVisible();
  await expect(manager.getByTestId('contact-timeline')).toContainText('客户同意购买稳健型理财');
  await expect(manager.getByTestId('c360-referrals')).toContainText('已成交');

  // Teller: the flag shows its outcome.
  await teller.reload();
  await expect(mine).toHaveAttribute('data-status', 'won');
  await expect(mine.getByTestId('my-referral-outcome')).toContainText('50,000.00');

  // President: the referral report counts it for the teller.
  const president = await as(browser, 'president');
  await president.getByTestId('nav-referralReport').click();
  await expect(president.getByTestId('referral-report-page')).toBeVisible();
  const tellerRow = president.getByTestId('referral-report-tellers').locator(`[data-name="${c.tellerName}"]`);
  await expect(tellerRow).toBeVisible();
  expect(Number(await tellerRow.locator('[data-col="won"]').textContent())).toBeGreaterThanOrEqual(1);
  await expect(president.getByTestId('referral-leaderboard')).toContainText(c.tellerName);
  await saveScreenshot(president, 'zh-CN-referral-report');
  await expectNoRawErrors(president);
});
