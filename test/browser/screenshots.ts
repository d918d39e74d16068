/**
 * `npm run screenshots`: the main screens in headless Chromium against a real server with a
 * small realistic budget, written to docs/screenshots/*.png (light and dark, 1280 px and a
 * tablet). Not a test: a picture to look at.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { demoCredentials } from '../e2e/server.ts';
import { signIn, startBrowserRun } from './harness.ts';

const OUT = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const year = String(new Date().getUTCFullYear() + 1);

const LINES: [string, 'revenue' | 'expense', string, string, string][] = [
  ['Product subscriptions', 'revenue', 'sales', '4000', '1840000.00'],
  ['Professional services', 'revenue', 'sales', '4100', '420000.00'],
  ['Support contracts', 'revenue', 'sales', '4200', '310000.00'],
  ['Salaries — engineering', 'expense', 'people', '6000', '1150000.00'],
  ['Salaries — sales', 'expense', 'people', '6010', '540000.00'],
  ['Payroll taxes', 'expense', 'people', '6100', '168000.00'],
  ['Cloud hosting', 'expense', 'infrastructure', '6500', '212000.00'],
  ['Software licences', 'expense', 'infrastructure', '6510', '64000.00'],
  ['Office rent', 'expense', 'facilities', '6700', '180000.00'],
  ['Travel', 'expense', 'sales', '6800', '72000.00'],
  ['Marketing campaigns', 'expense', 'marketing', '6900', '240000.00'],
  ['Events', 'expense', 'marketing', '6910', '90000.00'],
  ['Recruiting', 'expense', 'people', '6200', '45000.00'],
  ['Training', 'expense', 'people', '6210', '24000.00'],
];

async function shot(page: Page, name: string) {
  await page.mouse.move(1, 799); // no hover tooltip in the picture
  await page.waitForTimeout(300); // let transitions finish: a picture, not a test
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
}

const run = await startBrowserRun({ viewport: { width: 1280, height: 800 } });
try {
  mkdirSync(OUT, { recursive: true });
  const creds = demoCredentials(run.server.dataDir);
  const token = (await run.server.call('POST', '/auth/login', { json: creds })).json.access_token as string;
  const mk = async (name: string, status: 'draft' | 'submit', dept: string) => {
    const res = await run.server.call('POST', '/budgets', {
      token,
      json: {
        budget_name: name,
        budget_type: 'annual',
        fiscal_year: year,
        total_amount: '5000000.00',
        base_currency: 'USD',
        department_id: dept,
        budget_lines: LINES.map(([line_name, line_type, category, gl, amount], i) => ({
          line_name,
          line_type,
          category,
          gl_account_id: gl,
          department_id: dept,
          amount,
          spread_method: i % 3 === 0 ? 'seasonal' : 'even',
          ...(i % 3 === 0
            ? { spread_profile: ['6', '6', '8', '8', '9', '9', '7', '6', '9', '10', '11', '11'] }
            : {}),
          line_order: i,
        })),
      },
    });
    if (res.status !== 201) throw new Error(res.text);
    if (status === 'submit')
      await run.server.call('POST', `/budgets/${res.json.budget_id}/submit`, { token, json: { version: 1 } });
    return res.json.budget_id as string;
  };
  const id = await mk(`FY${year} Operating plan`, 'draft', 'Operations');
  await mk(`FY${year} Sales plan`, 'submit', 'Sales');
  await mk(`FY${year} R&D plan`, 'draft', 'Engineering');

  const page = await run.context.newPage();
  await page.goto('/sign-in');
  await shot(page, 'sign-in');
  await signIn(page, run.server);
  await page.goto('/budgets');
  await page.getByTestId('budgets-table').waitFor();
  await shot(page, 'budgets-list');
  await page.getByTestId('new-budget').click();
  await page.getByRole('dialog').waitFor();
  await shot(page, 'budgets-new');
  await page.keyboard.press('Escape');

  await page.goto(`/budgets/${id}`);
  await page.locator('[role=gridcell][data-r="0"]').first().waitFor();
  await page.locator('[role=gridcell][data-r="3"][data-c="9"]').click();
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  // The click scrolled the month into view by pixels: align the first scrolled column with the
  // frozen ones (as the grid's own keyboard scrolling does), so no header is half hidden.
  await page
    .getByRole('grid', { name: 'Budget lines by month' })
    .evaluate(
      (grid: { scrollLeft: number; querySelectorAll(s: string): ArrayLike<unknown> & Iterable<unknown> }) => {
        type Head = {
          classList: { contains(c: string): boolean };
          offsetWidth: number;
          textContent: string | null;
        };
        const heads = [...grid.querySelectorAll('[role=columnheader]')] as unknown as Head[];
        const frozen = heads.filter((h) => h.classList.contains('g-frozen'));
        const frozenWidth = frozen.reduce((w, h) => w + h.offsetWidth, 0);
        const upTo = heads.findIndex((h) => h.textContent === 'Spread');
        const before = heads.slice(0, upTo).reduce((w, h) => w + h.offsetWidth, 0);
        grid.scrollLeft = before - frozenWidth;
      },
    );
  await shot(page, 'editor');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await shot(page, 'editor-dark');
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await shot(page, 'editor-tablet');
} finally {
  await run.close();
}
