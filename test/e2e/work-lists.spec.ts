import path from 'node:path';
import { openExistingStore } from '../../main/store-key';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectNoRawErrors, signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * The work lists (商机管理, 转介队列, 营销名单, 消息提醒) on a branch PC's 1366x768 screen, in both
 * languages: one line per row, every column header readable, no column pushed past the right edge,
 * a prompt in the empty detail pane, and a row opened by the keyboard or a click. Saves
 * test-results/screenshots/{zh-CN,en}-list-*.png.
 */
test.use({ viewport: { width: 1366, height: 768 } });

const LANGS = ['zh-CN', 'en'] as const;

function customerNumbers(user: string, n: number): string[] {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  try {
    return (
      db
        .prepare(
          `SELECT c.customer_no AS no FROM customers c JOIN users u ON u.staff_id = c.manager_staff_id AND u.username = ?
           WHERE c.status = 'active' ORDER BY c.customer_no DESC LIMIT ?`,
        )
        .all(user, n) as { no: string }[]
    ).map((r) => r.no);
  } finally {
    db.close();
  }
}

/** What the 1366x768 screen shows (a full-page capture resizes the window, and the lists re-fit to it). */
async function saveScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.resolve(__dirname, '..', '..', 'test-results', 'screenshots', `${name}.png`) });
}

/** Nothing wraps, no header is cut, all columns fit the list's width, the empty detail pane says what to do. */
async function expectReadableList(grid: Locator): Promise<void> {
  await expect(grid.locator('[role="row"][row-id]').first()).toBeVisible();
  // the columns are sized a frame after the rows render: the layout settles, then must be readable
  await expect(async () => {
    const wrapped = await grid
      .locator('.ag-cell')
      .evaluateAll((cells) => cells.filter((c) => c.scrollHeight > c.clientHeight + 1).map((c) => c.textContent));
    expect(wrapped, 'cells that wrap onto a second line').toEqual([]);
    const cut = await grid
      .locator('.ag-header-cell-text')
      .evaluateAll((hs) => hs.filter((h) => h.scrollWidth > h.clientWidth + 1).map((h) => h.textContent));
    expect(cut, 'column headers cut off').toEqual([]);
    // the rows' cells end before a space-taking vertical scroll bar (an overlay one is see-through: list.css)
    const overflow = await grid.locator('[role="grid"]').evaluate((g) => {
      const bar = g.parentElement?.querySelector('.ag-body-vertical-scroll');
      const room = bar && !bar.classList.contains('ag-hidden') && !bar.classList.contains('ag-scrollbar-invisible');
      const edge = g.getBoundingClientRect().right - (room ? bar.getBoundingClientRect().width : 0);
      const cells = [...g.querySelectorAll('[role="row"][row-id] [role="gridcell"]')];
      return Math.max(0, ...cells.map((c) => c.getBoundingClientRect().right - edge));
    });
    expect(overflow, 'columns past the right edge').toBeLessThanOrEqual(1);
  }).toPass({ timeout: 5_000 });
}

/** Focus the first row's first cell, move down with the arrow key, open with Enter: returns that row. */
async function openSecondByKeyboard(grid: Locator): Promise<Locator> {
  const rows = grid.locator('[role="row"][row-id]');
  await rows.first().locator('.ag-cell').first().focus();
  await grid.page().keyboard.press('ArrowDown');
  await grid.page().keyboard.press('Enter');
  return rows.nth(1);
}

