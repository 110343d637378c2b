import { expect, test } from '@playwright/test';
import { openExistingStore } from '../../main/store-key';
import { expectNoRawErrors, signIn } from './support/app';
import { setLanguage } from './support/language';
import { expectTidyLayout, saveScreen } from './support/layout';

/**
 * The 360's deposit trend of a customer who left (issue 20 polish): it runs to the report month like
 * everyone's, zero after the closing, with the closing day marked on the chart, at 1366x768 in both
 * languages. The customer is closed for the test and put back as they were afterwards (the store is
 * shared with the specs after this one).
 */
type Db = ReturnType<typeof openExistingStore>;
function withStore<T>(fn: (db: Db) => T): T {
  const db = openExistingStore(process.env.CRM_E2E_DB!, { fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

interface Saved {
  id: number;
  accounts: { id: number; status: string; closed_on: string | null }[];
  balances: Record<string, unknown>[];
}

test('a customer who left: the trend runs to the report month and marks the closing', async ({ page }) => {
  const saved = withStore((db): Saved => {
    const c = db
      .prepare(
        `SELECT a.customer_id AS id FROM accounts a JOIN daily_balances d ON d.account_id = a.id
         JOIN customers c ON c.id = a.customer_id
         WHERE a.kind IN ('demand', 'term') AND d.on_date = '2026-05-31' AND d.balance_fen > 0
         ORDER BY c.id DESC LIMIT 1`,
      )
      .get() as { id: number };
    const accounts = db
      .prepare(`SELECT id, status, closed_on FROM accounts WHERE customer_id = ? AND kind IN ('demand', 'term')`)
      .all(c.id) as Saved['accounts'];
    const balances = db
      .prepare(
        `SELECT * FROM daily_balances WHERE on_date >= '2026-06-10'
         AND account_id IN (SELECT id FROM accounts WHERE customer_id = ? AND kind IN ('demand', 'term'))`,
      )
      .all(c.id) as Record<string, unknown>[];
    db.transaction(() => {
      db.prepare(
        `DELETE FROM daily_balances WHERE on_date >= '2026-06-10'
         AND account_id IN (SELECT id FROM accounts WHERE customer_id = ? AND kind IN ('demand', 'term'))`,
      ).run(c.id);
      db.prepare(
        `UPDATE accounts SET status = 'closed', closed_on = '2026-06-10' WHERE customer_id = ? AND kind IN ('demand', 'term')`,
      ).run(c.id);
    })();
    return { id: c.id, accounts, balances };
  });
  try {
    await signIn(page, 'president');
    await expect(page.getByTestId('nav-customers')).toBeVisible();
    await page.evaluate((id) => {
      window.location.hash = `#/customer/${id}`;
    }, saved.id);
    const trend = page.getByTestId('c360-trend');
    await expect(trend).toBeVisible();
    await expect(trend).toHaveAttribute('data-closed-month', '2026-06');
    // the axis runs to the report month: the last point is 2026-10 (zero), not the closing month
    await expect(trend).toHaveAttribute('aria-label', /2026-10 0\.00$/);
    for (const lang of ['zh-CN', 'en'] as const) {
      await setLanguage(page, lang);
      await expectNoRawErrors(page);
      await expectTidyLayout(page, undefined, `360 trend closed ${lang}`);
      await saveScreen(page, `${lang}-customer-360-trend-closed`);
    }
  } finally {
    await setLanguage(page, 'zh-CN').catch(() => undefined);
    withStore((db) =>
      db.transaction(() => {
        const back = db.prepare('UPDATE accounts SET status = ?, closed_on = ? WHERE id = ?');
        for (const a of saved.accounts) back.run(a.status, a.closed_on, a.id);
        for (const row of saved.balances) {
          const cols = Object.keys(row);
          db.prepare(`INSERT INTO daily_balances (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
            ...cols.map((k) => row[k]),
          );
        }
      })(),
    );
  }
});
