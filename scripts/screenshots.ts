/**
 * `npm run screenshots`: a real server on a fresh embedded database with the sample company
 * (docs/sample-company.md), a model trained and a recommendation bundle generated through the
 * API, then every main screen in headless Chromium at 1280 × 800, written to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { SAMPLE_USERS } from '../src/modules/sample/index.ts';
import { startBrowserRun } from '../test/browser/harness.ts';
import type { E2eServer } from '../test/e2e/server.ts';

const OUT = resolve(import.meta.dirname, '..', 'docs', 'screenshots');
const user = (role: string) => {
  const u = SAMPLE_USERS.find((x) => x.roles[0] === role)!;
  return { tenant: 'sample', email: u.email, password: u.password };
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What the screens need beyond the seed: a trained model with a forecast, a recommendation bundle. */
async function prepare(s: E2eServer): Promise<{ current: string }> {
  const login = await s.call('POST', '/auth/login', { json: user('planner') });
  const token = login.json.access_token as string;
  const budgets = (await s.call('GET', '/budgets?limit=50', { token })).json.items as {
    budget_id: string;
    status: string;
  }[];
  const current = budgets.find((b) => b.status === 'approved')!.budget_id;
  const model = await s.call('POST', '/forecasting/models', {
    token,
    json: {
      name: '4000 (gl account) · ets',
      algorithm: 'ets',
      training_config: { horizon: 12, seed: 42, backtest_origins: 4 },
    },
  });
  const id = model.json.model_id as string;
  const train = await s.call('POST', `/forecasting/models/${id}/train`, {
    token,
    json: { source: 'actuals', group_by: 'gl_account', key: '4000', currency: 'EUR' },
  });
  await until('training', async () => {
    const job = await s.call('GET', `/jobs/${train.json.job_id}`, { token });
    if (job.json.status === 'failed') throw new Error(`training failed: ${job.json.error}`);
    return job.json.status === 'completed' ? true : undefined;
  });
  await s.call('POST', `/forecasting/models/${id}/forecasts`, { token, json: { horizon: 12, level: 95 } });
  await s.call('POST', `/budgets/${current}/recommendations`, { token, json: {} });
  return { current };
}

async function shot(page: Page, name: string, path: string, ready: string) {
  await page.goto(path);
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(400); // charts draw in the next frame
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
  process.stdout.write(`  docs/screenshots/${name}.png\n`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const run = await startBrowserRun({ env: { SEED_SAMPLE: 'true' }, viewport: { width: 1280, height: 800 } });
  try {
    await until('the sample company', async () =>
      /Created the sample company/.test(run.server.output()) ? true : undefined,
    );
    const { current } = await prepare(run.server);
    const page = await run.context.newPage();
    const admin = user('admin');
    await page.goto('/sign-in');
    await page.getByLabel('Organisation').fill(admin.tenant);
    await page.getByLabel('Email').fill(admin.email);
    await page.locator('input[name=password]').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('account-role').waitFor({ timeout: 30_000 });
    await shot(page, 'workflow', `/budgets/${current}/workflow`, '[data-testid=workflow-history]');
    await shot(page, 'actuals', '/actuals', '[data-testid=batches]');
    await shot(page, 'variance', `/variance?budget=${current}`, '[data-testid=variance-table]');
    await page.getByTestId('variance-table').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=chart]').first().scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(OUT, 'variance-charts.png') });
    const budgets = (await (
      await page.request.get('/api/budgeting-forecasting/budgets?limit=50', { headers: await auth(page) })
    ).json()) as {
      items: { budget_id: string; status: string }[];
    };
    const draft = budgets.items.find((b) => b.status === 'draft')!.budget_id;
    await shot(page, 'scenarios', `/scenarios?budget=${draft}`, '[data-testid=scenario-compare]');
    await shot(page, 'templates', '/templates', '[data-testid=template-versions]');
    await shot(page, 'forecasts', '/forecasts', '[data-testid=forecast-chart] [data-testid=chart]');
    await shot(page, 'recommendations', `/recommendations?budget=${current}`, '[data-testid=recommendation]');
    await shot(page, 'audit', '/audit', '[data-testid=audit-table]');
    await page.close();
  } finally {
    await run.close();
  }
}

/** The page's bearer token (the session keeps it in localStorage). */
async function auth(page: Page): Promise<Record<string, string>> {
  const token = await page.evaluate(
    () =>
      JSON.parse(
        (
          globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
        ).localStorage.getItem('bf.session') ?? '{}',
      ).token as string,
  );
  return { authorization: `Bearer ${token}` };
}

await main();
