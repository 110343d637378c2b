/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * Issue 17 items 5 and 9 for a president at a branch PC: the desktop's 较上月末 is the report's 环比 (one
 * definition, stated in the tooltip); charts put money on axes in 万元 / 亿元 with the unit named and
 * labels short; report tables of 13-digit yuan are not scrolled out of sight; the maturity widget keeps
 * each date on one line. Checked at 1366x768 and 1920x1080 in both languages.
 */

const LANGS = ['zh-CN', 'en'] as const;

const SIZES = [
  { width: 1366, height: 768, suffix: '' },
  { width: 1920, height: 1080, suffix: '-1920' },
] as const;

/** The page does not scroll sideways, and no report table scrolls inside its panel (no column out of sight). */
async function expectNothingClipped(page: Page): Promise<void> {
  const over = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    tables: [...document.querySelectorAll<HTMLElement>('.report-section .table-wrap')]
      .filter((w) => w.scrollWidth > w.clientWidth + 1)
      .map((w) => w.closest('[data-testid]')?.getAttribute('data-testid') ?? '?'),
  }));
  expect(over.page, 'horizontal page scroll').toBeLessThanOrEqual(0);
  expect(over.tables, 'report tables scrolling sideways').toEqual([]);
}

/** Every money chart names 万元 or 亿元 (in English K / M / B yuan) and writes short ticks. */
async function expectMoneyAxes(page: Page, ids: string[], lang: 'zh-CN' | 'en'): Promise<void> {
  for (const id of ids) {
    const chart = page.getByTestId(`report-chart-${id}`);
    await expect(chart, id).toHaveAttribute('data-unit', lang === 'en' ? /^(k|mn|bn)$/ : /^(yi|wan)$/);
    const longest = (await chart.getAttribute('data-axis-max')) ?? '';
    expect(longest.length, `${id} longest tick ${longest}`).toBeLessThanOrEqual(9);
  }
}

const pctOf = (text: string | null): number | null => {
  const m = /([▲▼■+-]?)\s*([\d.]+)%/.exec(text ?? '');
  if (!m) return null;
  return (m[1] === '▼' || m[1] === '-' ? -1 : 1) * Number(m[2]);
};

test('the desktop’s 较上月末 is the report’s 环比, and says which month ends it compares', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'president');
  await expect(page.getByTestId('home-president')).toBeVisible();
  const mom = page.getByTestId('desk-kpi-aum-mom');
  await expect(mom).toHaveText(/较上月末 [▲▼■] [\d.]+%/);
  const at = (await mom.getAttribute('data-at'))!;
  const base = (await mom.getAttribute('data-base'))!;
  expect(at).toMatch(/^\d{4}-\d{2}$/);
  // the month end before the one compared, whatever today's date is
  const [y, m] = at.split('-').map(Number) as [number, number];
  expect(base).toBe(m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`);
  const title = (await mom.getAttribute('title')) ?? '';
  expect(title).toContain(`${at} 月末`);
  expect(title).toContain(`${base} 月末`);
  expect(title).toContain('环比');
  const desk = pctOf(await mom.textContent());
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    for (const s of SIZES) {
      await page.setViewportSize({ width: s.width, height: s.height });
      await expect(page.getByTestId('desk-kpi-aum-mom')).toBeVisible();
      const over = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(over).toBeLessThanOrEqual(0);
      // the maturity widget: each date on one line
      const wrapped = await page.evaluate(
        () =>
          [...document.querySelectorAll('[data-testid="desk-maturities-rows"] td.tabular')].filter((td) => {
            const r = document.createRange();
            r.selectNodeContents(td);
            return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1;
          }).length,
      );
      expect(wrapped, 'maturity dates broken over lines').toBe(0);
      await saveScreenshot(page, `${lang}-desktop-president${s.suffix}`);
    }
    await page.setViewportSize({ width: 1366, height: 768 });
  }
  await setLanguage(page, 'zh-CN');

  // the report: the same month end, the same percentage, and the same definition in its header
  await page.getByTestId('nav-reports').click();
  const kpi = page.getByTestId('report-table-kpi');
  await expect(kpi).toBeVisible({ timeout: 30_000 });
  const head = page.getByTestId('report-kpi-head-mom');
  await expect(head).toHaveAttribute('title', new RegExp(`${at}.*${base}`));
  const aumRow = kpi.locator('tbody tr').nth(4);
  await expect(aumRow).toContainText('资产');
  const reportPct = pctOf(await aumRow.locator('td').nth(3).textContent());
  expect(reportPct).not.toBeNull();
  expect(desk).not.toBeNull();
  expect(Math.abs(reportPct! - desk!)).toBeLessThan(0.051); // both one decimal of the same figure
  await expectNoRawErrors(page);
});

test('report charts in 万元 / 亿元 and tables of 13-digit yuan whole, at both sizes and in both languages', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page, 'president');
  await expect(page.getByTestId('home-president')).toBeVisible();
  await page.getByTestId('nav-reports').click();
  for (const [report, charts] of [
    ['overview', ['trend', 'branches']],
    ['performance', ['managers']],
    ['products', ['holdings']],
  ] as const) {
    await page.getByTestId(`report-tab-${report}`).click();
    await expect(page.getByTestId(`report-chart-${charts[0]}`)).toBeVisible({ timeout: 30_000 });
    for (const lang of LANGS) {
      await setLanguage(page, lang);
      for (const s of SIZES) {
        await page.setViewportSize({ width: s.width, height: s.height });
        await expectMoneyAxes(page, [...charts], lang);
        await expectNothingClipped(page);
        await saveScreenshot(page, `${lang}-reports-${report}${s.suffix}`);
      }
      await page.setViewportSize({ width: 1366, height: 768 });
    }
    await setLanguage(page, 'zh-CN');
  }
  await expectNoRawErrors(page);
});
