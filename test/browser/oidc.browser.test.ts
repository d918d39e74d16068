/**
 * Browser sign-in through a real identity provider (oidc-provider, test/helpers/identity-provider.ts):
 * the sign-in page offers "Sign in with your identity provider", the provider's own login and
 * consent pages are filled in Chromium, the code comes back with PKCE, and the SPA lands signed in
 * with the tenant, user and role from the provider's access token, which the API accepts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { printOutputOnFailure } from '../e2e/server.ts';
import { type IdentityProvider, startIdentityProvider } from '../helpers/identity-provider.ts';
import {
  BROWSER_START_TIMEOUT_MS,
  type BrowserRun,
  describeBrowser,
  startBrowserRun,
  watchErrors,
} from './harness.ts';

describeBrowser('signing in through an OIDC identity provider (chromium)', () => {
  let idp: IdentityProvider | undefined;
  let run: BrowserRun | undefined;
  beforeAll(async () => {
    idp = await startIdentityProvider({
      alice: { tenant: 'acme-oidc', email: 'alice@acme.test', roles: ['planner'] },
    });
    run = await startBrowserRun({
      env: { OIDC_ISSUER_URL: idp.issuer, OIDC_CLIENT_ID: idp.clientId, JWT_AUDIENCE: idp.audience },
    });
    idp.serve(`${run.server.baseUrl}/auth/callback`);
  }, BROWSER_START_TIMEOUT_MS);
  afterAll(async () => {
    await run?.close();
    await idp?.close();
  });
  printOutputOnFailure(() => run?.server);

  it('offers only the provider, signs in through its pages with PKCE and shows tenant, user and role', async () => {
    const page = await run!.context.newPage();
    const errors = watchErrors(page);
    await page.goto('/budgets');
    await page.waitForURL(/\/sign-in\?next=%2Fbudgets$/);
    const button = page.getByRole('button', { name: 'Sign in with your identity provider' });
    await button.waitFor();
    // Password login is off with OIDC: no password form to fill.
    expect(await page.locator('input[name=password]').count()).toBe(0);

    await button.click();
    await page.waitForURL((url) => url.origin === idp!.issuer);
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    await page.locator('input[name=login]').fill('alice');
    await page.locator('input[name=password]').fill('any password the dev pages accept');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    // The provider's pages load web fonts this machine cannot resolve: only our pages' errors count.
    await page.waitForURL((url) => url.origin === run!.server.baseUrl);
    errors.length = 0;

    // Signed in, or the callback page says why not (its words make the failure readable).
    await page.getByTestId('account-role').or(page.getByTestId('oidc-error')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('oidc-error').count(), `${await page.textContent('body')} ${errors}`).toBe(
      0,
    );
    expect(page.url()).toBe(`${run!.server.baseUrl}/budgets`);
    expect(await page.getByTestId('account-tenant').textContent()).toBe('acme-oidc');
    expect(await page.getByTestId('account-user').textContent()).toBe('alice@acme.test');
    expect(await page.getByTestId('account-role').textContent()).toBe('planner');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Budgets');

    // The stored token is the provider's JWT access token (PKCE code exchange), not one of ours.
    const token = await page.evaluate(
      () =>
        JSON.parse(
          (
            globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
          ).localStorage.getItem('bf.session')!,
        ).token as string,
    );
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({
      iss: idp!.issuer,
      aud: idp!.audience,
      sub: 'alice',
      tenant_id: 'acme-oidc',
    });
    // A planner may create a budget with it.
    const created = await run!.server.call('POST', '/budgets', {
      token,
      json: {
        budget_name: 'OIDC plan',
        budget_type: 'annual',
        fiscal_year: '2027',
        total_amount: '1000.00',
        base_currency: 'USD',
      },
    });
    expect(created.status).toBe(201);

    await page.getByTestId('account').click();
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/sign-in/);
    expect(errors.filter((e) => !/401|Unauthorized/.test(e))).toEqual([]);
    await page.close();
  });
});
