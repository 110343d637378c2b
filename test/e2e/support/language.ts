import { expect, type Page } from '@playwright/test';

/**
 * Switches the UI to `lang` with the header's language button (a no-op when it is already) and waits
 * until the page says so. The language is the user's saved setting: a spec that switches to English
 * switches back to zh-CN at its end, or later specs start in English.
 */
export async function setLanguage(page: Page, lang: 'zh-CN' | 'en'): Promise<void> {
  if ((await page.locator('html').getAttribute('lang')) !== lang) await page.getByTestId('lang-switch').first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}
