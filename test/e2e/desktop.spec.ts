import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectNoRawErrors, saveScreenshot, signIn } from './support/app';

/** 个性化桌面: the president's and a manager's desktops with data, drill-down, layout kept across a reload, add-to-desktop. */

const num = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

async function filteredCount(page: Page): Promise<number> {
  const counts = page.getByTestId('grid-counts');
  await expect(counts).toHaveText(/筛选后 [\d,]+ 位/);
  return num(/筛选后 ([\d,]+) 位/.exec((await counts.textContent()) ?? '')![1]!);
}

test('the president’s desktop shows every widget with data, and a clicked figure opens exactly those customers', async ({
  page,
}) => {
  await signIn(page, 'president');
  await expect(page.getByTestId('home-president')).toBeVisible();
  for (const id of [
    'kpi-customers',
    'kpi-deposits',
    'kpi-loans',
    'kpi-aum',
    'trend',
    'pyramid',
    'channels',
    'products',
    'maturities',
    'movers-up',
    'movers-down',
    'league',
  ]) {
    await expect(page.getByTestId(`desk-widget-${id}`)).toBeVisible();
  }
  const customers = num(await page.getByTestId('desk-kpi-customers-value').textContent());
  expect(customers).toBeGreaterThan(100);
  await expect(page.getByTestId('desk-trend-chart').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('desk-channel-chart').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('desk-league').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('desk-widget-league')).not.toContainText('暂时无法显示');
  // Changes against the month-end history (the demo's balance extract holds twelve month ends).
  await expect(page.getByTestId('desk-kpi-aum-mom')).toContainText(/较上月末 [▲▼■] [\d.]+%/);
  await expect(page.getByTestId('desk-movers-up').locator('tbody tr').first()).toBeVisible();
  await saveScreenshot(page, 'zh-CN-desktop-president');
  // A chart saves as a PNG image.
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('desk-trend-chart-png').click()]);
  expect(png.suggestedFilename()).toBe('月末余额趋势.png');
  expect(
    readFileSync(await png.path())
      .subarray(1, 4)
      .toString(),
  ).toBe('PNG');
  // A widget's figures export to Excel.
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('desk-export-league').click()]);
  expect(xlsx.suggestedFilename()).toMatch(/^客户经理业绩排行-\d{8}\.xlsx$/);
  expect(
    readFileSync(await xlsx.path())
      .subarray(0, 2)
      .toString(),
  ).toBe('PK');
  await expectNoRawErrors(page);

  // A tier count drills into the grid; the grid's filtered count equals the number clicked.
  const gold = page.getByTestId('desk-tier-gold');
  const clicked = num(await gold.textContent());
  expect(clicked).toBeGreaterThan(0);
  await gold.click();
  await expect(page.getByTestId('customers-page')).toBeVisible();
  await expect(page.getByTestId('grid-drill')).toContainText('来自行长桌面');
  expect(await filteredCount(page)).toBe(clicked);
  await expect(page.getByTestId('qs-count')).toHaveText(clicked.toLocaleString('en-US'));

  // So does a manager's book in the league table.
  await page.goBack();
  const first = page.getByTestId('desk-league').locator('tbody tr').first().locator('button.drill');
  const managerCount = num(await first.textContent());
  await first.click();
  expect(await filteredCount(page)).toBe(managerCount);

  // A channel opens the customers with a transaction over it in the period.
  await page.goBack();
  await page.getByTestId('desk-channels').locator('button.drill').first().click();
  expect(await filteredCount(page)).toBeGreaterThan(0);

  // And the whole branch from the customers card.
  await page.goBack();
  await page.getByTestId('desk-kpi-customers-value').click();
  expect(await filteredCount(page)).toBe(customers);
});

