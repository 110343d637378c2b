import { readFileSync } from 'node:fs';
import { openExistingStore } from '../../main/store-key';
import ExcelJS from 'exceljs';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/**
 * Marketing lists and the funnel end to end: the president pushes a campaign from a head-office file of
 * customer numbers; manager1 works an entry of their own part (and never sees manager2's); the president
 * sees the progress per manager. The funnel's figures open exactly the opportunities behind them.
 */
function pickCustomers(): { m1: string[]; m2: string; m1Name: string } {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  try {
    const of = (user: string, n: number) =>
      (
        db
          .prepare(
            `SELECT c.customer_no AS no FROM customers c JOIN users u ON u.staff_id = c.manager_staff_id AND u.username = ?
             WHERE c.status = 'active' ORDER BY c.customer_no LIMIT ?`,
          )
          .all(user, n) as { no: string }[]
      ).map((r) => r.no);
    const m1Name = (
      db
        .prepare(`SELECT s.name FROM users u JOIN staff s ON s.id = u.staff_id WHERE u.username = 'manager1'`)
        .get() as { name: string }
    ).name;
    return { m1: of('manager1', 2), m2: of('manager2', 1)[0]!, m1Name };
  } finally {
    db.close();
  }
}

async function as(browser: Browser, user: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, user);
  await expect(page.getByTestId('nav-campaigns')).toBeVisible();
  return page;
}

