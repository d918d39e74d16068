/**
 * Optimistic-lock conflicts in the editor, never swallowed: a line changed by another user while
 * this page could not hear about it (its live channel down) answers the page's save with 409,
 * and the editor says who changed it and when, with "Reload their version" / "Keep mine", each
 * doing what it says on the API.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCredentials, printOutputOnFailure } from '../e2e/server.ts';
import {
  BROWSER_START_TIMEOUT_MS,
  type BrowserRun,
  describeBrowser,
  signIn,
  startBrowserRun,
} from './harness.ts';

const FIRST_MONTH_COL = 9;
const cell = (page: Page, r: number, c: number) =>
  page.locator(`[role=gridcell][data-r="${r}"][data-c="${c}"]`);

describeBrowser('version conflicts in the budget editor (chromium)', () => {
  let run: BrowserRun | undefined;
  let adminToken = '';
  let bob = { token: '', userId: '' };
  beforeAll(async () => {
    run = await startBrowserRun();
    const creds = demoCredentials(run.server.dataDir);
    adminToken = (await run.server.call('POST', '/auth/login', { json: creds })).json.access_token;
    const email = 'bob.conflict@example.com';
    const password = 'bob-password-12345';
    const created = await run.server.call('POST', '/users', {
      token: adminToken,
      json: { email, password, roles: ['planner'], display_name: 'Bob Conflict' },
    });
    const login = await run.server.call('POST', '/auth/login', {
      json: { tenant: creds.tenant, email, password },
    });
    bob = { token: login.json.access_token, userId: created.json.user_id };
  }, BROWSER_START_TIMEOUT_MS);
  afterAll(() => run?.close());
  printOutputOnFailure(() => run?.server);

  it('explains a 409 with who and when; "Keep mine" saves over it, "Reload their version" shows theirs', async () => {
    const res = await run!.server.call('POST', '/budgets', {
      token: adminToken,
      json: {
        budget_name: 'Conflict target',
        budget_type: 'annual',
        fiscal_year: String(new Date().getUTCFullYear() + 1),
        total_amount: '0.00',
        base_currency: 'USD',
        budget_lines: [0, 1].map((i) => ({
          line_name: `Line ${i}`,
          line_type: 'expense',
          category: 'operating',
          amount: '0.00',
          line_order: i,
        })),
      },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const budgetId = res.json.budget_id as string;
    const page = await run!.context.newPage();
    // The live channel is down (as on a flaky network): the page cannot hear of Bob's edits.
    await page.routeWebSocket(/\/ws\/collaboration\//, () => {});
    await signIn(page, run!.server);
    await page.goto(`/budgets/${budgetId}`);
    await cell(page, 0, 0).waitFor();

    const lines = async () =>
      (await run!.server.call('GET', `/budgets/${budgetId}/periods`, { token: adminToken })).json.lines as {
        line_id: string;
        version: number;
        periods: string[];
        line_name: string;
      }[];
    const bobEdits = async (r: number, amount: string) => {
      const l = (await lines())[r]!;
      const put = await run!.server.call('PUT', `/budgets/${budgetId}/lines/${l.line_id}/periods`, {
        token: bob.token,
        json: { version: l.version, periods: [{ period_index: 0, amount }] },
      });
      expect(put.status, put.text).toBe(200);
    };

    const edit = async (r: number, value: string) => {
      await cell(page, r, FIRST_MONTH_COL).click();
      await page.keyboard.type(value);
      await page.keyboard.press('Enter');
    };
    // Mantine's modal root has no box of its own: find the dialog as a screen reader does.
    const dialog = page.getByRole('dialog', { name: 'Someone else changed this line' });

    // Keep mine: the page's amount is saved on the current version.
    await bobEdits(0, '111.00');
    await edit(0, '999');
    await dialog.waitFor({ timeout: 30_000 });
    const text = await dialog.textContent();
    expect(text).toContain('“Line 0” was changed by');
    // Named as people know him (GET /users), not by his id.
    expect(text).toContain('changed by Bob Conflict');
    expect(text).not.toContain(bob.userId);
    expect(text).toMatch(/ at \d{1,2}:\d{2}/);
    await page.getByRole('button', { name: 'Keep mine' }).click();
    await expect.poll(async () => (await lines())[0]!.periods[0], { timeout: 30_000 }).toBe('999.00');

    // Reload their version: Bob's amount shows, the page's is dropped (the API keeps Bob's).
    await bobEdits(1, '222.00');
    await edit(1, '555');
    await dialog.waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Reload their version' }).click();
    await expect.poll(() => cell(page, 1, FIRST_MONTH_COL).textContent(), { timeout: 10_000 }).toBe('222.00');
    expect((await lines())[1]!.periods[0]).toBe('222.00');
    await page.close();
  });
});
