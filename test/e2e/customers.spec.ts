import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/** The customer grid over the manager's book: exact counts, quick search, chips and quick stats follow the filter. */
test('a manager browses the book in the grid, searches, filters and sees the counts and stats follow', async ({ page }) => {
  await signIn(page, 'manager1');
  await expect(page.getByTestId('home-manager')).toBeVisible();
  await page.getByTestId('nav-customers').click();
  await expect(page.getByTestId('customers-page')).toBeVisible();

  const counts = page.getByTestId('grid-counts');
  await expect(counts).toHaveText(/全部 [\d,]+ 位客户，筛选后 [\d,]+ 位/);
  const total = Number(/全部 ([\d,]+)/.exec((await counts.textContent()) ?? '')![1]!.replace(/,/g, ''));
  expect(total).toBeGreaterThan(10);
  await expect(page.getByTestId('qs-count')).toHaveText(total.toLocaleString('en-US'));

  // Rows arrive from the main process; identifiers are masked.
  const grid = page.getByTestId('customer-grid');
  const noCell = grid.locator('[role="gridcell"][col-id="customerNo"]').first();
  await expect(noCell).toBeVisible();
  const idCell = grid.locator('[role="gridcell"][col-id="idNo"]').first();
  await expect(idCell).toContainText('****');

  // Quick search by the first row's customer number finds exactly that customer.
  const no = ((await noCell.textContent()) ?? '').trim();
  expect(no).toMatch(/^\d{10}$/);
  await page.keyboard.press('/');
  await expect(page.getByTestId('grid-search')).toBeFocused();
  await page.keyboard.type(no);
  await expect(counts).toHaveText(new RegExp(`筛选后 1 位`));
  await expect(page.getByTestId('qs-count')).toHaveText('1');
  await page.getByTestId('grid-search').fill('');
  await expect(counts).toHaveText(new RegExp(`筛选后 ${total.toLocaleString('en-US')} 位`));

  // A tier chip narrows the set; the stats count equals the filtered count.
  await page.getByTestId('chip-tier-gold').click();
  await expect(page.getByTestId('chip-tier-gold')).toHaveAttribute('aria-pressed', 'true');
  await expect(counts).not.toHaveText(new RegExp(`筛选后 ${total.toLocaleString('en-US')} 位`));
  const filtered = /筛选后 ([\d,]+)/.exec((await counts.textContent()) ?? '')![1]!;
  await expect(page.getByTestId('qs-count')).toHaveText(filtered);
  await saveScreenshot(page, 'zh-CN-customers-grid');
  await expectNoRawErrors(page);
});

test('the president exports the filtered grid to Excel with progress and saves the file', async ({ page }) => {
  await signIn(page, 'president');
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('chip-tier-gold').click();
  const counts = page.getByTestId('grid-counts');
  await expect(page.getByTestId('chip-tier-gold')).toHaveAttribute('aria-pressed', 'true');
  // The stats panel and the counts agree once the filtered answer arrived.
  await expect(async () => {
    const c = /筛选后 ([\d,]+)/.exec((await counts.textContent()) ?? '')?.[1];
    expect(c).toBeDefined();
    expect(await page.getByTestId('qs-count').textContent()).toBe(c);
    expect(c).not.toBe(/全部 ([\d,]+)/.exec((await counts.textContent()) ?? '')?.[1]);
  }).toPass();
  const filtered = Number(/筛选后 ([\d,]+)/.exec((await counts.textContent()) ?? '')![1]!.replace(/,/g, ''));
  await page.getByTestId('grid-export').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('export-start').click();
  await expect(dialog.getByTestId('export-progress')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(dialog.getByTestId('export-progress')).toContainText(`${filtered.toLocaleString('en-US')} / ${filtered.toLocaleString('en-US')}`);
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-save').click()]);
  expect(download.suggestedFilename()).toMatch(/^客户清单-\d{8}-\d{6}\.xlsx$/);
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  await expectNoRawErrors(page);
});