test('a manager’s desktop shows their own book; a moved and resized widget keeps its place after a reload', async ({
  page,
}) => {
  await signIn(page, 'manager1');
  await expect(page.getByTestId('home-manager')).toBeVisible();
  for (const id of ['kpi-customers', 'kpi-aum', 'pyramid', 'maturities', 'views', 'movers-up', 'movers-down']) {
    await expect(page.getByTestId(`desk-widget-${id}`)).toBeVisible();
  }
  await expect(page.getByTestId('desk-widget-league')).toHaveCount(0);
  const mine = num(await page.getByTestId('desk-kpi-customers-value').textContent());
  expect(mine).toBeGreaterThan(5);
  await saveScreenshot(page, 'zh-CN-desktop-manager');
  await expectNoRawErrors(page);

  // Maturities: the customer count drills into the grid with the same number.
  const due = page.getByTestId('desk-maturities-customers');
  const dueN = num(await due.textContent());
  await due.click();
  expect(await filteredCount(page)).toBe(dueN);
  await page.goBack();

  // Arrange with the keyboard buttons: narrower, then one column right.
  const w = page.getByTestId('desk-widget-movers-down');
  await expect(w).toHaveAttribute('data-x', '8');
  await page.getByTestId('desk-edit').click();
  await page.getByTestId('desk-narrower-movers-down').click();
  await page.getByTestId('desk-right-movers-down').click();
  await expect(w).toHaveAttribute('data-w', '3');
  await expect(w).toHaveAttribute('data-x', '9');
  await expect(page.getByTestId('desk-save-state')).toHaveText('布局已保存');

  // And with the mouse: drag the pyramid by its title bar to the right half.
  const pyramid = page.getByTestId('desk-widget-pyramid');
  const handle = pyramid.locator('.desk-handle h2');
  // Drag within the window: half the grid's width to the right, where the maturities widget sits.
  await page.evaluate('window.scrollTo(0, 0)');
  await expect(async () => {
    await handle.scrollIntoViewIfNeeded();
    const box = (await handle.boundingBox())!;
    const grid = (await page.getByTestId('desk-grid').boundingBox())!;
    const x = box.x + 10;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 6, y + 2, { steps: 3 });
    await page.mouse.move(x + grid.width / 4, y + 20, { steps: 10 });
    await page.mouse.move(x + grid.width / 2 + 20, y + 40, { steps: 10 });
    await page.mouse.up();
    const at = `${await pyramid.getAttribute('data-x')},${await pyramid.getAttribute('data-y')}`;
    expect(at).not.toBe('0,3');
  }).toPass({ timeout: 30_000 });
  const moved = { x: await pyramid.getAttribute('data-x'), y: await pyramid.getAttribute('data-y') };
  await expect(page.getByTestId('desk-save-state')).toHaveText('布局已保存');

  await page.reload();
  await expect(page.getByTestId('home-manager')).toBeVisible();
  await expect(page.getByTestId('desk-widget-movers-down')).toHaveAttribute('data-x', '9');
  await expect(page.getByTestId('desk-widget-movers-down')).toHaveAttribute('data-w', '3');
  await expect(page.getByTestId('desk-widget-pyramid')).toHaveAttribute('data-x', moved.x!);
  await expect(page.getByTestId('desk-widget-pyramid')).toHaveAttribute('data-y', moved.y!);
  await expect(page.getByTestId('home-manager')).toContainText('我的布局');

  // Reset to the template puts everything back.
  // asked in the app's own dialog (not the browser's confirm box); 取消 changes nothing
  await page.getByTestId('desk-reset').click();
  await expect(page.getByTestId('desk-reset-confirm')).toContainText('恢复');
  await page.getByTestId('desk-reset-confirm-cancel').click();
  await expect(page.getByTestId('desk-widget-movers-down')).toHaveAttribute('data-x', '9');
  await page.getByTestId('desk-reset').click();
  await page.getByTestId('desk-reset-confirm-ok').click();
  await expect(page.getByTestId('desk-widget-movers-down')).toHaveAttribute('data-x', '8');
  await expect(page.getByTestId('home-manager')).toContainText('默认布局');
});

