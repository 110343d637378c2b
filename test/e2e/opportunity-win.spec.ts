import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectNoRawErrors, signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * 成交 is confirmed, not one click: the win dialog shows the product and amount, both editable, checked
 * with the app's own messages (no browser bubble); the win can be undone with a reason the same day,
 * and the history says so. The dialogs are captured at 1366x768 and 1920x1080 in both languages
 * (test-results/screenshots/{zh-CN,en}-opportunity-win{,-undo}{,-1920}.png).
 */
test.use({ viewport: { width: 1366, height: 768 } });

const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

/** Opens manager1's first opportunity at 已识别 (the start-up rules made them) and takes it to 方案制定. */
async function openToProposal(page: Page): Promise<void> {
  await page.getByTestId('nav-opportunities').click();
  await page.getByTestId('opp-filter-identified').click();
  await page.getByTestId('opp-row').first().click();
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'identified');
  await page.getByTestId('opp-move-proposal').click();
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'proposal');
}

/** The dialog fits the screen: nothing is cut at the right or bottom edge. */
async function expectDialogFits(page: Page, testId: string): Promise<void> {
  const box = await page.getByTestId(testId).boundingBox();
  const vp = page.viewportSize()!;
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(vp.width);
  expect(box!.y + box!.height).toBeLessThanOrEqual(vp.height);
}

test('a win is confirmed with product and amount, validated, and undone the same day with a reason', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'manager1');
  await openToProposal(page);

  await page.getByTestId('opp-move-won').click();
  const dialog = page.getByTestId('opp-win-dialog');
  await expect(dialog).toBeVisible();
  // nothing was closed by the click
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'proposal');
  await page.getByTestId('opp-win-amount').fill('');
  await page.getByTestId('opp-win-confirm').click();
  await expect(page.getByTestId('opp-win-amount-problem')).toHaveText('请填写成交金额');
  await page.getByTestId('opp-win-amount').fill('abc');
  await expect(page.getByTestId('opp-win-amount-problem')).toContainText('金额应为大于 0 的数字');
  await page.getByTestId('opp-win-confirm').click();
  await expect(dialog).toBeVisible();
  await page.getByTestId('opp-win-amount').fill('50万');
  await expect(page.getByTestId('opp-win-amount-problem')).toHaveCount(0);
  await expect(page.getByTestId('opp-win-amount-read')).toHaveText('500,000.00 元');
  await page.getByTestId('opp-win-product').selectOption({ label: '理财' });
  await expectDialogFits(page, 'opp-win-dialog');
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-opportunity-win.png') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-opportunity-win-1920.png') });
  await page.setViewportSize({ width: 1366, height: 768 });

  // Esc or 取消 leaves it open
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'proposal');
  await page.getByTestId('opp-move-won').click();
  await page.getByTestId('opp-win-amount').fill('50万');
  await page.getByTestId('opp-win-product').selectOption({ label: '理财' });
  await page.getByTestId('opp-win-confirm').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'won');
  const detail = page.getByTestId('opp-detail');
  await expect(detail).toContainText('500,000.00');
  await expect(detail).toContainText('理财');

  // undo: a reason is required, then it goes back to 方案制定 and the history says 撤销成交
  await page.getByTestId('opp-undo-won').click();
  const undo = page.getByTestId('opp-undo-dialog');
  await expect(undo).toContainText('方案制定');
  await page.getByTestId('opp-undo-confirm').click();
  await expect(page.getByTestId('opp-undo-reason-problem')).toHaveText('请填写撤销原因');
  await page.getByTestId('opp-undo-reason').fill('客户当日撤回申购');
  await expectDialogFits(page, 'opp-undo-dialog');
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-opportunity-win-undo.png') });
  await page.getByTestId('opp-undo-confirm').click();
  await expect(undo).toBeHidden();
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'proposal');
  await expect(page.getByTestId('opp-history')).toContainText('撤销成交 · 客户当日撤回申购');
  await expect(page.getByTestId('opp-undo-won')).toHaveCount(0);

  // the same in English, at both sizes
  await setLanguage(page, 'en');
  await page.getByTestId('opp-move-won').click();
  await page.getByTestId('opp-win-amount').fill('');
  await page.getByTestId('opp-win-confirm').click();
  await expect(page.getByTestId('opp-win-amount-problem')).toHaveText('Enter the amount won');
  await page.getByTestId('opp-win-amount').fill('120000');
  await expectDialogFits(page, 'opp-win-dialog');
  await page.screenshot({ path: path.join(SHOTS, 'en-opportunity-win.png') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: path.join(SHOTS, 'en-opportunity-win-1920.png') });
  await page.getByTestId('opp-win-confirm').click();
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'won');
  await page.getByTestId('opp-undo-won').click();
  await page.getByTestId('opp-undo-reason').fill('wrong amount');
  await page.screenshot({ path: path.join(SHOTS, 'en-opportunity-win-undo-1920.png') });
  await page.getByTestId('opp-undo-confirm').click();
  await expect(page.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'proposal');
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});
