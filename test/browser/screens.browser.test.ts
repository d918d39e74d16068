/**
 * The analysis screens in a real Chromium against the real server with the sample company:
 * submit and approve as two users; import actuals through the mapping step and see the
 * variance; train a model and open its forecast chart; apply a recommendation and land on
 * its scenario.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SAMPLE_USERS } from '../../src/modules/sample/index.ts';
import { printOutputOnFailure } from '../e2e/server.ts';
import {
  BROWSER_START_TIMEOUT_MS,
  type BrowserRun,
  describeBrowser,
  signIn,
  startBrowserRun,
  watchErrors,
} from './harness.ts';

const as = (role: string) => {
  const u = SAMPLE_USERS.find((x) => x.roles[0] === role)!;
  return { tenant: 'sample', email: u.email, password: u.password };
};

describeBrowser('analysis screens on the sample company (chromium)', () => {
  let run: BrowserRun | undefined;
  let planner: Page | undefined;
  let errors: string[];
  let budgets: { budget_id: string; budget_name: string; status: string }[];
  const year = () => Number(budgets.find((b) => b.status === 'approved')!.budget_name.slice(-4));

  beforeAll(async () => {
    run = await startBrowserRun({ env: { SEED_SAMPLE: 'true' }, viewport: { width: 1280, height: 900 } });
    const deadline = Date.now() + 240_000;
    while (!/Created the sample company|could not be created/.test(run.server.output())) {
      if (Date.now() > deadline) throw new Error('the sample company was not created in time');
      await new Promise((r) => setTimeout(r, 200));
    }
    const login = await run.server.call('POST', '/auth/login', { json: as('planner') });
    budgets = (await run.server.call('GET', '/budgets?limit=50', { token: login.json.access_token })).json
      .items;
  }, BROWSER_START_TIMEOUT_MS + 240_000);
  afterAll(() => run?.close());
  /** The planner's page, signed in once (signIn polls with expect: inside a test only). */
  const page = () => planner!;
  const ensurePlanner = async () => {
    if (planner) return;
    planner = await run!.context.newPage();
    errors = watchErrors(planner);
    await signIn(planner, run!.server, as('planner'));
  };
  printOutputOnFailure(() => run?.server);

  it('submits a budget as the planner and approves it as the approver (four eyes)', async () => {
    await ensurePlanner();
    const planner = page();
    const draft = budgets.find((b) => b.status === 'draft')!;
    await planner.goto(`/budgets/${draft.budget_id}/workflow`);
    await planner.getByTestId('action-submit').click();
    await expect
      .poll(() => planner.getByTestId('workflow-status').textContent(), { timeout: 20_000 })
      .toBe('under review');
    // The planner may not approve: the button is disabled (the role lacks budgets:approve).
    expect(await planner.getByTestId('action-approve').isDisabled()).toBe(true);

    const other: BrowserContext = await run!.newContext();
    const approver = await other.newPage();
    const approverErrors = watchErrors(approver);
    await signIn(approver, run!.server, as('approver'));
    await approver.goto(`/budgets/${draft.budget_id}/workflow`);
    await approver.getByLabel('Comment (optional, kept in the history)').fill('Looks right');
    await approver.getByTestId('action-approve').click();
    await expect
      .poll(() => approver.getByTestId('workflow-status').textContent(), { timeout: 20_000 })
      .toBe('approved');
    const history = await approver.getByTestId('workflow-history').textContent();
    // People by name (GET /users), not by id.
    expect(history).toContain('Submitted by Paula Planner');
    expect(history).toMatch(/Approved by you/);
    expect(history).toContain('Looks right');
    expect(approverErrors).toEqual([]);
    await other.close();
  }, 120_000);

  it('imports actuals through the mapping step and shows them in the variance', async () => {
    await ensurePlanner();
    const planner = page();
    const current = budgets.find(
      (b) => b.status === 'approved' && b.budget_name.startsWith('Operating plan'),
    )!;
    const dir = run!.server.dataDir;
    const file = join(dir, 'december.csv');
    writeFileSync(
      file,
      `Booking month,Account,Dept,Net,Ccy\n${year()}-12,6100,Marketing,98765.43,EUR\n${year()}-12,6100,Marketing,1234.57,EUR\n`,
    );
    await planner.goto('/actuals');
    await planner.getByTestId('import-file').click();
    const chooser = await planner.waitForEvent('filechooser').catch(() => undefined);
    if (chooser) await chooser.setFiles(file);
    else await planner.locator('input[type=file]').setInputFiles(file);
    // The header names suggest every column ("Booking month" by its last word); the preview reads
    // the rows with them.
    await planner.getByTestId('preview-table').waitFor({ timeout: 30_000 });
    expect(await planner.getByTestId('map-amount').inputValue()).toBe('Net');
    expect(await planner.getByTestId('map-period').inputValue()).toBe('Booking month');
    await expect
      .poll(() => planner.getByTestId('preview-table').textContent(), { timeout: 20_000 })
      .toContain(`${year()}-12 · 6100`);
    await planner.getByTestId('batch-key').fill('december-ads');
    await planner.getByTestId('import-run').click();
    await expect
      .poll(() => planner.getByTestId('import-done').textContent(), { timeout: 30_000 })
      .toContain('Imported 2 rows');

    await planner.goto(`/variance?budget=${current.budget_id}`);
    await planner.getByLabel('Month (as of)').fill(`${year()}-12`);
    const row = planner.getByTestId('variance-table').locator('tr', { hasText: 'Digital advertising' });
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('100,000.00');
    expect(await planner.getByTestId('variance-period').textContent()).toContain(`${year()}-12 (month)`);
  }, 120_000);

  it('trains a model with job progress and opens its forecast chart with the interval band', async () => {
    await ensurePlanner();
    const planner = page();
    await planner.goto('/forecasts');
    await planner.getByTestId('algorithm').click();
    await planner.getByRole('option', { name: 'Seasonal naive' }).click();
    await planner.getByTestId('series-key').fill('4010');
    await planner.getByLabel('Currency').fill('USD');
    await planner.getByTestId('train').click();
    await expect
      .poll(() => planner.getByTestId('job-status').textContent(), { timeout: 90_000 })
      .toBe('done');
    await planner.getByTestId('run-forecast').click();
    const chart = planner.getByTestId('forecast-chart');
    await chart.waitFor({ timeout: 30_000 });
    await expect.poll(() => chart.locator('svg path').count(), { timeout: 20_000 }).toBeGreaterThan(3);
    expect(await chart.textContent()).toContain('95 % interval');
    expect(await planner.getByTestId('backtest').textContent()).toContain('MAE');
  }, 150_000);

  it('applies a recommendation and opens the scenario it created', async () => {
    await ensurePlanner();
    const planner = page();
    const current = budgets.find(
      (b) => b.status === 'approved' && b.budget_name.startsWith('Operating plan'),
    )!;
    await planner.goto(`/recommendations?budget=${current.budget_id}`);
    await planner.getByTestId('generate').click();
    const first = planner.getByTestId('recommendation').first();
    await first.waitFor({ timeout: 60_000 });
    // The list can still be replaced by the new analysis' bundle after the first card shows (an
    // earlier bundle is listed until the refetch lands), and a click on a replaced card goes
    // nowhere: seen once in CI. Open the first card and apply again, up to three times.
    const scenarioUrl = /\/scenarios\?budget=.+&scenario=.+/;
    for (let attempt = 1; attempt <= 3 && !scenarioUrl.test(planner.url()); attempt++) {
      const card = planner.getByTestId('recommendation').first();
      const apply = card.getByTestId('apply');
      if (!(await apply.isVisible())) await card.locator('button').first().click();
      await apply.click({ timeout: 15_000 });
      await planner.waitForURL(scenarioUrl, { timeout: 10_000 }).catch(() => undefined);
    }
    await planner.waitForURL(scenarioUrl, { timeout: 30_000 });
    await planner.getByTestId('scenario-opened').waitFor({ timeout: 30_000 });
    // A click on a replaced card's recommendation is answered 409 (a stale version, the
    // designed answer) and shown in the page; nothing else may fail.
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
  }, 120_000);
});
