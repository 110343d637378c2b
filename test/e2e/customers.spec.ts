import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/** The customer grid over the manager's book: exact counts, quick search, chips and quick stats follow the filter. */
test('a manager browses the book in the grid, searches, filters and sees the counts and stats follow', async ({
  page,
}) => {
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
  await expect(counts).toHaveText(/筛选后 1 位/);
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
  await expect(dialog.getByTestId('export-progress')).toContainText(
    `${filtered.toLocaleString('en-US')} / ${filtered.toLocaleString('en-US')}`,
  );
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-save').click()]);
  expect(download.suggestedFilename()).toMatch(/^客户清单-\d{8}-\d{6}\.xlsx$/);
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  await expectNoRawErrors(page);
});

test('a manager stars a customer, builds an advanced query, saves it, and puts the result in a list', async ({
  page,
}) => {
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

  // A bad value gets a clear message that names the condition.
  await page.getByTestId('grid-advanced').click();
  await qb.getByTestId('query-row').first().getByTestId('query-field').selectOption('aum');
  await qb.getByTestId('query-row').first().getByTestId('query-cmp').selectOption('between');
  await qb.getByTestId('query-row').first().getByTestId('query-value-min').fill('500');
  await qb.getByTestId('query-row').first().getByTestId('query-value-max').fill('100');
  await qb.getByTestId('query-check').click();
  await expect(qb.getByTestId('query-error')).toContainText('输入有误');
  await expect(qb.getByTestId('query-error')).toContainText('第 1 个条件的取值');
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

test('a manager opens a customer from the grid with the keyboard, sees the 360 view and reveals the ID with a reason', async ({
  page,
}) => {
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

/** The header's column ids in the order shown (pinned left first), from ag-grid's aria-colindex. */
async function headerOrder(page: Page): Promise<string[]> {
  const cells = page.getByTestId('customer-grid').locator('[role="columnheader"][col-id]');
  const all = await cells.evaluateAll((els) =>
    els.map((e) => ({ id: e.getAttribute('col-id') ?? '', at: Number(e.getAttribute('aria-colindex')) })),
  );
  return all.sort((a, b) => a.at - b.at).map((c) => c.id);
}

/** Resolves when the grid has saved its column layout to the store (settings.gridLayout.save answered). */
function layoutSaved(page: Page) {
  return page.waitForResponse(
    (r) =>
      r.url().endsWith('/api/call') && (r.request().postData() ?? '').includes('"settings.gridLayout.save"') && r.ok(),
  );
}

/** This browser profile's localStorage keys for the grid (read through storageState: the e2e types have no DOM). */
async function gridKeys(page: Page): Promise<string[]> {
  const state = await page.context().storageState();
  return state.origins.flatMap((o) => o.localStorage.map((e) => e.name)).filter((n) => n.startsWith('crm.grid.'));
}

async function openGrid(page: Page, username: string): Promise<void> {
  await signIn(page, username);
  await page.getByTestId('nav-customers').click();
  await expect(page.getByTestId('customer-grid').locator('[role="columnheader"][col-id="customerNo"]')).toBeVisible();
}

test('the column layout is kept per user in the store: hidden and moved columns survive a reload and a fresh browser profile', async ({
  page,
  browser,
}) => {
  await openGrid(page, 'manager3');
  const grid = page.getByTestId('customer-grid');
  const header = (id: string) => grid.locator(`[role="columnheader"][col-id="${id}"]`);
  await expect(header('tier')).toBeVisible();
  const before = await headerOrder(page);
  expect(before.indexOf('aum')).toBeLessThan(before.indexOf('deposits'));

  // Hide 客户分层 from the column chooser.
  await page.getByTestId('grid-columns').click();
  let saved = layoutSaved(page);
  await page.getByTestId('col-visible-tier').uncheck();
  await saved;
  await page.keyboard.press('Escape');
  await expect(header('tier')).toHaveCount(0);

  // Drag 存款 before 资产 by its header.
  saved = layoutSaved(page);
  const from = (await header('deposits').boundingBox())!;
  const to = (await header('aum').boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  const [x0, x1, y] = [from.x + from.width / 2, to.x + 10, from.y + from.height / 2];
  for (let i = 1; i <= 12; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 12, y);
  await page.mouse.up();
  await saved;
  const moved = await headerOrder(page);
  expect(moved.indexOf('deposits')).toBeLessThan(moved.indexOf('aum'));
  expect(moved).not.toContain('tier');
  // Nothing is kept in this browser any more: the layout lives in the store.
  expect(await gridKeys(page)).toEqual([]);

  await page.reload();
  await expect(header('customerNo')).toBeVisible();
  await expect(header('tier')).toHaveCount(0);
  await expect.poll(() => headerOrder(page)).toEqual(moved);

  // A fresh browser profile (no localStorage, no cache): the same user gets the same layout ...
  const fresh = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  });
  const other = await fresh.newPage();
  await openGrid(other, 'manager3');
  await expect.poll(() => headerOrder(other)).toEqual(moved);
  // Headers in the other language (new column definitions) keep the user's layout; then back.
  await other.getByTestId('lang-switch').first().click();
  await expect(other.locator('html')).toHaveAttribute('lang', 'en');
  await expect(other.getByTestId('customer-grid').locator('[role="columnheader"][col-id="deposits"]')).toContainText(
    'Deposits',
  );
  expect(await headerOrder(other)).toEqual(moved);
  await other.getByTestId('lang-switch').first().click();
  await expect(other.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect(await headerOrder(other)).toEqual(moved);
  await fresh.close();

  // ... and another user keeps the defaults.
  const third = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  });
  const m1 = await third.newPage();
  await openGrid(m1, 'manager1');
  await expect(m1.getByTestId('customer-grid').locator('[role="columnheader"][col-id="tier"]')).toBeVisible();
  expect(await headerOrder(m1)).toEqual(before);
  await third.close();

  // 恢复默认列 puts the grid back and forgets the stored layout.
  await page.getByTestId('grid-columns').click();
  const reset = page.waitForResponse(
    (r) => (r.request().postData() ?? '').includes('"settings.gridLayout.reset"') && r.ok(),
  );
  await page.getByTestId('grid-columns-reset').click();
  await reset;
  await expect(page.getByTestId('col-visible-tier')).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(header('tier')).toBeVisible();
  expect(await headerOrder(page)).toEqual(before);
  await page.reload();
  await expect(header('tier')).toBeVisible();
  await expect.poll(() => headerOrder(page)).toEqual(before);
  await expectNoRawErrors(page);
});

test('a layout this PC kept in localStorage moves to the store once and is removed here', async ({ page, browser }) => {
  await signIn(page, 'manager2');
  await expect(page.getByTestId('nav-customers')).toBeVisible();
  const key = 'crm.grid.customers.manager2';
  // What the earlier version wrote: ag-grid column state (with a column since removed and a fractional width).
  const legacy = [
    { colId: 'fav', width: 52, hide: false, pinned: 'left' },
    { colId: 'customerNo', width: 130, hide: false, pinned: 'left' },
    { colId: 'name', width: 150.5, hide: false, pinned: 'left' },
    { colId: 'aum', width: 130, hide: true, pinned: null },
    { colId: 'retired', width: 80, hide: false, pinned: null },
  ];
  await page.evaluate(`localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(JSON.stringify(legacy))})`);
  expect(await gridKeys(page)).toEqual([key]);
  const saved = layoutSaved(page);
  await page.getByTestId('nav-customers').click();
  const grid = page.getByTestId('customer-grid');
  await expect(grid.locator('[role="columnheader"][col-id="customerNo"]')).toBeVisible();
  await saved;
  await expect(grid.locator('[role="columnheader"][col-id="aum"]')).toHaveCount(0);
  await expect(grid.locator('[role="columnheader"][col-id="tier"]')).toBeVisible();
  expect(await gridKeys(page)).toEqual([]);
  const kept = await headerOrder(page);

  // Another profile on another PC: the layout came with the user.
  const fresh = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  });
  const other = await fresh.newPage();
  await openGrid(other, 'manager2');
  await expect(other.getByTestId('customer-grid').locator('[role="columnheader"][col-id="tier"]')).toBeVisible();
  await expect(other.getByTestId('customer-grid').locator('[role="columnheader"][col-id="aum"]')).toHaveCount(0);
  expect(await headerOrder(other)).toEqual(kept);
  await other.getByTestId('grid-columns').click();
  await expect(other.getByTestId('col-visible-aum')).not.toBeChecked();
  await expect(other.getByTestId('col-visible-tier')).toBeChecked();
  await fresh.close();

  // Back to the defaults for the tests that follow.
  await page.getByTestId('grid-columns').click();
  const reset = page.waitForResponse(
    (r) => (r.request().postData() ?? '').includes('"settings.gridLayout.reset"') && r.ok(),
  );
  await page.getByTestId('grid-columns-reset').click();
  await reset;
  await expect(page.getByTestId('col-visible-aum')).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(grid.locator('[role="columnheader"][col-id="aum"]')).toBeVisible();
});

test('the grid works from the keyboard: shortcuts star a row and open query, list, export and columns; the help overlay lists them', async ({
  page,
}) => {
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
