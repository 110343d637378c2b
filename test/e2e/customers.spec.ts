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

test('a manager stars a customer, builds an advanced query, saves it, and puts the result in a list', async ({ page }) => {
  await signIn(page, 'manager2');
  await page.getByTestId('nav-customers').click();
  const counts = page.getByTestId('grid-counts');
  await expect(counts).toHaveText(/筛选后/);

  // Star the first row; the favourites view then holds exactly that customer.
  const star = page.getByTestId('grid-star').first();
  await star.click();
  await expect(star).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('grid-view').selectOption('favorites');
  await expect(counts).toHaveText(/筛选后 1 位/);
  await page.getByTestId('grid-view').selectOption('all');

  // Advanced query: tier in (gold, quality) OR AUM >= 300,000.
  await page.getByTestId('grid-advanced').click();
  const qb = page.getByTestId('query-builder');
  await qb.getByTestId('query-op-or').check();
  await qb.getByTestId('query-add').click();
  const second = qb.getByTestId('query-row').nth(1);
  await second.getByTestId('query-field').selectOption('aum');
  await second.getByTestId('query-cmp').selectOption('gte');
  await second.getByTestId('query-value').fill('300000');
  await qb.getByTestId('query-check').click();
  await expect(qb.getByTestId('query-preview')).toHaveText(/符合 [\d,]+ 位/);
  const n = /符合 ([\d,]+) 位/.exec((await qb.getByTestId('query-preview').textContent()) ?? '')![1]!;
  await qb.getByTestId('query-name').fill('高价值客户');
  await qb.getByTestId('query-save').click();
  await expect(qb).toBeHidden();
  await expect(counts).toHaveText(new RegExp(`筛选后 ${n} 位`));

  // A bad value gets a clear message.
  await page.getByTestId('grid-advanced').click();
  await qb.getByTestId('query-row').first().getByTestId('query-field').selectOption('aum');
  await qb.getByTestId('query-row').first().getByTestId('query-cmp').selectOption('between');
  await qb.getByTestId('query-row').first().getByTestId('query-value').fill('500, 100');
  await qb.getByTestId('query-check').click();
  await expect(qb.getByTestId('query-error')).toContainText('输入有误');
  await page.keyboard.press('Escape');

  // Everyone the saved query finds goes into a new list.
  await page.getByTestId('grid-add-to-list').click();
  const dlg = page.getByTestId('add-to-list');
  await dlg.getByTestId('add-filtered').check();
  await dlg.getByTestId('add-list-target').selectOption('new');
  await dlg.getByTestId('add-list-name').fill('年末回访');
  await dlg.getByTestId('add-list-go').click();
  await expect(dlg.getByTestId('add-list-done')).toHaveText(new RegExp(`已加入 ${n} 位`));
  await expect(dlg).toBeHidden();
  await page.getByTestId('grid-view').selectOption({ label: `年末回访 (${n})` });
  await expect(counts).toHaveText(new RegExp(`筛选后 ${n} 位`));
  await expectNoRawErrors(page);
});

test('a manager opens a customer from the grid with the keyboard, sees the 360 view and reveals the ID with a reason', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-customers').click();
  const noCell = page.getByTestId('customer-grid').locator('[role="gridcell"][col-id="customerNo"]').first();
  await expect(noCell).toBeVisible();
  const no = ((await noCell.textContent()) ?? '').trim();
  await noCell.click();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('customer-360')).toBeVisible();
  await expect(page.getByTestId('c360-name')).toContainText(no);
  await expect(page.getByTestId('c360-trend').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('c360-accounts-table')).toBeVisible();
  await expect(page.getByTestId('c360-txn').first()).toBeVisible();
  await expect(page.getByTestId('c360-idno')).toContainText('****');
  await page.getByTestId('c360-reveal').click();
  await page.getByTestId('c360-reveal-reason').fill('办理大额存单续存核实身份');
  await page.getByTestId('c360-reveal-submit').click();
  await expect(page.getByTestId('c360-idno')).not.toContainText('*');
  await saveScreenshot(page, 'zh-CN-customer-360');
  await expectNoRawErrors(page);
});

test('the column layout is kept per user: a hidden column stays hidden after a reload', async ({ page }) => {
  await signIn(page, 'manager3');
  await page.getByTestId('nav-customers').click();
  const grid = page.getByTestId('customer-grid');
  await expect(grid.locator('[role="columnheader"][col-id="tier"]')).toBeVisible();
  await page.getByTestId('grid-columns').click();
  await page.getByTestId('col-visible-tier').uncheck();
  await page.keyboard.press('Escape');
  await expect(grid.locator('[role="columnheader"][col-id="tier"]')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('customers-page')).toBeVisible();
  await expect(grid.locator('[role="columnheader"][col-id="customerNo"]')).toBeVisible();
  await expect(grid.locator('[role="columnheader"][col-id="tier"]')).toHaveCount(0);
});

test('the grid works from the keyboard: shortcuts star a row and open query, list, export and columns; the help overlay lists them', async ({ page }) => {
  await signIn(page, 'manager3');
  await page.getByTestId('nav-customers').click();
  const grid = page.getByTestId('customer-grid');
  const firstNo = grid.locator('[role="gridcell"][col-id="customerNo"]').first();
  await expect(firstNo).toBeVisible();
  // Focus a cell with the keyboard only: "/" to the search box, then Tab onward to the grid would
  // depend on the toolbar; clicking a cell stands for arriving there and is the one mouse action.
  await firstNo.click();
  const star = grid.locator('[data-testid="grid-star"]').first();
  const before = await star.getAttribute('aria-pressed');
  await page.keyboard.press('s');
  await expect(star).toHaveAttribute('aria-pressed', before === 'true' ? 'false' : 'true');
  await page.keyboard.press('s'); // and back, leaving the demo data as it was
  await expect(star).toHaveAttribute('aria-pressed', before ?? 'false');

  for (const [key, dialog] of [
    ['q', 'query-builder'],
    ['l', 'add-to-list'],
    ['e', 'export-dialog'],
    ['c', 'column-chooser'],
  ] as const) {
    await firstNo.click();
    await page.keyboard.press(key);
    const open = page.locator('dialog[open]');
    await expect(open, `${key} opens ${dialog}`).toHaveCount(1);
    await page.keyboard.press('Escape');
    await expect(open).toHaveCount(0);
  }

  await firstNo.click();
  await page.keyboard.press('/');
  await expect(page.getByTestId('grid-search')).toBeFocused();
  await page.keyboard.type('s'); // typed into the search box, not a shortcut
  await expect(page.getByTestId('grid-search')).toHaveValue('s');

  await page.getByTestId('grid-search').press('Escape');
  await firstNo.click();
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcuts-help');
  await expect(help).toBeVisible();
  await expect(help).toContainText('客户列表');
  await expect(help).toContainText('收藏 / 取消收藏所在行客户');
  await expect(help).toContainText('Excel导出');
  await expectNoRawErrors(page);
});
