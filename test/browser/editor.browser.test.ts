/**
 * The budget editor in a real Chromium against the real server: a 20 × 12 block pasted from the
 * clipboard (TSV as Excel writes it, thousands separators included) is held by the API exactly;
 * two users in two browser contexts see each other's edits live.
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
  watchErrors,
} from './harness.ts';

/** The DOM classes used inside page.evaluate (the test's own tsconfig has no DOM lib). */
interface BrowserGlobals {
  DataTransfer: new () => { setData(type: string, value: string): void };
  ClipboardEvent: new (type: string, init: Record<string, unknown>) => Event;
}

const FIRST_MONTH_COL = 9; // Line, Type, Category, GL, Department, Cost centre, Qty, Unit cost, Spread

async function createBudget(run: BrowserRun, token: string, name: string, lines: number): Promise<string> {
  const res = await run.server.call('POST', '/budgets', {
    token,
    json: {
      budget_name: name,
      budget_type: 'annual',
      fiscal_year: String(new Date().getUTCFullYear() + 1),
      total_amount: '0.00',
      base_currency: 'USD',
      budget_lines: Array.from({ length: lines }, (_, i) => ({
        line_name: `Line ${String(i + 1).padStart(2, '0')}`,
        line_type: i % 4 === 0 ? 'revenue' : 'expense',
        category: 'opex',
        amount: '0.00',
        line_order: i,
      })),
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.budget_id;
}

const cell = (page: Page, r: number, c: number) =>
  page.locator(`[role=gridcell][data-r="${r}"][data-c="${c}"]`);

async function openEditor(page: Page, budgetId: string) {
  await page.goto(`/budgets/${budgetId}`);
  await page.getByRole('grid', { name: 'Budget lines by month' }).waitFor();
  await cell(page, 0, 0).waitFor();
}

describeBrowser('the budget editor (chromium)', () => {
  let run: BrowserRun | undefined;
  let adminToken = '';
  beforeAll(async () => {
    run = await startBrowserRun();
    const c = demoCredentials(run.server.dataDir);
    const login = await run.server.call('POST', '/auth/login', { json: c });
    adminToken = login.json.access_token;
  }, BROWSER_START_TIMEOUT_MS);
  afterAll(() => run?.close());
  printOutputOnFailure(() => run?.server);

  it('pastes a 20 × 12 block from the clipboard and the API holds exactly those amounts', async () => {
    const budgetId = await createBudget(run!, adminToken, 'Paste target', 20);
    const page = await run!.context.newPage();
    const errors = watchErrors(page);
    await signIn(page, run!.server);
    await openEditor(page, budgetId);

    // What a spreadsheet puts on the clipboard: tabs, CRLF, thousands separators, a trailing newline.
    const expected: string[][] = [];
    const rows: string[] = [];
    for (let r = 0; r < 20; r++) {
      const exact: string[] = [];
      const shown: string[] = [];
      for (let m = 0; m < 12; m++) {
        const cents = (r + 1) * 100_000 + m * 1_001 + r;
        const v = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        exact.push(v);
        shown.push(m % 3 === 0 ? Number(v).toLocaleString('en-US', { minimumFractionDigits: 2 }) : v);
      }
      expected.push(exact);
      rows.push(shown.join('\t'));
    }
    const tsv = `${rows.join('\r\n')}\r\n`;

    await cell(page, 0, FIRST_MONTH_COL).click();
    // A real paste event carrying a DataTransfer, as the browser sends for Ctrl+V.
    await page.getByRole('grid', { name: 'Budget lines by month' }).evaluate((grid, text) => {
      const w = globalThis as unknown as BrowserGlobals;
      const data = new w.DataTransfer();
      data.setData('text/plain', text);
      grid.dispatchEvent(
        new w.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, tsv);

    // The grid shows the pasted block at once (formatted), then saves it.
    await expect
      .poll(() => cell(page, 19, FIRST_MONTH_COL + 11).textContent())
      .toBe(Number(expected[19]![11]).toLocaleString('en-US', { minimumFractionDigits: 2 }));
    await expect
      .poll(() => page.getByTestId('save-state').textContent(), { timeout: 30_000 })
      .toMatch(/all changes saved/);

    const grid = await run!.server.call('GET', `/budgets/${budgetId}/periods`, { token: adminToken });
    expect(grid.status).toBe(200);
    const byName = new Map<string, string[]>(
      grid.json.lines.map((l: { line_name: string; periods: string[] }) => [l.line_name, l.periods]),
    );
    for (let r = 0; r < 20; r++)
      expect(byName.get(`Line ${String(r + 1).padStart(2, '0')}`), `row ${r}`).toEqual(expected[r]);
    // The full-year column is the exact sum of the months.
    const fy = expected[0]!.reduce((s, v) => s + BigInt(v.replace('.', '')), 0n);
    const fyText = await cell(page, 0, FIRST_MONTH_COL + 12 + 4).textContent();
    expect(fyText?.replace(/,/g, '')).toBe(`${fy / 100n}.${String(fy % 100n).padStart(2, '0')}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('two users in two browser contexts each see the other’s edit within a second', async () => {
    const budgetId = await createBudget(run!, adminToken, 'Shared plan', 5);
    const email = `planner-${Date.now()}@e2e.test`;
    const password = 'planner-password-123';
    const created = await run!.server.call('POST', '/users', {
      token: adminToken,
      json: { email, password, roles: ['planner'] },
    });
    expect(created.status, created.text).toBe(201);
    const a = await run!.context.newPage();
    const otherContext = await run!.newContext();
    const b = await otherContext.newPage();
    await signIn(a, run!.server);
    await signIn(b, run!.server, { tenant: demoCredentials(run!.server.dataDir).tenant, email, password });
    await openEditor(a, budgetId);
    await openEditor(b, budgetId);
    // Both are present in the session.
    await expect
      .poll(() => a.locator('[data-testid=presence] [data-user]').count(), { timeout: 15_000 })
      .toBe(2);
    await expect
      .poll(() => b.locator('[data-testid=presence] [data-user]').count(), { timeout: 15_000 })
      .toBe(2);

    const edit = async (page: Page, r: number, c: number, value: string) => {
      await cell(page, r, c).click();
      await page.keyboard.type(value);
      await page.keyboard.press('Enter');
    };

    await edit(a, 1, FIRST_MONTH_COL + 2, '4321.5');
    const t0 = Date.now();
    await expect
      .poll(() => b.locator(`[role=gridcell][data-r="1"][data-c="${FIRST_MONTH_COL + 2}"]`).textContent(), {
        timeout: 1000,
        interval: 25,
      })
      .toBe('4,321.50');
    const aToB = Date.now() - t0;

    await edit(b, 3, 0, 'Travel (renamed)');
    const t1 = Date.now();
    await expect
      .poll(() => cell(a, 3, 0).textContent(), { timeout: 1000, interval: 25 })
      .toBe('Travel (renamed)');
    const bToA = Date.now() - t1;
    process.stdout.write(`live edit latency: A→B ${aToB} ms, B→A ${bToA} ms\n`);

    // And the API holds both.
    const grid = await run!.server.call('GET', `/budgets/${budgetId}/periods`, { token: adminToken });
    expect(grid.json.lines[1].periods[2]).toBe('4321.50');
    expect(grid.json.lines[3].line_name).toBe('Travel (renamed)');
    await a.close();
    await otherContext.close();
  });
});