test('the president pushes a marketing list, a manager works an entry, the president sees the progress', async ({
  browser,
}) => {
  const c = pickCustomers();
  const name = `理财节营销-${Date.now() % 100000}`;

  const pres = await as(browser, 'president');
  await pres.getByTestId('nav-campaigns').click();
  await pres.getByTestId('campaign-new').click();
  await pres.getByTestId('campaign-name').fill(name);
  await pres.getByTestId('campaign-from-file').check();
  // A head-office file with one unknown number is refused whole, naming the line.
  await pres.getByTestId('campaign-file').setInputFiles({
    name: '总行名单.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`客户号\n${c.m1[0]}\n0000000000\n`),
  });
  await pres.getByTestId('campaign-create').click();
  await expect(pres.getByTestId('campaign-file-errors')).toContainText('第 3 行');
  await pres.getByTestId('campaign-file').setInputFiles({
    name: '总行名单.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`客户号\n${c.m1.join('\n')}\n${c.m2}\n`),
  });
  await pres.getByTestId('campaign-create').click();
  await expect(pres.getByTestId('campaign-detail')).toContainText(name);
  await expect(pres.getByTestId('campaign-progress-row')).toHaveCount(2);

  const mgr = await as(browser, 'manager1');
  await mgr.getByTestId('nav-campaigns').click();
  await mgr.getByTestId('campaign-row').filter({ hasText: name }).click();
  const entries = mgr.getByTestId('campaign-entry');
  await expect(entries).toHaveCount(2);
  await expect(mgr.getByTestId('campaign-entries')).not.toContainText(c.m2);
  const first = mgr.locator(`[data-testid="campaign-entry"][data-customer-no="${c.m1[0]}"]`);
  await first.getByTestId('entry-status').selectOption('contacted');
  await first.getByTestId('entry-note').fill('已电话介绍，约周五面谈');
  await first.getByTestId('entry-save').click();
  await expect(mgr.locator(`[data-testid="campaign-entry"][data-customer-no="${c.m1[0]}"]`)).toHaveAttribute(
    'data-status',
    'contacted',
  );
  // Offline calls: export the part to Excel, write the outcome in the sheet, bring it back.
  const [download] = await Promise.all([mgr.waitForEvent('download'), mgr.getByTestId('campaign-export').click()]);
  expect(download.suggestedFilename()).toMatch(/^营销名单-.*\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(await download.path()) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  expect(ws.rowCount).toBe(3);
  ws.eachRow((r, n) => {
    if (n > 1 && r.getCell(1).value === c.m1[1]) {
      r.getCell(7).value = '成功';
      r.getCell(8).value = '已购买理财 20 万';
    }
  });
  await mgr.getByTestId('campaign-results-file').setInputFiles({
    name: '营销结果.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: Buffer.from(await wb.xlsx.writeBuffer()),
  });
  await expect(mgr.getByTestId('campaign-detail')).toContainText('已导入 2 条结果');
  const second = mgr.locator(`[data-testid="campaign-entry"][data-customer-no="${c.m1[1]}"]`);
  await expect(second).toHaveAttribute('data-status', 'won');
  await expect(first).toHaveAttribute('data-status', 'contacted');

  await pres.reload();
  await pres.getByTestId('campaign-row').filter({ hasText: name }).click();
  const row = pres.locator(`[data-testid="campaign-progress-row"][data-manager="${c.m1Name}"]`);
  await expect(row).toHaveAttribute('data-contacted', '1');
  await expect(row).toHaveAttribute('data-won', '1');
  await saveScreenshot(pres, 'zh-CN-campaign-progress');
  await expectNoRawErrors(pres);
  await expectNoRawErrors(mgr);
});

test('the funnel drills down to exactly the opportunities behind each figure, and a manager moves one', async ({
  browser,
}) => {
  const pres = await as(browser, 'president');
  await pres.getByTestId('nav-opportunities').click();
  await pres.getByTestId('opp-tab-funnel').click();
  await expect(pres.getByTestId('funnel-chart')).toBeVisible();
  const identified = Number(await pres.getByTestId('funnel-reached-identified').getAttribute('data-count'));
  expect(identified).toBeGreaterThan(0); // the start-up rules turned the demo data into opportunities
  await saveScreenshot(pres, 'zh-CN-opportunity-funnel');
  await pres.getByTestId('funnel-reached-identified').click();
  await expect(pres.getByTestId('opp-total')).toHaveAttribute('data-total', String(identified));
  await pres.getByTestId('opp-tab-funnel').click();
  const fromRules = Number(await pres.getByTestId('funnel-source-rule-total').getAttribute('data-count'));
  await pres.getByTestId('funnel-source-rule-total').click();
  await expect(pres.getByTestId('opp-total')).toHaveAttribute('data-total', String(fromRules));
  await expect(pres.getByTestId('opp-drill-filter')).toContainText('商机事件');

  // manager1 takes one of their own to 已联系; the funnel's contacted figure grows by one.
  const mgr = await as(browser, 'manager1');
  await mgr.getByTestId('nav-opportunities').click();
  await mgr.getByTestId('opp-tab-funnel').click();
  const before = Number(await mgr.getByTestId('funnel-reached-contacted').getAttribute('data-count'));
  await mgr.getByTestId('opp-tab-list').click();
  await mgr.getByTestId('opp-filter-identified').click();
  await mgr.getByTestId('opp-row').first().click();
  await expect(mgr.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'identified');
  await expect(mgr.getByTestId('opp-move-won')).toHaveCount(0); // not offered before a proposal
  await mgr.getByTestId('opp-note').fill('电话联系客户');
  await mgr.getByTestId('opp-move-contacted').click();
  await expect(mgr.getByTestId('opp-stage')).toHaveAttribute('data-stage', 'contacted');
  await expect(mgr.getByTestId('opp-history')).toContainText('电话联系客户');
  await mgr.getByTestId('opp-tab-funnel').click();
  await expect(mgr.getByTestId('funnel-reached-contacted')).toHaveAttribute('data-count', String(before + 1));
  await expectNoRawErrors(pres);
  await expectNoRawErrors(mgr);
});

test('the president pushes the filtered grid (gold customers) as a marketing list', async ({ page }) => {
  await signIn(page, 'president');
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('chip-tier-gold').click();
  const counts = page.getByTestId('grid-counts');
  await expect(async () => {
    const all = /全部 ([\d,]+)/.exec((await counts.textContent()) ?? '')?.[1];
    const c = /筛选后 ([\d,]+)/.exec((await counts.textContent()) ?? '')?.[1];
    expect(c).toBeDefined();
    expect(c).not.toBe(all);
  }).toPass();
  const filtered = /筛选后 ([\d,]+)/.exec((await counts.textContent()) ?? '')![1]!.replace(/,/g, '');
  const name = `金卡客户回馈-${Date.now() % 100000}`;
  await page.getByTestId('grid-push-campaign').click();
  await page.getByTestId('grid-push-name').fill(name);
  await page.getByTestId('grid-push-submit').click();
  await expect(page.getByTestId('campaigns-page')).toBeVisible();
  const row = page.getByTestId('campaign-row').filter({ hasText: name });
  await expect(row.locator('[col-id="total"]')).toHaveText(filtered);
  await expectNoRawErrors(page);
});

test('the administrator previews a rule with new parameters before saving it', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByTestId('nav-rules').click();
  const card = page.getByTestId('rule-term_maturing');
  await expect(card).toBeVisible();
  await card.getByTestId('rule-term_maturing-days').fill('90');
  await card.getByTestId('rule-term_maturing-preview-btn').click();
  const wide = Number(await card.getByTestId('rule-term_maturing-preview').getAttribute('data-customers'));
  await card.getByTestId('rule-term_maturing-days').fill('7');
  await card.getByTestId('rule-term_maturing-preview-btn').click();
  await expect(card.getByTestId('rule-term_maturing-preview')).toContainText('命中');
  const narrow = Number(await card.getByTestId('rule-term_maturing-preview').getAttribute('data-customers'));
  expect(narrow).toBeLessThanOrEqual(wide);
  expect(wide).toBeGreaterThan(0);
  // Out of range: refused with the parameter named, nothing saved.
  await card.getByTestId('rule-term_maturing-days').fill('500');
  await card.getByTestId('rule-term_maturing-save').click();
  await expect(card).toContainText('天数');
  await expect(card).toContainText('1 到 180');
  await card.getByTestId('rule-term_maturing-days').fill('30');
  await card.getByTestId('rule-term_maturing-save').click();
  await expect(card).toContainText('规则已保存');
  await expectNoRawErrors(page);
});
