/**
 * Web application benchmark (figures, no assertions), in headless Chromium against the real
 * server (PGlite, the `npm start` entry point) serving the production build:
 * - gzip size of the JavaScript the first screen (the budgets list, signed in) loads;
 * - the editor's time to interactive with a 10,000-line budget: from navigation until the grid
 *   shows its first row and answers a key press, and until every line is loaded (edits and
 *   totals wait for that) (twice: cold and warm server caches);
 * - the time for a pasted 1,000 × 12 block to be saved (until the editor says all changes saved).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { signIn, startBrowserRun } from '../test/browser/harness.ts';
import { demoCredentials } from '../test/e2e/server.ts';

const DIST = resolve(import.meta.dirname, '..', 'web', 'dist');
const LINES = 10_000;
const PASTE_ROWS = 1_000;

interface BrowserGlobals {
  DataTransfer: new () => { setData(type: string, value: string): void };
  ClipboardEvent: new (type: string, init: Record<string, unknown>) => Event;
}

export async function benchWeb(): Promise<void> {
  console.log('\n== web application (headless Chromium, PGlite server) ==');
  const run = await startBrowserRun({ viewport: { width: 1366, height: 900 } });
  try {
    const creds = demoCredentials(run.server.dataDir);
    const token = (await run.server.call('POST', '/auth/login', { json: creds })).json.access_token as string;
    const page = await run.context.newPage();

    // First screen JS.
    const scripts = new Set<string>();
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.endsWith('.js')) scripts.add(u.pathname);
    });
    await signIn(page, run.server);
    scripts.clear();
    await page.goto('/budgets');
    await page.getByRole('heading', { name: 'Budgets' }).waitFor();
    await page.waitForLoadState('networkidle');
    let raw = 0;
    let gz = 0;
    for (const s of scripts) {
      const bytes = readFileSync(join(DIST, s));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    console.log(
      `first screen JS: ${scripts.size} files, ${(raw / 1024).toFixed(0)} KB, gzip ${(gz / 1024).toFixed(0)} KB`,
    );

    // A 10,000-line budget.
    const t = Date.now();
    const created = await run.server.call('POST', '/budgets', {
      token,
      timeoutMs: 600_000,
      json: {
        budget_name: 'Bench 10k',
        budget_type: 'annual',
        fiscal_year: String(new Date().getUTCFullYear() + 1),
        total_amount: '0.00',
        base_currency: 'USD',
        budget_lines: Array.from({ length: LINES }, (_, i) => ({
          line_name: `Line ${i + 1}`,
          line_type: i % 5 === 0 ? 'revenue' : 'expense',
          category: `cat-${i % 20}`,
          amount: `${1200 + (i % 97) * 12}.00`,
          line_order: i,
        })),
      },
    });
    if (created.status !== 201) throw new Error(created.text);
    const id = created.json.budget_id as string;
    console.log(`(setup: ${LINES} lines created in ${((Date.now() - t) / 1000).toFixed(1)} s)`);

    for (const label of ['cold', 'warm']) {
      await page.goto('/budgets');
      await page.getByRole('heading', { name: 'Budgets' }).waitFor();
      const t0 = Date.now();
      await page.goto(`/budgets/${id}`);
      await page.locator('[role=gridcell][data-r="0"][data-c="9"]').click();
      await page.keyboard.press('ArrowDown');
      await page.locator('[role=gridcell][data-r="1"][data-c="9"].g-focus').waitFor();
      const tti = Date.now() - t0;
      // The first screen of lines is shown at once; edits and totals wait for every line.
      await page.getByTestId('grid-loading').waitFor({ state: 'detached', timeout: 120_000 });
      await page.locator('[data-testid=grid-totals][aria-busy]').waitFor({ state: 'detached' });
      console.log(
        `editor time to interactive, ${LINES} lines (${label}): ${tti} ms; every line loaded (editable, totals shown): ${Date.now() - t0} ms`,
      );
    }
    // Scrolling to the end renders the last line (virtualised).
    const t2 = Date.now();
    await page.keyboard.press('Control+ArrowDown');
    await page.locator(`[role=gridcell][data-r="${LINES - 1}"][data-c="9"].g-focus`).waitFor();
    console.log(`jump to line ${LINES}: ${Date.now() - t2} ms`);

    // Paste 1,000 × 12.
    await page.keyboard.press('Control+ArrowUp');
    await page.locator('[role=gridcell][data-r="0"][data-c="9"]').click();
    const rows: string[] = [];
    for (let r = 0; r < PASTE_ROWS; r++)
      rows.push(
        Array.from(
          { length: 12 },
          (_, m) => `${((r * 12 + m) % 9000) + 100}.${String(m).padStart(2, '0')}`,
        ).join('\t'),
      );
    const tsv = rows.join('\n');
    const t3 = Date.now();
    await page.getByRole('grid', { name: 'Budget lines by month' }).evaluate((grid, text) => {
      const w = globalThis as unknown as BrowserGlobals;
      const data = new w.DataTransfer();
      data.setData('text/plain', text);
      grid.dispatchEvent(
        new w.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, tsv);
    await page
      .getByTestId('save-state')
      .filter({ hasText: 'saving' })
      .waitFor({ timeout: 10_000 })
      .catch(() => {});
    await page
      .getByTestId('save-state')
      .filter({ hasText: 'all changes saved' })
      .waitFor({ timeout: 600_000 });
    const ms = Date.now() - t3;
    console.log(
      `paste ${PASTE_ROWS} × 12 saved: ${ms} ms (${((PASTE_ROWS * 12) / (ms / 1000)).toFixed(0)} cells/s, PUT /budgets/:id/periods, 2,000 lines per request)`,
    );
    const check = await run.server.call('GET', `/budgets/${id}/periods`, { token, timeoutMs: 120_000 });
    const ok = check.json.lines
      .slice(0, PASTE_ROWS)
      .every((l: { periods: string[] }, r: number) =>
        l.periods.every((p, m) => p === `${((r * 12 + m) % 9000) + 100}.${String(m).padStart(2, '0')}`),
      );
    console.log(`pasted amounts held by the API: ${ok ? 'all' : 'NOT all'}`);
  } finally {
    await run.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWeb();
