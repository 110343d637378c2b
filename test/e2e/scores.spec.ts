import { expect, test } from '@playwright/test';
import { openExistingStore } from '../../main/store-key';
import { fenToYuan, formatYuan } from '../../shared/money';
import { expectNoRawErrors, signIn } from './support/app';
import { expectTidyLayout, saveScreen } from './support/layout';
import { setLanguage } from './support/language';

/**
 * 客户价值 (issue 20.1) at a branch PC's 1366x768 in both languages: the president's 客户价值参数 page
 * (parameters, last run, retention estimate), a refused save (the loyalty weights must add up to 100%,
 * said in the app's bubble; nothing stored), a saved change that recomputes, and the customer 360's
 * 客户价值 panel showing the stored figures with their breakdown.
 */
test.describe.configure({ timeout: 180_000 });

function store<T>(read: (db: ReturnType<typeof openExistingStore>) => T): T {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

test('the president sets the customer value parameters and reads a customer’s breakdown', async ({ page }) => {
  await signIn(page, 'president');
  await page.getByTestId('nav-scores').click();
  const form = page.getByTestId('scores-form');
  await expect(form).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('客户价值参数');
  // computed at start-up from the demo branch's history
  await expect(page.getByTestId('scores-last-run')).toContainText('位客户', { timeout: 60_000 });
  await expect(page.getByTestId('scores-retention').locator('tbody tr')).not.toHaveCount(0);

  for (const lang of ['zh-CN', 'en'] as const) {
    await setLanguage(page, lang);
    await expectTidyLayout(page, undefined, `scores settings ${lang}`);
    await expectNoRawErrors(page);
    await saveScreen(page, `${lang}-scores-settings`);
  }
  await setLanguage(page, 'zh-CN');

  // the weights must add up to 100%: refused in the app's own bubble, nothing stored
  const before = store((db) => db.prepare('SELECT params FROM score_settings').pluck().get() ?? null);
  await page.getByTestId('sc-loyalty.keptWeight').fill('35');
  await expect(page.getByTestId('scores-weight-sum')).toContainText('须为 100%');
  await page.getByTestId('scores-save').click();
  await expect(page.locator('.app-invalid-bubble').filter({ hasText: '100%' }).first()).toBeVisible();
  await saveScreen(page, 'zh-CN-scores-refused');
  expect(store((db) => db.prepare('SELECT params FROM score_settings').pluck().get() ?? null)).toEqual(before);

  // a valid change: stored as ppm and recomputed
  await page.getByTestId('sc-loyalty.keptWeight').fill('20');
  await page.getByTestId('sc-rate.demand').fill('2.05');
  await page.getByTestId('scores-save').click();
  await expect(page.getByText('参数已保存')).toBeVisible();
  await expect
    .poll(() =>
      store((db) => {
        const p = db.prepare('SELECT params FROM score_settings').pluck().get() as string | undefined;
        return p ? (JSON.parse(p) as { rates: { demand: number } }).rates.demand : null;
      }),
    )
    .toBe(20500);

  // the customer with the largest contribution: the 360 shows the stored figures and how they were made
  const top = store(
    (db) =>
      db
        .prepare(
          'SELECT id, contribution_fen AS fen, loyalty, points FROM customers ORDER BY contribution_fen DESC LIMIT 1',
        )
        .get() as { id: number; fen: number; loyalty: number; points: number },
  );
  expect(top.fen).toBeGreaterThan(0);
  await page.goto(`${page.url().split('#')[0]}#/customer/${top.id}`);
  const panel = page.getByTestId('c360-value');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('c360-contribution')).toContainText(formatYuan(fenToYuan(top.fen)));
  await expect(page.getByTestId('c360-loyalty')).toContainText(String(top.loyalty));
  await expect(page.getByTestId('c360-contribution-parts').locator('tbody tr')).not.toHaveCount(0);
  await expect(page.getByTestId('c360-loyalty-parts').locator('tbody tr')).toHaveCount(5);
  for (const lang of ['zh-CN', 'en'] as const) {
    await setLanguage(page, lang);
    await panel.scrollIntoViewIfNeeded();
    await expectTidyLayout(page, undefined, `360 value ${lang}`);
    await expectNoRawErrors(page);
    await saveScreen(page, `${lang}-customer-value`);
  }
  await setLanguage(page, 'zh-CN');

  // back to the shipped parameters
  await page.getByTestId('nav-scores').click();
  await page.getByTestId('scores-defaults').click();
  await page.getByTestId('scores-save').click();
  await expect(page.getByText('参数已保存')).toBeVisible();
});

test('the grid shows, sorts and filters by the scores (columns chosen in the layout)', async ({ page }) => {
  await signIn(page, 'president');
  await page.getByTestId('nav-customers').click();
  await expect(page.getByTestId('customer-grid')).toBeVisible();
  // the president's layout with the four score columns shown (what 列设置 saves)
  const layout = [
    { colId: 'customerNo', width: 116, hide: false, pinned: 'left' },
    { colId: 'name', width: 150, hide: false, pinned: 'left' },
    { colId: 'tier', width: 68, hide: false, pinned: null },
    { colId: 'contribution', width: 140, hide: false, pinned: null },
    { colId: 'loyalty', width: 76, hide: false, pinned: null },
    { colId: 'clv', width: 140, hide: false, pinned: null },
    { colId: 'points', width: 90, hide: false, pinned: null },
    { colId: 'aum', width: 136, hide: false, pinned: null },
    { colId: 'managerName', width: 90, hide: false, pinned: null },
  ];
  await page.evaluate(
    (l) =>
      (window as unknown as { crm: { call(m: string, i: unknown): Promise<unknown> } }).crm.call(
        'settings.gridLayout.save',
        { layout: l },
      ),
    layout,
  );
  await page.reload();
  const grid = page.getByTestId('customer-grid');
  const header = grid.locator('[role="columnheader"][col-id="contribution"]');
  await expect(header).toBeVisible();
  await header.click(); // ascending
  await header.click(); // descending
  const top = store(
    (db) =>
      db
        .prepare(
          'SELECT customer_no AS no, contribution_fen AS fen, points FROM customers ORDER BY contribution_fen DESC, id DESC LIMIT 1',
        )
        .get() as { no: string; fen: number; points: number },
  );
  await expect(grid.locator('[role="gridcell"][col-id="customerNo"]').first()).toHaveText(top.no);
  await expect(grid.locator('[role="gridcell"][col-id="contribution"]').first()).toHaveText(
    formatYuan(fenToYuan(top.fen)),
  );
  for (const lang of ['zh-CN', 'en'] as const) {
    await setLanguage(page, lang);
    await expect(grid.locator('[role="columnheader"][col-id="loyalty"]')).toBeVisible();
    await expectNoRawErrors(page);
    await saveScreen(page, `${lang}-customers-scores`);
  }
  await setLanguage(page, 'zh-CN');
  // back to the default columns
  await page.evaluate(() =>
    (window as unknown as { crm: { call(m: string, i: unknown): Promise<unknown> } }).crm.call(
      'settings.gridLayout.reset',
      {},
    ),
  );
});
