import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectNoRawErrors, signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * Keyboard and navigation outside the teller screen, at a branch PC's 1366x768: ↓ from the customer
 * grid's search enters the results and Enter opens the customer; the desktop's edit tools sit under
 * the widget titles, which stay whole, in labelled groups; a drill lands at the top with its chip in
 * view naming where it came from, and Back returns to that page as it was (scroll, report filters).
 * Screenshots: test-results/screenshots/{zh-CN,en}-drill-from-report{,-1920}.png and
 * test-results/screenshots/{zh-CN,en}-desktop-editing{,-1920}.png.
 */
test.use({ viewport: { width: 1366, height: 768 } });

const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

/** The grid row index holding the focus (evaluated in the page: the spec itself has no DOM types). */
const focusedRow = (page: Page) =>
  page.evaluate<string | null>("document.activeElement?.closest('[row-index]')?.getAttribute('row-index') ?? null");

/** The window's scroll position (evaluated in the page: the spec itself has no DOM types). */
const scrollY = (page: Page) => page.evaluate<number>('window.scrollY');

test('↓ from the grid search enters the results; Enter opens the focused customer', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-customers').click();
  const search = page.getByTestId('grid-search');
  await search.fill('王');
  const counts = page.getByTestId('grid-counts');
  await expect(counts).toHaveText(/筛选后/);
  await expect(page.getByTestId('customer-grid').locator('[role="gridcell"][col-id="name"]').first()).toContainText(
    '王',
  );
  await search.press('ArrowDown');
  // the focus is in the first row of the results, not on the next toolbar button
  await expect.poll(() => focusedRow(page)).toBe('0');
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => focusedRow(page)).toBe('1');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/customer\/\d+/);
  await expectNoRawErrors(page);
});

test('the desktop edit tools do not cut the widget titles, at 1366 and 1920, in both languages', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'president');
  await expect(page.getByTestId('home-president')).toBeVisible();
  for (const l of ['zh-CN', 'en'] as const) {
    await setLanguage(page, l);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByTestId('desk-edit').click();
    await expect(page.locator('.desk-tools').first()).toBeVisible();
    for (const size of [
      { width: 1366, height: 768 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      await expect(async () => {
        const cut = await page
          .locator('.desk-handle h2')
          .evaluateAll((hs) => hs.filter((h) => h.scrollWidth > h.clientWidth + 1).map((h) => h.textContent));
        expect(cut, 'widget titles cut by the tools').toEqual([]);
        // every tool is inside its widget (none pushed past the edge), each with its name as a tooltip
        const outside = await page.locator('.react-grid-item').evaluateAll((items) =>
          items.flatMap((it) => {
            const box = it.getBoundingClientRect();
            return [...it.querySelectorAll('.desk-tools button')]
              .filter((b) => {
                const r = b.getBoundingClientRect();
                return r.right > box.right + 1 || r.left < box.left - 1 || !b.getAttribute('title');
              })
              .map((b) => b.getAttribute('aria-label'));
          }),
        );
        expect(outside, 'tools outside their widget or without a tooltip').toEqual([]);
      }).toPass({ timeout: 5_000 });
      const suffix = size.width === 1920 ? '-1920' : '';
      await page.screenshot({ path: path.join(SHOTS, `${l}-desktop-editing${suffix}.png`) });
    }
    await expect(page.locator('.desk-tools-label').first()).toHaveText(l === 'zh-CN' ? '位置' : 'Move');
    await page.getByTestId('desk-edit').click();
  }
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});

async function inView(page: Page, testId: string): Promise<boolean> {
  const box = await page.getByTestId(testId).boundingBox();
  return !!box && box.y >= 0 && box.y + box.height <= page.viewportSize()!.height;
}

test('a desktop drill lands at the top, names the desktop, and Back returns to where the desktop was', async ({
  page,
}) => {
  await signIn(page, 'president');
  await expect(page.getByTestId('home-president')).toBeVisible();
  await setLanguage(page, 'zh-CN');
  const figure = page.getByTestId('desk-maturities-customers');
  await figure.scrollIntoViewIfNeeded();
  await page.evaluate('window.scrollBy(0, 200)');
  const y = await scrollY(page);
  expect(y).toBeGreaterThan(100);
  await figure.click();
  await expect(page.getByTestId('grid-drill')).toBeVisible();
  expect(await scrollY(page)).toBe(0);
  expect(await inView(page, 'grid-drill')).toBe(true);
  await expect(page.getByTestId('grid-drill')).toContainText('来自行长桌面');
  await page.goBack();
  await expect(page.getByTestId('home-president')).toBeVisible();
  await expect.poll(() => scrollY(page)).toBeGreaterThan(y - 5);
  expect(await scrollY(page)).toBeLessThan(y + 5);
});