test('a manager pins a customer list to the desktop; its count opens the grid', async ({ page }) => {
  await signIn(page, 'manager2');
  await page.getByTestId('nav-customers').click();
  await page.getByTestId('chip-tier-gold').click();
  const n = await filteredCount(page);
  await page.getByTestId('grid-add-to-list').click();
  const dlg = page.getByTestId('add-to-list');
  await dlg.getByTestId('add-filtered').check();
  await dlg.getByTestId('add-list-target').selectOption('new');
  await dlg.getByTestId('add-list-name').fill('黄金客户回访');
  await dlg.getByTestId('add-list-go').click();
  await expect(dlg).toBeHidden();
  await page.getByTestId('chip-tier-gold').click();
  await page.getByTestId('grid-view').selectOption({ label: `黄金客户回访 (${n.toLocaleString('en-US')})` });
  await page.getByTestId('grid-pin').click();
  await expect(page.getByTestId('grid-pin-status')).toHaveText('已添加到桌面');

  await page.getByTestId('nav-home').click();
  const pinned = page.locator('[data-kind="list"]');
  await expect(pinned).toBeVisible();
  await expect(pinned).toContainText('黄金客户回访');
  const count = pinned.getByTestId('desk-list-count');
  expect(num(await count.textContent())).toBe(n);
  await count.click();
  expect(await filteredCount(page)).toBe(n);
  await expectNoRawErrors(page);
});

test('the administrator publishes a desktop template; a bad layout is refused with a clear message', async ({
  page,
}) => {
  await signIn(page, 'admin');
  await page.getByTestId('nav-desktops').click();
  await expect(page.getByTestId('desktop-templates')).toBeVisible();
  await page.getByTestId('template-role').selectOption('manager');
  await expect(page.getByTestId('template-status')).toContainText('系统默认布局');
  await page
    .getByTestId('template-json')
    .fill('{"widgets":[{"id":"w","kind":"weather","config":{},"x":0,"y":0,"w":3,"h":3}]}');
  await page.getByTestId('template-publish').click();
  await expect(page.getByTestId('template-error')).toHaveText('未知的部件类型“weather”，未保存');
  // A manager template: the four figures, the pyramid and maturities, my lists and queries.
  const widgets = [
    ...['customers', 'deposits', 'loans', 'aum'].map((metric, i) => ({
      id: `k-${metric}`,
      kind: 'kpi',
      config: { metric },
      x: i * 3,
      y: 0,
      w: 3,
      h: 3,
    })),
    { id: 'maturities', kind: 'maturities', config: { days: 30 }, x: 0, y: 3, w: 6, h: 8 },
    { id: 'pyramid', kind: 'tierPyramid', config: {}, x: 6, y: 3, w: 6, h: 8 },
    { id: 'views', kind: 'views', config: {}, x: 0, y: 11, w: 6, h: 6 },
  ];
  await page.getByTestId('template-json').fill(JSON.stringify({ widgets }));
  await page.getByTestId('template-publish').click();
  await expect(page.getByTestId('template-status')).toContainText('发布');
  await expect(page.getByTestId('template-status')).toContainText('共 7 个部件');
  await saveScreenshot(page, 'zh-CN-desktop-templates');
  await expectNoRawErrors(page);

  // A manager with no layout of their own now opens onto the template.
  await page.getByTestId('signout').click();
  await signIn(page, 'manager1');
  await expect(page.getByTestId('home-manager')).toBeVisible();
  await page.getByTestId('desk-reset').click();
  await page.getByTestId('desk-reset-confirm-ok').click();
  await expect(page.getByTestId('home-manager')).toContainText('行内模板');
  await expect(page.getByTestId('desk-widget-maturities')).toBeVisible();
  await expect(page.getByTestId('desk-widget-movers-up')).toHaveCount(0);
});
