import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/** 分析报表: a report filtered, a figure drilled into (the grid counts exactly that many), tables exported and a chart saved. */

const num = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

async function filteredCount(page: Page): Promise<number> {
  const counts = page.getByTestId('grid-counts');
  await expect(counts).toHaveText(/筛选后 [\d,]+ 位/);
  return num(/筛选后 ([\d,]+) 位/.exec((await counts.textContent()) ?? '')![1]!);
}

test('the president filters a report, drills into a figure, and exports its table and chart', async ({ page }) => {
  await signIn(page, 'president');
  await page.getByTestId('nav-reports').click();
  await expect(page.getByTestId('reports-page')).toBeVisible();
  await expect(page.getByTestId('report-table-kpi')).toBeVisible();
  await expect(page.getByTestId('report-chart-trend').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('report-table-kpi')).toContainText('存款余额');
  await saveScreenshot(page, 'zh-CN-reports-overview');

  // Filtered to gold and quality customers: the tier table shows those two tiers only.
  await page.getByTestId('filter-tier-gold').check();
  await page.getByTestId('filter-tier-quality').check();
  await page.getByTestId('filter-apply').click();
  const tiers = page.getByTestId('report-table-tiers');
  await expect(tiers.locator('tbody tr')).toHaveCount(2);
  await expect(tiers).toContainText('黄金');
  await expect(tiers).not.toContainText('普通');

  // The month-end customers of the latest month, filtered: the grid opens with exactly that many.
  const trendRows = page.getByTestId('report-table-trend').locator('tbody tr');
  const last = (await trendRows.count()) - 1;
  const figure = page.getByTestId(`drill-trend-${last}-customers`);
  const clicked = num(await figure.textContent());
  expect(clicked).toBeGreaterThan(0);

  // Excel of the trend table (browser mode: fetched from the host and saved by the browser).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('report-export-trend').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^网点经营概况-月末余额趋势-\d{8}-\d{6}\.xlsx$/);
  expect(
    readFileSync(await download.path())
      .subarray(0, 2)
      .toString(),
  ).toBe('PK');
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-png-trend').click()]);
  expect(png.suggestedFilename()).toBe('网点经营概况-月末余额趋势.png');
  expect(
    readFileSync(await png.path())
      .subarray(1, 4)
      .toString(),
  ).toBe('PNG');

  await figure.click();
  await expect(page.getByTestId('customers-page')).toBeVisible();
  expect(await filteredCount(page)).toBe(clicked);
  await page.goBack();

  // The channel report, filtered to online banking, drills into the customers who used it.
  await page.getByTestId('report-tab-channels').click();
  await page.getByTestId('filter-channel-online').check();
  await page.getByTestId('filter-apply').click();
  const mix = page.getByTestId('report-table-mix');
  await expect(mix.locator('tbody tr')).toHaveCount(1);
  await expect(mix).toContainText('网上/手机银行');
  await expect(page.getByTestId('report-chart-hours').locator('canvas')).toBeVisible();
  await saveScreenshot(page, 'zh-CN-reports-channels');
  await expectNoRawErrors(page);
  await page.getByTestId('drill-mix-0-n').click();
  await expect(page.getByTestId('customers-page')).toBeVisible();
  expect(await filteredCount(page)).toBeGreaterThan(0);
});

test('a manager’s reports cover their own book', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-reports').click();
  await expect(page.getByTestId('reports-page')).toContainText('仅含本人管户客户');
  await page.getByTestId('report-tab-performance').click();
  const managers = page.getByTestId('report-table-managers');
  await expect(managers.locator('tbody tr')).toHaveCount(1);
  await expect(managers).toContainText('王丽娟');
  const clicked = num(await page.getByTestId('drill-managers-0-customers').textContent());
  await page.getByTestId('drill-managers-0-customers').click();
  expect(await filteredCount(page)).toBe(clicked);
  await expectNoRawErrors(page);
});
