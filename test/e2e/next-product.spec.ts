import { openExistingStore } from '../../main/store-key';
import { expect, test, type Page } from '@playwright/test';
import { expectNoRawErrors, signIn } from './support/app';
import { expectTidyLayout, saveScreen } from './support/layout';

/**
 * 客户产品匹配 at the counter: a teller looks a customer up and sees "可推荐：…" with the reason in words,
 * in both languages at 1366x768; 风险预警: a manager opens a watch-list customer and records a follow-up.
 */
type Lang = 'zh-CN' | 'en';

function readStore<T>(sql: string, ...params: unknown[]): T | undefined {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}

async function switchLanguage(page: Page, lang: Lang): Promise<void> {
  if ((await page.locator('html').getAttribute('lang')) !== lang) await page.getByTestId('lang-switch').first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

test('a teller sees what to suggest, and why, at look-up', async ({ page }) => {
  // the host's start-up steps mine the rules; wait for a customer with a rule-based offer
  let c: { no: string; name: string; item: string } | undefined;
  await expect(async () => {
    c = readStore<{ no: string; name: string; item: string }>(
      `SELECT c.customer_no AS no, c.name, n.item FROM customer_next_products n JOIN customers c ON c.id = n.customer_id
       WHERE n.rank = 1 AND n.source = 'rules' AND c.status = 'active' ORDER BY c.aum_fen DESC LIMIT 1`,
    );
    expect(c).toBeTruthy();
  }).toPass({ timeout: 30_000 });
  const held = readStore<{ n: number }>(
    `SELECT COUNT(*) AS n FROM customer_holding_sets h JOIN customers c ON c.id = h.customer_id WHERE c.customer_no = ?`,
    c!.no,
  );
  expect(held?.n).toBe(1);

  await signIn(page, 'teller1');
  await expect(page.getByTestId('home-teller')).toBeVisible();
  const labels: Record<Lang, Record<string, string>> = {
    'zh-CN': {
      demand: '活期存款',
      term: '定期存款',
      cd: '大额存单',
      wealth: '理财',
      loan: '贷款',
      card: '银行卡',
      insurance: '保险',
      fund: '基金',
    },
    en: {
      demand: 'demand deposits',
      term: 'term deposits',
      cd: 'certificates of deposit',
      wealth: 'wealth products',
      loan: 'loans',
      card: 'bank cards',
      insurance: 'insurance',
      fund: 'funds',
    },
  };
  for (const lang of ['zh-CN', 'en'] as const) {
    await switchLanguage(page, lang);
    const search = page.getByTestId('teller-search');
    await search.fill('');
    await search.fill(c!.no);
    await expect(page.locator(`[data-testid="customer-row"][data-customer-no="${c!.no}"]`)).toBeVisible();
    await search.press('Enter');
    await expect(page.getByTestId('teller-card')).toContainText(c!.name);
    const hint = page.getByTestId('next-product-hint');
    await expect(hint).toBeVisible();
    await expect(hint).toContainText(lang === 'en' ? 'Suggest:' : '可推荐：');
    await expect(hint).toContainText(labels[lang][c!.item]!);
    await expect(hint).toContainText(
      lang === 'en'
        ? /Of customers holding .+, \d+% also hold .+ \(lift \d+\.\d\)/
        : /持有 .+ 的客户中 \d+% 也持有 .+（提升度 \d+\.\d）/,
    );
    await expectNoRawErrors(page);
    await expectTidyLayout(page, undefined, `${lang} teller next product`);
    await saveScreen(page, `${lang}-teller-next-product`);
  }
  // the language is the user's saved setting: leave the teller in the default for the specs after this one
  await switchLanguage(page, 'zh-CN');
});

test('a manager works the watch-list: opens a customer and records a follow-up', async ({ page }) => {
  let c: { no: string; name: string } | undefined;
  await expect(async () => {
    c = readStore<{ no: string; name: string }>(
      `SELECT c.customer_no AS no, c.name FROM customer_risk r JOIN customers c ON c.id = r.customer_id
       JOIN users u ON u.staff_id = c.manager_staff_id AND u.username = 'manager1'
       WHERE r.level <> 'normal' AND NOT EXISTS (SELECT 1 FROM risk_watch w WHERE w.customer_id = c.id)
       ORDER BY r.score DESC, c.id LIMIT 1`,
    );
    expect(c).toBeTruthy();
  }).toPass({ timeout: 30_000 });
  await signIn(page, 'manager1');
  await page.getByTestId('nav-watchlist').click();
  await expect(page.getByTestId('watchlist-page')).toBeVisible();
  const row = page.locator(`[data-testid="watch-row"][data-customer-no="${c!.no}"]`);
  await expect(row).toBeVisible();
  for (const lang of ['zh-CN', 'en'] as const) {
    await switchLanguage(page, lang);
    await expect(row).toBeVisible();
    await expectNoRawErrors(page);
    await expectTidyLayout(page, undefined, `${lang} watch-list`);
    await saveScreen(page, `${lang}-watchlist`);
  }
  await switchLanguage(page, 'zh-CN');
  await row.click();
  const dialog = page.getByTestId('watch-follow-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('watch-status-edit').selectOption('following');
  await dialog.getByTestId('watch-note').fill('已电话联系客户，了解资金去向');
  await saveScreen(page, 'zh-CN-watchlist-follow-up');
  await dialog.getByTestId('watch-save').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`已记录 ${c!.name} 的跟进`)).toBeVisible();
  await expect(row).toContainText('跟进中');
  const audited = readStore<{ n: number }>(
    `SELECT COUNT(*) AS n FROM audit_log WHERE action = 'risk.followUp' AND outcome = 'ok'`,
  );
  expect(audited?.n).toBeGreaterThanOrEqual(1);
});

