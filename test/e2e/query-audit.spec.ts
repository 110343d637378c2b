import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectNoRawErrors, signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * 高级查询 and 审计日志 on a branch PC's 1366x768 screen, in both languages: conditions are set from
 * words and names (no codes, ids or product numbers typed), a bad value names its condition, the audit
 * log filters by date, user and action and reads in words. Saves
 * test-results/screenshots/{zh-CN,en}-query-builder.png and {zh-CN,en}-audit.png (and -1920 at 1920x1080).
 */
test.use({ viewport: { width: 1366, height: 768 } });

const LANGS = ['zh-CN', 'en'] as const;

async function saveScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.resolve(__dirname, '..', '..', 'test-results', 'screenshots', `${name}.png`) });
}

/** The same screen on a 1920x1080 monitor too, then back to the branch PC's size. */
async function saveScreens(page: Page, name: string): Promise<void> {
  await saveScreen(page, name);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await saveScreen(page, `${name}-1920`);
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** Internal codes a branch user must not see: snake_case, schema paths, `#<id>`, dotted action codes. */
const CODE = /\b[a-z]+_[a-z_]+\b|\b(?:filter|advanced|items)\.\w|#\d+|\b[a-z]+\.[a-z][A-Za-z]+\b/;

async function expectNoCodes(where: Locator): Promise<void> {
  const text = ((await where.textContent()) ?? '').replace(/\s+/g, ' ');
  expect(text.match(CODE)?.[0] ?? null, 'internal code on screen').toBeNull();
}

async function previewCount(qb: Locator): Promise<number> {
  await qb.getByTestId('query-check').click();
  await expect(qb.getByTestId('query-preview')).toBeVisible();
  return Number(((await qb.getByTestId('query-preview').textContent()) ?? '').replace(/\D/g, ''));
}

test('the advanced query is set up from words and names, in both languages', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, 'president');
  await expect(page.getByTestId('nav-customers')).toBeVisible();
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('grid-advanced').click();
    const qb = page.getByTestId('query-builder');
    const first = qb.getByTestId('query-row').first();

    // 持有产品类别 不等于 理财: picked from a list of category names
    await first.getByTestId('query-field').selectOption('holdsCategory');
    await first.getByTestId('query-cmp').selectOption('ne');
    await first.getByTestId('query-value').selectOption({ label: lang === 'zh-CN' ? '理财' : 'Wealth' });
    const noWealth = await previewCount(qb);
    expect(noWealth).toBeGreaterThan(0);
    await expect(qb.getByTestId('query-error')).toBeHidden();

    // AND 客户经理 is one person, found by typing part of their name
    await qb.getByTestId('query-add').click();
    const second = qb.getByTestId('query-row').nth(1);
    await second.getByTestId('query-field').selectOption('managerId');
    const pick = second.getByTestId('query-pick');
    await pick.getByTestId('pick-input').click();
    const firstOption = pick.getByTestId('pick-option').first();
    await expect(firstOption).toBeVisible();
    // the first entry is "no manager"; the second a person, whose name narrows the list when typed
    const person = pick.getByTestId('pick-option').nth(1);
    const name = ((await person.textContent()) ?? '').split(' ')[0]!;
    await pick.getByTestId('pick-input').fill(name.slice(0, 2));
    await expect(pick.getByTestId('pick-option').first()).toContainText(name.slice(0, 2));
    await pick.getByTestId('pick-input').press('Enter');
    await expect(pick.getByTestId('pick-input')).toHaveValue(new RegExp(name.slice(0, 2)));
    const both = await previewCount(qb);
    expect(both).toBeLessThanOrEqual(noWealth);

    // 持有产品 by name, several at once, as chips
    await qb.getByTestId('query-add').click();
    const third = qb.getByTestId('query-row').nth(2);
    await third.getByTestId('query-field').selectOption('holdsProduct');
    await third.getByTestId('query-cmp').selectOption('in');
    const products = third.getByTestId('query-pick');
    await products.getByTestId('pick-input').click();
    await products.getByTestId('pick-option').first().click();
    await products.getByTestId('pick-option').first().click();
    await expect(products.getByTestId('pick-chip')).toHaveCount(2);
    await products.getByTestId('pick-input').press('Escape');
    await expect(qb).toBeVisible();

    // a condition left empty is named before anything is sent
    await qb.getByTestId('query-add').click();
    await qb.getByTestId('query-check').click();
    await expect(qb.getByTestId('query-error')).toHaveText(
      lang === 'zh-CN' ? '请为第 4 个条件选择或填写取值' : 'Choose or enter a value for condition 4',
    );
    // an impossible range comes back from the main process naming the condition, not a schema path
    const fourth = qb.getByTestId('query-row').nth(3);
    await fourth.getByTestId('query-cmp').selectOption('between');
    await fourth.getByTestId('query-value-min').fill('50万');
    await fourth.getByTestId('query-value-max').fill('100');
    await qb.getByTestId('query-check').click();
    await expect(qb.getByTestId('query-error')).toContainText(
      lang === 'zh-CN' ? '第 4 个条件的取值' : 'condition 4 (value)',
    );
    await expectNoCodes(qb);
    await saveScreens(page, `${lang}-query-builder`);
    await page.keyboard.press('Escape');
    await expect(qb).toBeHidden();
  }
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});

