/** Sign in and out in a real Chromium against the real server serving the production build. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCredentials, printOutputOnFailure } from '../e2e/server.ts';
import {
  BROWSER_START_TIMEOUT_MS,
  type BrowserRun,
  describeBrowser,
  signIn,
  startBrowserRun,
  watchErrors,
} from './harness.ts';

describeBrowser('signing in to the web application (chromium)', () => {
  let run: BrowserRun | undefined;
  beforeAll(async () => {
    run = await startBrowserRun();
  }, BROWSER_START_TIMEOUT_MS);
  afterAll(() => run?.close());
  printOutputOnFailure(() => run?.server);

  it('sends a visitor to the sign-in page, rejects a wrong password in words, and signs in showing tenant, user and role', async () => {
    const page = await run!.context.newPage();
    const errors = watchErrors(page);
    const creds = demoCredentials(run!.server.dataDir);

    const res = await page.goto('/budgets');
    expect(res?.status()).toBe(200);
    await page.waitForURL(/\/sign-in\?next=%2Fbudgets$/);

    await page.getByLabel('Organisation').fill(creds.tenant);
    await page.getByLabel('Email').fill(creds.email);
    await page.locator('input[name=password]').fill('definitely-not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toMatch(/.+/);

    await signIn(page, run!.server, creds);
    await page.waitForURL(/\/budgets$/);
    expect(await page.getByTestId('account-tenant').textContent()).toBe(creds.tenant);
    expect(await page.getByTestId('account-user').textContent()).toBe(creds.email);
    expect(await page.getByTestId('account-role').textContent()).toBe('admin');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Budgets');
    // A reload keeps the session (the token is stored until it expires).
    await page.reload();
    await expect.poll(() => page.getByTestId('account-role').isVisible(), { timeout: 30_000 }).toBe(true);

    await page.getByTestId('account').click();
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/sign-in/);
    // Nothing failed in the page: the app runs under the server's CSP.
    expect(errors.filter((e) => !/401|Unauthorized/.test(e))).toEqual([]);
    await page.close();
  });
});
