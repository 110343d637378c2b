import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import iconv from 'iconv-lite';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/**
 * The administrator's import path end to end: copy the built-in CIF profile in the editor, preview
 * a file (one bad row highlighted), import it with a tolerance, watch the job finish, read and
 * download its rejects, and revert it.
 */
function inbox(): string {
  const dir = process.env.CRM_E2E_DIR;
  if (!dir) throw new Error('CRM_E2E_DIR not set: global setup did not run');
  return path.join(dir, 'inbox');
}

test('the administrator maps a file, previews, imports, sees progress and rejects, and reverts', async ({ page }) => {
  // Tonight's CIF file: the demo extract with two new customers and one impossible date.
  const lines = iconv
    .decode(readFileSync(path.join(inbox(), 'customers.csv')), 'gb18030')
    .split('\r\n')
    .filter(Boolean);
  const header = lines[0]!.split(',');
  const col = (title: string) => header.indexOf(title);
  const make = (no: string, name: string, opened: string) => {
    const cells = lines[1]!.split(',');
    cells[col('客户号')] = no;
    cells[col('客户名称')] = name;
    cells[col('开户日期')] = opened;
    return cells.join(',');
  };
  const file = [
    lines[0],
    make('9911000001', '𠮷新客', '20241105'),
    make('9911000002', '测试乙', '20240230'),
    make('9911000003', '测试丙', '20241106'),
  ].join('\r\n');
  writeFileSync(path.join(inbox(), 'cif-e2e.csv'), iconv.encode(`${file}\r\n`, 'gb18030'));

  await signIn(page, 'admin');
  await expect(page.getByTestId('home-admin')).toBeVisible();
  await page.getByTestId('nav-imports').click();
  await expect(page.getByTestId('imports-page')).toBeVisible();

  // Map: copy the built-in CIF profile under our own name.
  const cifRow = page.getByTestId('profile-row').filter({ hasText: '客户信息(CIF)' });
  await cifRow.getByTestId('profile-copy').click();
  const editor = page.getByTestId('profile-editor');
  await expect(editor).toBeVisible();
  await editor.getByTestId('profile-name').fill('本行客户信息');
  await expect(editor.getByTestId('mapping-source-customer_no')).toHaveValue('客户号');
  await editor.getByTestId('profile-preview-file').selectOption('cif-e2e.csv');
  await editor.getByTestId('profile-preview').click();
  await expect(editor.getByTestId('preview-row')).toHaveCount(3);
  await editor.getByTestId('profile-save').click();
  await expect(editor).toBeHidden();
  await expect(page.getByTestId('profile-row').filter({ hasText: '本行客户信息' })).toBeVisible();

  // Preview with the new profile: the bad date is flagged before anything is written.
  await page.getByTestId('import-file').selectOption('cif-e2e.csv');
  await page.getByTestId('import-profile').selectOption({ label: '本行客户信息 · 客户信息' });
  await page.getByTestId('import-preview').click();
  const preview = page.getByTestId('import-preview-table');
  await expect(preview.getByTestId('preview-row')).toHaveCount(3);
  await expect(preview.locator('[data-rejected="true"]')).toHaveCount(1);
  await expect(preview.locator('[data-rejected="true"]')).toContainText('日期无效');
  // The whole file was checked: counts of good and bad rows, the bad row listed first.
  await expect(preview.getByTestId('preview-counts')).toHaveAttribute('data-good', '2');
  await expect(preview.getByTestId('preview-counts')).toHaveAttribute('data-bad', '1');
  await expect(preview.getByTestId('preview-row').first()).toHaveAttribute('data-rejected', 'true');
  // Names and identifiers are masked for the administrator (4-byte characters kept whole).
  await expect(preview).toContainText('𠮷**');
  await expect(preview).not.toContainText('𠮷新客');
  await expect(page.getByTestId('import-detected')).toContainText('GB');

  // With no reject allowed the job fails and says which line, column, value and why.
  await page.getByTestId('import-tolerance').fill('0');
  await page.getByTestId('import-start').click();
  const refused = page.getByTestId('active-job').first();
  await expect(refused).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
  await expect(refused.getByTestId('rejects-where-row')).toHaveCount(1);
  await expect(refused.getByTestId('rejects-where-row')).toContainText('cif-e2e.csv');
  await expect(refused.getByTestId('rejects-where-row')).toContainText('第 3 行');
  await expect(refused.getByTestId('rejects-where-row')).toContainText('20240230');
  await expect(refused.getByTestId('rejects-where-row')).toContainText('日期无效');

  // Import with one reject allowed; the job panel shows it finish.
  await page.getByTestId('import-tolerance').fill('1');
  await page.getByTestId('import-start').click();
  const job = page.getByTestId('active-job').first();
  await expect(job).toHaveAttribute('data-status', 'committed', { timeout: 30_000 });
  await expect(job.locator('progress')).toHaveAttribute('value', '1');
  await expect(job.getByTestId('job-figures')).toContainText('拒绝 1 行');
  await saveScreenshot(page, 'zh-CN-imports');

  // History: committed with one reject; the rejects dialog names line and value; the file downloads.
  const row = page.getByTestId('history-row').filter({ hasText: 'cif-e2e.csv' }).first();
  await expect(row).toHaveAttribute('data-status', 'committed');
  await row.getByTestId('history-rejects').click();
  const dialog = page.getByTestId('rejects-dialog');
  await expect(dialog.getByTestId('reject-row')).toHaveCount(1);
  await expect(dialog.getByTestId('reject-row')).toContainText('20240230');
  await expect(dialog.getByTestId('reject-row')).toContainText('3');
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('rejects-download').click()]);
  const saved = await download.path();
  const text = iconv.decode(readFileSync(saved), 'gb18030');
  expect(text).toContain('测试乙');
  expect(text.split('\r\n')[0]).toContain('拒绝原因');
  await page.keyboard.press('Escape');

  // Revert: the job is marked reverted.
  await row.getByTestId('history-revert').click();
  await page.getByTestId('revert-confirm-button').click();
  await expect(page.getByTestId('history-row').filter({ hasText: 'cif-e2e.csv' }).first()).toHaveAttribute(
    'data-status',
    'reverted',
  );
  await expectNoRawErrors(page);
});