test('Back from a report drill keeps the report and its filters; the chip names the report', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'president');
  await page.getByTestId('nav-reports').click();
  await setLanguage(page, 'zh-CN');
  await page.getByTestId('report-tab-customers').click();
  await page.getByTestId('filter-tier-gold').check();
  await page.getByTestId('filter-apply').click();
  await expect(page).toHaveURL(/#\/reports\/customers\?f=/);
  const tiers = page.getByTestId('report-table-tiers');
  await expect(tiers.locator('tbody tr')).toHaveCount(1);
  const drill = tiers.locator('[data-testid^="drill-tiers-0-"]').first();
  await drill.scrollIntoViewIfNeeded();
  await drill.click();
  const chip = page.getByTestId('grid-drill');
  await expect(chip).toContainText('来自分析报表 · 客户分析');
  expect(await scrollY(page)).toBe(0);
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-drill-from-report.png') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: path.join(SHOTS, 'zh-CN-drill-from-report-1920.png') });
  await page.setViewportSize({ width: 1366, height: 768 });

  await page.goBack();
  await expect(page.getByTestId('report-tab-customers')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('filter-tier-gold')).toBeChecked();
  await expect(tiers.locator('tbody tr')).toHaveCount(1);
  // another report keeps the filter too; a reload keeps it
  await page.reload();
  await expect(page.getByTestId('filter-tier-gold')).toBeChecked();
  await expect(tiers.locator('tbody tr')).toHaveCount(1);

  // the chip's own way back, in English
  await drill.click();
  await setLanguage(page, 'en');
  await expect(chip).toContainText('From Reports · ');
  await page.screenshot({ path: path.join(SHOTS, 'en-drill-from-report.png') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: path.join(SHOTS, 'en-drill-from-report-1920.png') });
  await page.getByTestId('grid-drill-back').click();
  await expect(page.getByTestId('filter-tier-gold')).toBeChecked();
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});

test('Back from a customer opened in 商机管理 returns to the same filter and opportunity', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-opportunities').click();
  await setLanguage(page, 'zh-CN');
  await page.getByTestId('opp-filter-identified').click();
  await expect(page.getByTestId('opp-filter-identified')).toHaveAttribute('aria-pressed', 'true');
  const second = page.getByTestId('opp-row').nth(1);
  const customerNo = await second.getAttribute('data-customer-no');
  await second.click();
  const detail = page.getByTestId('opp-detail');
  await expect(detail).toContainText(customerNo!);
  await detail.getByRole('button', { name: new RegExp(customerNo!) }).click();
  await expect(page).toHaveURL(/#\/customer\/\d+/);
  await page.goBack();
  await expect(page.getByTestId('opp-filter-identified')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('opp-detail')).toContainText(customerNo!);
  // a new visit from the menu starts afresh
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('nav-opportunities').click();
  await expect(page.getByTestId('opp-filter-open')).toHaveAttribute('aria-pressed', 'true');
});

test('Back from a customer opened in 消息提醒 keeps the filters and the chosen reminder', async ({ page }) => {
  await signIn(page, 'manager1');
  await page.getByTestId('nav-reminders').click();
  await setLanguage(page, 'zh-CN');
  await page.getByTestId('reminders-due-from').fill('2026-01-01');
  await page.getByTestId('reminders-due-from').press('Tab');
  const row = page.locator('[data-testid="reminder-row"][data-has-customer="true"]').first();
  const id = await row.getAttribute('data-id');
  await row.click();
  await page.getByTestId('reminder-detail').getByTestId('reminder-customer').click();
  await expect(page).toHaveURL(/#\/customer\/\d+/);
  await page.goBack();
  await expect(page.getByTestId('reminders-due-from')).toHaveValue('2026-01-01');
  await expect(page.locator(`[data-testid="reminder-row"][data-id="${id}"]`)).toHaveClass(/ag-row-selected/);
});