test('the administrator sets the parameters; a bad threshold is refused in words; the 360 shows both panels', async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin');
  await admin.getByTestId('nav-analytics').click();
  await expect(admin.getByTestId('analytics-settings-page')).toBeVisible();
  await expect(admin.getByTestId('an-rules')).toBeVisible();
  for (const lang of ['zh-CN', 'en'] as const) {
    await switchLanguage(admin, lang);
    await expectNoRawErrors(admin);
    await expectTidyLayout(admin, undefined, `${lang} analytics settings`);
    await saveScreen(admin, `${lang}-analytics-settings`);
  }
  await switchLanguage(admin, 'zh-CN');
  // the warning line below the watch line: refused before sending, naming the field
  await admin.getByTestId('an-riskLevelWarning').fill('10');
  await admin.getByTestId('an-risk-save').click();
  await expect(admin.getByText(/输入有误，请检查：预警分数线/)).toBeVisible();
  await admin.getByTestId('an-riskLevelWarning').fill('50');
  await admin.getByTestId('an-npMinConfidence').fill('25');
  await admin.getByTestId('an-np-save').click();
  await expect(admin.getByText(/已保存：\d+ 条规则/)).toBeVisible();

  const c = readStore<{ id: number }>(
    `SELECT c.id FROM customer_next_products n JOIN customers c ON c.id = n.customer_id
     JOIN customer_risk r ON r.customer_id = c.id WHERE n.rank = 1 ORDER BY r.score DESC, c.id LIMIT 1`,
  );
  expect(c).toBeTruthy();
  const president = await (await browser.newContext()).newPage();
  await signIn(president, 'president');
  await expect(president.getByTestId('nav-customers')).toBeVisible();
  await president.evaluate((id) => {
    window.location.hash = `#/customer/${id}`;
  }, c!.id);
  await expect(president.getByTestId('c360-next-product')).toBeVisible();
  for (const lang of ['zh-CN', 'en'] as const) {
    await switchLanguage(president, lang);
    await expect(president.getByTestId('c360-next-product').locator('li').first()).toBeVisible();
    await expect(president.getByTestId('c360-risk').locator('li').first()).toBeVisible();
    await president.getByTestId('c360-next-product').scrollIntoViewIfNeeded();
    await expectNoRawErrors(president);
    await saveScreen(president, `${lang}-customer-360-next-product-risk`);
  }
  await switchLanguage(president, 'zh-CN');
});