test('50万 in an amount means 500,000 yuan', async ({ page }) => {
  await signIn(page, 'president');
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('grid-advanced').click();
  const qb = page.getByTestId('query-builder');
  const row = qb.getByTestId('query-row').first();
  await row.getByTestId('query-field').selectOption('aum');
  await row.getByTestId('query-cmp').selectOption('gte');
  await row.getByTestId('query-value').fill('500000');
  const plain = await previewCount(qb);
  await row.getByTestId('query-value').fill('50万');
  expect(await previewCount(qb)).toBe(plain);
});

test('the audit log filters by date, user and action, and reads in words', async ({ page }) => {
  test.setTimeout(90_000);
  // a failed sign-in of a known user, so the log has one today whatever ran before
  await signIn(page, 'manager1', 'not-the-password');
  await expect(page.getByRole('alert')).toBeVisible();
  await signIn(page, 'admin');
  await expect(page.getByTestId('nav-audit')).toBeVisible();
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    await page.getByTestId('nav-audit').click();
    const audit = page.getByTestId('audit-page');
    await expect(audit.getByTestId('audit-row').first()).toBeVisible();

    await audit.getByTestId('audit-today').click();
    await audit.getByTestId('audit-action').selectOption({ label: lang === 'zh-CN' ? '登录' : 'Sign in' });
    await audit.getByTestId('audit-outcome').selectOption('failed');
    const rows = audit.getByTestId('audit-row');
    // the list follows the filters once the answer is in
    await expect(async () => {
      const actions = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
      expect(actions.length).toBeGreaterThan(0);
      expect(new Set(actions)).toEqual(new Set(['auth.signIn']));
    }).toPass({ timeout: 10_000 });
    await expect(rows.first().getByTestId('audit-details')).toContainText(
      lang === 'zh-CN' ? '原因：密码错误' : 'Reason: wrong password',
    );

    // by user: manager1's entries only
    await audit.getByTestId('audit-reset').click();
    const user = audit.getByTestId('audit-user');
    const value = await user
      .locator('option')
      .evaluateAll((os) => os.find((o) => o.textContent?.includes('manager1'))?.getAttribute('value') ?? '');
    await user.selectOption(value);
    await expect(async () => {
      const users = await rows.evaluateAll((rs) => rs.map((r) => r.children[1]?.textContent ?? ''));
      expect(users.length).toBeGreaterThan(0);
      expect(users.filter((u) => !u.includes('manager1'))).toEqual([]);
    }).toPass({ timeout: 10_000 });

    await audit.getByTestId('audit-reset').click();
    await expect(rows.first()).toBeVisible();
    await expectNoCodes(audit.getByTestId('audit-table'));
    // no horizontal scroll at 1366, of the page or of the table inside its panel
    expect(await page.locator('html').evaluate((h) => h.scrollWidth - h.clientWidth)).toBeLessThanOrEqual(0);
    expect(await audit.locator('.table-wrap').evaluate((w) => w.scrollWidth - w.clientWidth)).toBeLessThanOrEqual(1);
    await saveScreens(page, `${lang}-audit`);
  }
  await setLanguage(page, 'zh-CN');
  await expectNoRawErrors(page);
});

test('the 360 names transaction types in words in both languages', async ({ page }) => {
  await signIn(page, 'manager1');
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    await page.getByTestId('nav-customers').click();
    const noCell = page.getByTestId('customer-grid').locator('[role="gridcell"][col-id="customerNo"]').first();
    await noCell.click();
    await page.keyboard.press('Enter');
    const txns = page.getByTestId('c360-txn');
    await expect(txns.first()).toBeVisible();
    // the third column is the type: 消费 / Purchase, never consumption or transfer_in
    const types = await txns.evaluateAll((rs) => rs.map((r) => r.children[2]?.textContent ?? ''));
    expect(types.length).toBeGreaterThan(0);
    expect(types.filter((x) => /^[a-z_]+$/.test(x))).toEqual([]);
    if (lang === 'zh-CN') expect(types.filter((x) => /[A-Za-z]/.test(x))).toEqual([]);
  }
  await setLanguage(page, 'zh-CN');
});
