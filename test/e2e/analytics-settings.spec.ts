import { expect, test } from '@playwright/test';
import { expectNoRawErrors, signIn } from './support/app';
import { expectTidyLayout, saveScreen } from './support/layout';

/**
 * 产品匹配与风险评级 settings: the administrator saves parameters; the save returns at once and the page
 * shows the figures as they stand (on the demo store's small book the follow-up steps run before the save
 * returns; on a big one the panels read 正在重新计算 until the worker is done, test/integration/analytics/
 * recompute.test.ts). Both languages at 1366x768.
 */
test('the administrator saves next-product and risk parameters and reads what they give', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByTestId('nav-analytics').click();
  await expect(page.getByTestId('analytics-settings-page')).toBeVisible();
  await expect(page.getByTestId('an-risk-figures')).toBeVisible();
  await page.getByTestId('an-npTopN').fill('2');
  await page.getByTestId('an-np-save').click();
  await expect(page.getByText(/已保存/).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('an-rules')).toBeVisible();
  await expect(page.getByTestId('an-np-recalculating')).toHaveCount(0, { timeout: 30_000 });
  await page.getByTestId('an-riskWeightDormancy').fill('25');
  await page.getByTestId('an-risk-save').click();
  await expect(page.getByText(/已保存.*位客户有预警信号|已保存，正在按新参数重新计算/).first()).toBeVisible({
    timeout: 30_000,
  });
  await expectNoRawErrors(page);
  await expectTidyLayout(page);
  await saveScreen(page, 'analytics-settings-zh');
  await page.getByTestId('lang-switch').first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('an-risk-figures')).toContainText('customers on watch');
  // the save's notice follows the language too
  await expect(page.getByText(/^Saved[:.] /).first()).toBeVisible();
  await expect(page.getByText(/已保存/)).toHaveCount(0);
  await expectTidyLayout(page);
  await saveScreen(page, 'analytics-settings-en');
  // the language is the administrator's saved setting: back to the default for the specs after this one
  await page.getByTestId('lang-switch').first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});
