/**
 * Where the editor's time to interactive goes (10,000 lines): the requests the editor makes
 * (Resource Timing: waiting for the server vs downloading) and when the first row shows, in
 * headless Chromium against the real server. `npx tsx bench/editor-profile.ts` (figures only;
 * `ASSETS=1` lists the JavaScript and CSS files too).
 */
import { signIn, startBrowserRun } from '../test/browser/harness.ts';
import { demoCredentials } from '../test/e2e/server.ts';

const LINES = Number(process.env.LINES ?? 10_000);

async function main() {
  const run = await startBrowserRun();
  try {
    const creds = demoCredentials(run.server.dataDir);
    const token = (await run.server.call('POST', '/auth/login', { json: creds })).json.access_token as string;
    const created = await run.server.call('POST', '/budgets', {
      token,
      timeoutMs: 600_000,
      json: {
        budget_name: 'Profile 10k',
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
    const id = created.json.budget_id as string;
    const page = await run.context.newPage();
    await signIn(page, run.server);
    const cdp = process.env.CPU_PROFILE ? await run.context.newCDPSession(page) : undefined;
    for (const label of ['cold', 'warm']) {
      await page.goto('/budgets');
      await page.getByRole('heading', { name: 'Budgets' }).waitFor();
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const t0 = Date.now();
      await page.goto(`/budgets/${id}`);
      await page.locator('[role=gridcell][data-r="0"][data-c="9"]').waitFor({ timeout: 120_000 });
      const shown = Date.now() - t0;
      await page.locator('[role=gridcell][data-r="0"][data-c="9"]').click();
      await page.keyboard.press('ArrowDown');
      await page.locator('[role=gridcell][data-r="1"][data-c="9"].g-focus').waitFor();
      const tti = Date.now() - t0;
      await page.getByTestId('grid-loading').waitFor({ state: 'detached', timeout: 120_000 });
      const all = Date.now() - t0;
      if (cdp) {
        const { profile } = await cdp.send('Profiler.stop');
        // Self time per function (sampled), the top 25: where the page's main thread went.
        const self = new Map<string, number>();
        const dt = new Map<number, number>();
        const { samples = [], timeDeltas = [] } = profile;
        for (const [i, id] of samples.entries()) dt.set(id, (dt.get(id) ?? 0) + (timeDeltas[i] ?? 0));
        for (const n of profile.nodes) {
          const f = n.callFrame;
          const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
          self.set(key, (self.get(key) ?? 0) + (dt.get(n.id) ?? 0) / 1000);
        }
        console.log(`  CPU self time (ms), ${label}:`);
        for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
          console.log(`    ${v.toFixed(0).padStart(6)} ${k}`);
      }
      const timings = await page.evaluate(() =>
        (globalThis as unknown as { performance: { getEntriesByType(t: string): unknown[] } }).performance
          .getEntriesByType('resource')
          .map((e) => {
            const r = e as {
              name: string;
              startTime: number;
              responseStart: number;
              responseEnd: number;
              encodedBodySize: number;
              decodedBodySize: number;
            };
            return `${new URL(r.name).pathname.slice(0, 70)} start ${r.startTime.toFixed(0)} ttfb ${(r.responseStart - r.startTime).toFixed(0)} end ${r.responseEnd.toFixed(0)} ${(r.encodedBodySize / 1024).toFixed(0)}KB/${(r.decodedBodySize / 1024).toFixed(0)}KB`;
          }),
      );
      const nav = await page.evaluate(() =>
        JSON.stringify(
          (
            globalThis as unknown as { performance: { getEntriesByType(t: string): unknown[] } }
          ).performance.getEntriesByType('navigation')[0],
        ),
      );
      console.log(
        `\n${label}: first row ${shown} ms, interactive ${tti} ms, every line loaded ${all} ms; domContentLoaded ${JSON.parse(nav).domContentLoadedEventEnd?.toFixed(0)}`,
      );
      for (const t of timings) if (process.env.ASSETS || !t.includes('/assets/')) console.log(`  ${t}`);
    }
  } finally {
    await run.close();
  }
}
await main();
