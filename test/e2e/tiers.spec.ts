import { expect, test } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/** The administrator changes the tier model, previews who would move, saves, and the grid follows. */
test('the administrator previews a tier model change as a from/to matrix and applies it', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByTestId('nav-tiers').click();
  await expect(page.getByTestId('tiers-page')).toBeVisible();

  // An impossible model is refused before anything runs.
  await page.getByTestId('tier-threshold-gold').fill('1');
  await expect(page.getByTestId('tier-invalid')).toBeVisible();
  await expect(page.getByTestId('tier-preview')).toBeDisabled();
  await page.getByTestId('tier-threshold-gold').fill('60');

  await page.getByTestId('tier-preview').click();
  const matrix = page.getByTestId('tier-matrix');
  await expect(matrix).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('tier-moving')).toHaveText(/将有 [\d,]+ 位客户改变分层/);
  const n = /将有 ([\d,]+) 位/.exec((await page.getByTestId('tier-moving').textContent()) ?? '')![1]!;
  await saveScreenshot(page, 'zh-CN-tier-model');
  await page.getByTestId('tier-apply').click();
  await page.getByTestId('tier-confirm-button').click();
  await expect(page.getByTestId('tier-done')).toHaveText(new RegExp(`${n} 位客户分层发生变化`));
  await expect(page.getByTestId('tiers-active')).toContainText('当前第');
  // Applying the same model again moves nobody.
  await page.getByTestId('tier-preview').click();
  await expect(page.getByTestId('tier-moving')).toHaveText(/将有 0 位客户改变分层/);
  await expectNoRawErrors(page);
});