test('the president works the lists at 1366x768 in both languages', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'president');
  await expect(page.getByTestId('nav-opportunities')).toBeVisible();
  for (const lang of LANGS) {
    await setLanguage(page, lang);

    await page.getByTestId('nav-opportunities').click();
    await page.getByTestId('opp-filter-all').click();
    const opps = page.getByTestId('opp-table');
    const oppDetail = page.getByTestId('opp-detail');
    await expect(oppDetail.locator('.detail-prompt')).toBeVisible();
    await expectReadableList(opps);
    // the grid is named for screen readers, in the language on screen
    await expect(opps.getByRole('grid')).toHaveAccessibleName(lang === 'en' ? 'Opportunities' : '商机列表');
    const second = await openSecondByKeyboard(opps);
    await expect(second).toHaveAttribute('aria-selected', 'true');
    await expect(oppDetail).toContainText((await second.getAttribute('data-customer-no'))!);
    await saveScreen(page, `${lang}-list-opportunities`);

    await page.getByTestId('nav-referrals').click();
    await page.getByTestId('referral-view-all').click();
    const referrals = page.getByTestId('referral-queue');
    const referralDetail = page.getByTestId('referral-detail');
    await expect(referralDetail.locator('.detail-prompt')).toBeVisible();
    await expectReadableList(referrals);
    const first = page.getByTestId('referral-row').first();
    await first.click();
    await expect(referralDetail.getByTestId('referral-customer')).toContainText(
      (await first.getAttribute('data-customer-no'))!,
    );
    await saveScreen(page, `${lang}-list-referrals`);

    await page.getByTestId('nav-campaigns').click();
    if (lang === 'zh-CN') {
      // a list of our own, so the page has a row whatever ran before
      await page.getByTestId('campaign-new').click();
      await page.getByTestId('campaign-name').fill(`屏幕检查名单-${Date.now() % 100000}`);
      await page.getByTestId('campaign-from-file').check();
      await page.getByTestId('campaign-file').setInputFiles({
        name: '名单.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          `客户号\n${[...customerNumbers('manager1', 2), ...customerNumbers('manager2', 1)].join('\n')}\n`,
        ),
      });
      await page.getByTestId('campaign-create').click();
      await expect(page.getByTestId('campaign-detail')).toBeVisible();
      await page.getByTestId('nav-opportunities').click();
      await page.getByTestId('nav-campaigns').click();
    }
    const campaigns = page.getByTestId('campaign-table');
    await expect(page.getByTestId('campaign-detail-prompt').locator('.detail-prompt')).toBeVisible();
    await expectReadableList(campaigns);
    await campaigns.locator('[role="row"][row-id]').first().locator('.ag-cell').first().focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('campaign-detail')).toContainText(
      (await page.getByTestId('campaign-row').first().getAttribute('data-name'))!,
    );
    // the detail below gives the page a scroll bar: the list re-fits to the narrower width
    await expectReadableList(campaigns);
    await saveScreen(page, `${lang}-list-campaigns`);
  }
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});

test('a manager works the reminders and the not-contacted list at 1366x768 in both languages', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-reminders').click();
  // birthdays 60 days ahead, so the inbox has rows whatever ran before
  await page.getByTestId('reminders-settings').click();
  const settings = page.getByTestId('reminder-settings');
  await settings.getByTestId('pref-birthday').locator('input[type=number]').fill('60');
  await settings.getByTestId('prefs-save').click();
  await expect(settings).toBeHidden();
  await page.getByTestId('reminders-generate').click();
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    const grid = page.getByTestId('reminders-table');
    const detail = page.getByTestId('reminder-detail');
    await expect(detail.locator('.detail-prompt')).toBeVisible();
    await expectReadableList(grid);
    const row = await openSecondByKeyboard(grid);
    await expect(row).toHaveAttribute('aria-selected', 'true');
    await expect(detail.getByTestId('reminder-done')).toBeVisible();
    await saveScreen(page, `${lang}-list-reminders`);
    // nothing dismissed yet: the empty state, in the language on screen
    await page.getByTestId('reminders-view').selectOption('dismissed');
    await expect(page.getByTestId('reminders-table-empty')).toHaveText(lang === 'en' ? 'No reminders.' : '暂无提醒。');
    await page.getByTestId('reminders-view').selectOption('open');

    // 久未联系客户: the list takes the page; a row opens the customer's 360
    await page.getByTestId('nav-staleContacts').click();
    const stale = page.getByTestId('stale-table');
    await expectReadableList(stale);
    await saveScreen(page, `${lang}-list-stale-contacts`);
    await openSecondByKeyboard(stale);
    await expect(page).toHaveURL(/#\/customer\/\d+/);
    await expect(page.getByTestId('customer-360')).toBeVisible();

    await page.getByTestId('nav-reminders').click();
  }
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});
