import http from 'node:http';
import { expect, test } from '@playwright/test';
import { appUrl, expectNoRawErrors, saveScreenshot, signIn } from './support/app';

const HOMES = [
  { user: 'president', testId: 'home-president', shot: 'home-president' },
  { user: 'manager1', testId: 'home-manager', shot: 'home-manager' },
  { user: 'teller1', testId: 'home-teller', shot: 'home-teller' },
  { user: 'admin', testId: 'home-admin', shot: 'home-admin' },
];

test.describe('sign-in and role homes', () => {
  for (const h of HOMES) {
    test(`${h.user} signs in and sees their home`, async ({ page }) => {
      await signIn(page, h.user);
      await expect(page.getByTestId(h.testId)).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
      await expectNoRawErrors(page);
      await saveScreenshot(page, `zh-CN-${h.shot}`);
    });
  }

  test('a wrong password is refused with a translated message', async ({ page }) => {
    await signIn(page, 'manager1', 'wrong-password');
    await expect(page.getByTestId('signin-error')).toContainText('用户名或密码错误');
    await expect(page.getByTestId('home-manager')).toHaveCount(0);
  });

  test('the teller sees masked look-up results', async ({ page }) => {
    await signIn(page, 'teller1');
    await page.getByTestId('teller-search').fill('王');
    const rows = page.getByTestId('customer-row');
    await expect(rows.first()).toBeVisible();
    // Playwright's innerText (what is on screen, one line per element), not the DOM property: textContent would
    // run neighbouring numbers together and make the digit patterns below meaningless.
    // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, see above
    const text = await page.getByTestId('teller-results').innerText();
    // every 18-digit ID and 11-digit mobile on screen is masked
    expect(text).not.toMatch(/\b\d{17}[\dX]\b/);
    expect(text).not.toMatch(/\b1\d{10}\b/);
    expect(text).toMatch(/\*{4}/);
  });

  test('signing out returns to the sign-in screen', async ({ page }) => {
    await signIn(page, 'president');
    await expect(page.getByTestId('home-president')).toBeVisible();
    await page.getByTestId('signout').click();
    await expect(page.getByTestId('signin-username')).toBeVisible();
  });

  test('English can be chosen and is kept', async ({ page }) => {
    await page.goto(appUrl());
    await page.getByTestId('lang-switch').first().click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByTestId('signin-username').fill('president');
    await page.getByTestId('signin-password').fill('wrong');
    await page.getByTestId('signin-password').press('Enter');
    await expect(page.getByTestId('signin-error')).toContainText(/incorrect|invalid|wrong/i);
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('signin-submit')).toHaveText(/sign in/i);
  });

  test('sign-in works with the keyboard alone', async ({ page }) => {
    await page.goto(appUrl());
    await expect(page.getByTestId('signin-username')).toBeFocused();
    await page.keyboard.type('manager1');
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('signin-password')).toBeFocused();
    await page.keyboard.type('Demo@2026');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('home-manager')).toBeVisible();
    // Alt+2 jumps to the second navigation item (customer list)
    await page.keyboard.press('Alt+2');
    await expect(page).toHaveURL(/#\/customers/);
  });
});

/** Raw HTTP so the test controls Host and the token header. */
function raw(path: string, headers: Record<string, string>, body?: string): Promise<number> {
  const u = new URL(appUrl());
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: body ? 'POST' : 'GET', headers },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

test.describe('browser host guards', () => {
  const token = () => new URL(appUrl()).hash.replace('#token=', '');
  const body = JSON.stringify({ method: 'system.info', input: {} });

  test('a call with the token and our Host succeeds', async () => {
    const u = new URL(appUrl());
    expect(
      await raw('/api/call', { Host: u.host, 'Content-Type': 'application/json', 'X-CRM-Token': token() }, body),
    ).toBe(200);
  });

  test('a call without the token is refused', async () => {
    const u = new URL(appUrl());
    expect(await raw('/api/call', { Host: u.host, 'Content-Type': 'application/json' }, body)).toBe(401);
  });

  test('a foreign Host header is refused', async () => {
    expect(
      await raw(
        '/api/call',
        { Host: 'evil.example', 'Content-Type': 'application/json', 'X-CRM-Token': token() },
        body,
      ),
    ).toBe(403);
    expect(await raw('/', { Host: 'evil.example' })).toBe(403);
  });

  test('a page on another origin cannot call the API from the browser', async ({ page }) => {
    await page.goto('about:blank');
    const result = await page.evaluate(
      async ([url, t]) => {
        try {
          const r = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-CRM-Token': t },
            body: '{"method":"system.info"}',
          });
          return `status ${r.status}`;
        } catch {
          return 'blocked';
        }
      },
      [new URL('/api/call', appUrl()).toString(), token()] as const,
    );
    expect(result).toBe('blocked');
  });
});
