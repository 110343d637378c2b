import { expect, type Page, test } from '@playwright/test';
import { openExistingStore } from '../../main/store-key';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';
import { expectTidyLayout, saveScreen } from './support/layout';
import { setLanguage } from './support/language';

/**
 * 模型实验室 end to end (issue 20): the president trains a churn model on the demo branch's own history,
 * reads the ten-group table (its counts sum to the customers scored), activates the version for scoring,
 * and pushes the top group as a marketing list, asked first in the app's own dialog with the count; the
 * list holds exactly the customers of group 1 in the store. The page reads well at 1366x768 and
 * 1920x1080 in both languages; the administrator sees the figures but cannot push customers.
 */
test.describe.configure({ timeout: 240_000 });

const SIZES = [
  { width: 1366, height: 768, suffix: '' },
  { width: 1920, height: 1080, suffix: '-1920' },
] as const;

/** No browser confirm or alert may appear anywhere (the app asks in its own dialogs). */
function refuseBrowserDialogs(page: Page, seen: string[]): void {
  page.on('dialog', (d) => {
    seen.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
}

const num = (s: string | null): number => Number((s ?? '').replace(/[^\d]/g, ''));

function storeFacts(version: number, campaign: string) {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  try {
    const top = (
      db
        .prepare('SELECT customer_id AS id FROM lab_scores WHERE version = ? AND decile = 1 ORDER BY customer_id')
        .all(version) as { id: number }[]
    ).map((r) => r.id);
    const scored = (db.prepare('SELECT COUNT(*) AS n FROM lab_scores WHERE version = ?').get(version) as { n: number })
      .n;
    const entries = (
      db
        .prepare(
          `SELECT e.customer_id AS id FROM campaign_entries e JOIN campaigns c ON c.id = e.campaign_id
           WHERE c.name = ? ORDER BY e.customer_id`,
        )
        .all(campaign) as { id: number }[]
    ).map((r) => r.id);
    return { top, scored, entries };
  } finally {
    db.close();
  }
}

test('the president trains a churn model, reads the ten-group table and pushes the top group as a marketing list', async ({
  page,
}) => {
  const dialogs: string[] = [];
  refuseBrowserDialogs(page, dialogs);
  await signIn(page, 'president');
  await page.getByTestId('nav-lab').click();
  await expect(page.getByTestId('lab-page')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('模型实验室');

  // a training can be cancelled while it runs: nothing is kept
  const before = await page.getByTestId('lab-version-row').count();
  await page.getByTestId('lab-target').selectOption('churn');
  await page.getByTestId('lab-learner-best').check();
  await page.getByTestId('lab-start').click();
  await expect(page.getByTestId('lab-progress')).toBeVisible();
  await page.getByTestId('lab-cancel').click();
  await expect(page.getByTestId('lab-cancelled')).toBeVisible();
  await expect(page.getByTestId('lab-start')).toBeEnabled();
  await expect(page.getByTestId('lab-version-row')).toHaveCount(before);

  // churn over the window the form offers, logistic regression; progress shows while it trains
  await expect(page.getByTestId('lab-cutoff')).not.toHaveValue('');
  await page.getByTestId('lab-learner-logistic').check();
  await page.getByTestId('lab-start').click();
  const trained = page.getByTestId('lab-trained');
  await expect(page.getByTestId('lab-progress').or(trained)).toBeVisible();
  await expect(trained).toBeVisible({ timeout: 180_000 });
  const version = num(await trained.textContent());
  expect(version).toBeGreaterThan(0);

  // the new version is listed and shown: fold AUCs, the hold-out, the ten-group table and calibration
  const detail = page.getByTestId('lab-detail');
  await expect(detail).toHaveAttribute('data-version', String(version));
  await expect(page.locator(`[data-testid="lab-version-row"][data-version="${version}"]`)).toContainText('客户流失');
  await expect(page.getByTestId('lab-fold')).toHaveCount(5);
  await expect(page.getByTestId('lab-holdout')).not.toBeEmpty();
  const rows = page.getByTestId('lab-groups-row');
  await expect(rows).toHaveCount(10);
  const counts = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-customers'))));
  // the groups' counts sum to the customers the version was evaluated on, as the store gave them
  const sample = page.getByTestId('lab-sample');
  const scoredRows = Number(await sample.getAttribute('data-rows'));
  expect(scoredRows).toBeGreaterThan(0);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(scoredRows);
  await expect(page.getByTestId('lab-groups-total')).toHaveAttribute('data-customers', String(scoredRows));
  // the demo's planted signal: the top group churns more than the book does (lift above 1)
  const lift1 = Number(await rows.first().getAttribute('data-lift'));
  expect(lift1).toBeGreaterThan(1);
  // equal groups: sizes differ by at most one, the larger first
  expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  await expect(rows.first().locator('th')).toHaveText('第 1 组');
  await expect(page.getByTestId('lab-calibration')).toBeVisible();
  await expectNoRawErrors(page);

  // activate for scoring, asked in the app's dialog
  await page.getByTestId('lab-activate').click();
  const ask = page.getByTestId('lab-activate-confirm');
  await expect(ask).toBeVisible();
  await expect(ask).toContainText(`版本 ${version}`);
  await page.getByTestId('lab-activate-confirm-ok').click();
  const scoredNote = page.getByTestId('lab-scored');
  await expect(scoredNote).toBeVisible({ timeout: 120_000 });
  const scored = Number(await scoredNote.getAttribute('data-scored'));
  expect(scored).toBeGreaterThan(0);
  await expect(detail.getByTestId('lab-detail-title')).toContainText('使用中');

  // the screens: 1366 and 1920, both languages, with a scored version on show
  for (const lang of ['zh-CN', 'en'] as const) {
    await setLanguage(page, lang);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await expect(page.getByTestId('lab-groups-row')).toHaveCount(10);
      await expectTidyLayout(page, undefined, `lab ${lang} ${size.width}`);
      await saveScreen(page, `${lang}-model-lab${size.suffix}`);
    }
  }
  await page.setViewportSize(SIZES[0]);
  await setLanguage(page, 'zh-CN');

  // push group 1 as a marketing list: the dialog names the count, which is group 1 of the scores
  await page.getByTestId('lab-push-groups').selectOption('1');
  const countLine = page.getByTestId('lab-push-count');
  await expect(countLine).not.toHaveAttribute('data-customers', '');
  const n = Number(await countLine.getAttribute('data-customers'));
  expect(n).toBeGreaterThan(0);
  const name = `流失预警-${Date.now() % 100000}`;
  await page.getByTestId('lab-push-name').fill(name);
  await page.getByTestId('lab-push-campaign').click();
  const confirm = page.getByTestId('lab-push-confirm');
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText(`${n.toLocaleString('en-US')} 位客户`);
  await expect(confirm).toContainText(name);
  await saveScreenshot(page, 'zh-CN-model-lab-push');
  await page.getByTestId('lab-push-confirm-ok').click();
  const pushed = page.getByTestId('lab-pushed');
  await expect(pushed).toBeVisible();
  await expect(pushed).toHaveAttribute('data-customers', String(n));

  // the store: the list holds exactly the customers the model put in group 1 (the president sees the branch)
  const facts = storeFacts(version, name);
  // every customer the target applies to at the scoring date got a score, and the store holds those scores
  expect(facts.scored).toBe(scored);
  expect(facts.scored).toBeLessThanOrEqual(await storeCustomers());
  expect(facts.top.length).toBe(n);
  expect(facts.entries).toEqual(facts.top);

  // the list is on 营销名单 like any other
  await pushed.getByRole('link').click();
  await expect(page).toHaveURL(/#\/campaigns/);
  await expect(page.getByTestId('campaigns-page')).toContainText(name);

  // a customer of group 1 shows the model's group and reasons in words on the 360
  await page.evaluate((id) => {
    window.location.hash = `#/customer/${id}`;
  }, facts.top[0]!);
  const model = page.getByTestId('c360-model').first();
  await expect(model).toBeVisible();
  await expect(model).toHaveAttribute('data-decile', '1');
  await expect(model.getByTestId('c360-model-factors')).toContainText('：');
  await saveScreenshot(page, 'zh-CN-customer-360-model');
  await expectNoRawErrors(page);
  expect(dialogs).toEqual([]);
});

test('the administrator reads the lab’s figures but cannot push customers', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByTestId('nav-lab').click();
  await expect(page.getByTestId('lab-page')).toBeVisible();
  await expect(page.getByTestId('lab-version-row').first()).toBeVisible();
  await expect(page.getByTestId('lab-groups-row')).toHaveCount(10);
  await expect(page.getByTestId('lab-push')).toHaveCount(0);
  await expect(page.getByTestId('lab-push-needs-active')).toHaveCount(0);
  await expectTidyLayout(page, undefined, 'lab admin');
  await saveScreen(page, 'zh-CN-model-lab-admin');
  // the teller and a manager have no lab in their menu, and a typed address is refused
  await page.getByTestId('signout').click();
  await signIn(page, 'manager1');
  await expect(page.getByTestId('nav-home')).toBeVisible();
  await expect(page.getByTestId('nav-lab')).toHaveCount(0);
  await page.evaluate(() => {
    window.location.hash = '#/lab';
  });
  await expect(page.getByTestId('not-found')).toBeVisible();
});

async function storeCustomers(): Promise<number> {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM customers').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
