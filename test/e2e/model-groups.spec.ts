import { expect, test } from '@playwright/test';
import { openExistingStore } from '../../main/store-key';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * 模型评分分布 on the president's desktop at 1366x768, both languages: a plain message while no churn model
 * is in use; once one is active (written into the lab tables as activation leaves them, when no other
 * spec of this run activated one), the ten groups' counts, and a count drilling into the grid on exactly
 * that many customers.
 */
test.describe.configure({ timeout: 120_000 });

/** Takes the version written here out again, so later specs see the store as the lab left it. */
function removeVersion(v: number): void {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { fileMustExist: true });
  try {
    db.transaction(() => {
      db.prepare('DELETE FROM lab_active WHERE version = ?').run(v);
      db.prepare('DELETE FROM lab_scores WHERE version = ?').run(v);
      db.prepare('DELETE FROM lab_models WHERE version = ?').run(v);
    })();
  } finally {
    db.close();
  }
}

/** A churn version scoring every open customer, made active (only while none is); its version. */
function activateChurnModel(): number {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { fileMustExist: true });
  try {
    return db.transaction(() => {
      const v = Number(
        db
          .prepare(
            `INSERT INTO lab_models (target_key, target, learner, requested, outcome_months, cutoff, window_end, rows,
                                     positives, figures, model, seconds, created_at, scored_on)
             VALUES ('churn', '{}', 'logistic', 'logistic', 3, '2026-07-31', '2026-10-31', 100, 10, '{}', '{}', 1,
                     '2026-11-02T01:00:00Z', '2026-10-31')`,
          )
          .run().lastInsertRowid,
      );
      const ids = db.prepare("SELECT id FROM customers WHERE status <> 'closed' ORDER BY id").pluck().all() as number[];
      const ins = db.prepare(
        "INSERT INTO lab_scores (version, customer_id, score, decile, factors) VALUES (?, ?, ?, ?, '[]')",
      );
      ids.forEach((id, i) => void ins.run(v, id, 1 - i / ids.length, 1 + Math.floor((i * 10) / ids.length)));
      db.prepare("INSERT INTO lab_active (target_key, version) VALUES ('churn', ?)").run(v);
      return v;
    })();
  } finally {
    db.close();
  }
}

test('模型评分分布: no model message, then the groups in both languages, and a count drills into the grid', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, 'president');
  await expect(page.getByTestId('home-president')).toBeVisible();
  const db = openExistingStore(process.env.CRM_E2E_DB!, { readonly: true, fileMustExist: true });
  const hadModel = !!db.prepare("SELECT 1 FROM lab_active WHERE target_key = 'churn'").get();
  db.close();

  let written: number | null = null;
  try {
    await page.getByTestId('desk-add').click();
    await page.getByTestId('desk-add-kind').selectOption('modelGroups');
    await page.getByTestId('desk-add-submit').click();
    const widget = page.locator('[data-testid^="desk-widget-modelGroups-"]');
    await expect(widget).toBeVisible();
    if (!hadModel) {
      await expect(widget.getByTestId('desk-model-groups-none')).toContainText('当前没有启用的流失模型');
      await widget.scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'zh-CN-desktop-model-groups-none');
      written = activateChurnModel();
      await page.reload();
    }
    await expect(widget.getByTestId('desk-model-groups').locator('tbody tr')).toHaveCount(10);
    await expect(widget).toContainText('最可能流失');
    await widget.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'zh-CN-desktop-model-groups');
    await widget.screenshot({ path: 'test-results/screenshots/zh-CN-model-groups-widget.png' });
    await setLanguage(page, 'en');
    await expect(widget).toContainText('most likely to leave');
    await widget.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'en-desktop-model-groups');
    await widget.screenshot({ path: 'test-results/screenshots/en-model-groups-widget.png' });
    await expectNoRawErrors(page);
    await setLanguage(page, 'zh-CN');

    const first = widget.getByTestId('desk-model-group-1');
    const clicked = Number(((await first.textContent()) ?? '').replace(/[^\d]/g, ''));
    expect(clicked).toBeGreaterThan(0);
    await first.click();
    await expect(page.getByTestId('customers-page')).toBeVisible();
    await expect(page.getByTestId('grid-counts')).toHaveText(
      new RegExp(`筛选后 ${clicked.toLocaleString('en-US')} 位`),
    );
  } finally {
    if (written !== null) removeVersion(written);
  }
});
