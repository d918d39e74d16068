/**
 * The budgets list in a real Chromium: a deleted budget is found under "Deleted" and restored;
 * amounts follow the tenant's display locale (`PUT /settings` `locale`).
 */
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

describeBrowser('the budgets list (chromium)', () => {
  let run: BrowserRun | undefined;
  beforeAll(async () => {
    run = await startBrowserRun({ redisDb: 13 });
  }, BROWSER_START_TIMEOUT_MS);
  afterAll(() => run?.close());
  printOutputOnFailure(() => run?.server);

  it('a deleted budget is listed under "Deleted" and Restore brings it back to the list', async () => {
    const s = run!.server;
    const token = (await s.call('POST', '/auth/login', { json: demoCredentials(s.dataDir) })).json
      .access_token as string;
    const created = await s.call('POST', '/budgets', {
      token,
      json: {
        budget_name: 'Restore me',
        budget_type: 'annual',
        fiscal_year: String(new Date().getUTCFullYear() + 1),
        total_amount: '0.00',
        base_currency: 'USD',
      },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.json.budget_id as string;
    expect((await s.call('DELETE', `/budgets/${id}`, { token })).status).toBe(200);

    const page = await run!.context.newPage();
    const errors = watchErrors(page);
    await signIn(page, s);
    await page.goto('/budgets');
    await page.getByRole('heading', { name: 'Budgets' }).waitFor();
    await page.getByRole('switch', { name: /Deleted/ }).click({ force: true });
    await page.getByRole('button', { name: 'Restore Restore me' }).click();
    await page.getByText('Budget restored').waitFor();
    expect((await s.call('GET', `/budgets/${id}`, { token })).status).toBe(200);
    await page.getByRole('switch', { name: /Deleted/ }).click({ force: true });
    await page.getByRole('link', { name: 'Restore me' }).waitFor();
    expect(errors).toEqual([]);
  });

  it("shows amounts in the tenant's locale once an admin sets one (de-DE: 1.234.567,89)", async () => {
    const s = run!.server;
    const token = (await s.call('POST', '/auth/login', { json: demoCredentials(s.dataDir) })).json
      .access_token as string;
    const created = await s.call('POST', '/budgets', {
      token,
      json: {
        budget_name: 'Locale check',
        budget_type: 'annual',
        fiscal_year: String(new Date().getUTCFullYear() + 1),
        total_amount: '0.00',
        base_currency: 'EUR',
        budget_lines: [
          { line_name: 'Big', line_type: 'expense', category: 'operating', amount: '1234567.89' },
        ],
      },
    });
    expect(created.status, created.text).toBe(201);
    const set = await s.call('PUT', '/settings', { token, json: { locale: 'de-DE' } });
    expect(set.status, set.text).toBe(200);
    try {
      const page = await run!.context.newPage();
      const errors = watchErrors(page);
      await signIn(page, s);
      await page.goto('/budgets');
      const row = page.getByRole('row', { name: /Locale check/ });
      await expect.poll(() => row.textContent(), { timeout: 30_000 }).toMatch(/1\.234\.567,89/);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await s.call('PUT', '/settings', { token, json: { locale: null } });
    }
  });
});
