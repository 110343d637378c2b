import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support/app';
import { setLanguage } from './support/language';

/**
 * The screens whose date inputs became the app's DateField, at 1366x768 and 1920x1080 in both
 * languages: the field and its calendar fit, the page does not scroll sideways, and nothing shows the
 * browser's date format. Screenshots: test-results/screenshots/{zh-CN,en}-dates-<screen>{,-1920}.png.
 */
const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

interface Screen {
  name: string;
  user: string;
  open: (page: Page) => Promise<void>;
  field: string;
}

const SCREENS: Screen[] = [
  {
    name: 'reminders',
    user: 'manager1',
    open: async (p) => {
      await p.getByTestId('nav-reminders').click();
    },
    field: 'reminders-due-from',
  },
  {
    name: 'funnel',
    user: 'manager1',
    open: async (p) => {
      await p.getByTestId('nav-opportunities').click();
      await p.getByTestId('opp-tab-funnel').click();
    },
    field: 'funnel-from',
  },
  {
    name: 'referral-report',
    user: 'president',
    open: async (p) => {
      await p.getByTestId('nav-referralReport').click();
    },
    field: 'referral-report-from',
  },
  {
    name: 'audit',
    user: 'president',
    open: async (p) => {
      await p.getByTestId('nav-audit').click();
    },
    field: 'audit-from',
  },
  {
    name: 'migration',
    user: 'president',
    open: async (p) => {
      await p.getByTestId('nav-reports').click();
      await p.getByTestId('report-tab-migration').click();
    },
    field: 'filter-migration-from',
  },
];

for (const s of SCREENS) {
  test(`${s.name}: the app date field fits at 1366 and 1920 in both languages`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 1366, height: 768 });
    await signIn(page, s.user);
    await expect(page.getByTestId('lang-switch').first()).toBeVisible();
    await s.open(page);
    for (const l of ['zh-CN', 'en'] as const) {
      await setLanguage(page, l);
      for (const size of [
        { width: 1366, height: 768 },
        { width: 1920, height: 1080 },
      ]) {
        await page.setViewportSize(size);
        const field = page.getByTestId(s.field);
        await expect(field).toBeVisible();
        await expect(field).toHaveAttribute('placeholder', l === 'zh-CN' ? '年-月-日' : 'YYYY-MM-DD');
        await page.getByTestId(`${s.field}-open`).click();
        const cal = page.getByTestId(`${s.field}-calendar`);
        await expect(cal).toBeVisible();
        const box = (await cal.boundingBox())!;
        expect(box.x + box.width, 'calendar inside the window').toBeLessThanOrEqual(size.width);
        expect(
          await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
          'sideways page scroll',
        ).toBeLessThanOrEqual(0);
        const suffix = size.width === 1920 ? '-1920' : '';
        await page.screenshot({ path: path.join(SHOTS, `${l}-dates-${s.name}${suffix}.png`) });
        await page.keyboard.press('Escape');
        await expect(cal).toBeHidden();
      }
    }
    await setLanguage(page, 'zh-CN');
  });
}
