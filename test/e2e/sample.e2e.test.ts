import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_USERS } from '../../src/modules/sample/index.ts';
import { type E2eServer, printOutputOnFailure, startServer } from './server.ts';

/** Waits for a condition on the server's output (bounded), never a fixed sleep. */
async function waitForOutput(s: E2eServer, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(s.output());
    if (match) return match[0];
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the server output after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The sample company is created only on a new embedded database: PGlite only.
describe('the first npm start on an empty embedded database', () => {
  let s: E2eServer | undefined;
  printOutputOnFailure(() => s);
  beforeAll(async () => {
    s = await startServer('pglite', { redisDb: 1, env: { SEED_SAMPLE: 'true', LOG_LEVEL: 'warn' } });
    await waitForOutput(s, /Created the sample company[^\n]*|could not be created[^\n]*/, 240_000);
  }, 300_000);
  afterAll(() => s?.stop());

  it('creates the sample company beside the demo admin and prints the documented sign-ins', () => {
    const out = s!.output();
    expect(out).toContain('Created the demo tenant');
    expect(out).toMatch(/Created the sample company "Alpine Outfitters" in tenant "sample" \(seed 42/);
    for (const u of SAMPLE_USERS) expect(out).toContain(u.email);
  });

  it('lets the planner sign in and see the approved plan, the draft and the budget under review, with a variance', async () => {
    const planner = SAMPLE_USERS[0];
    const login = await s!.call('POST', '/auth/login', {
      json: { tenant: 'sample', email: planner.email, password: planner.password },
    });
    expect(login.status).toBe(200);
    const token = login.json.access_token as string;
    const list = await s!.call('GET', '/budgets?limit=50', { token });
    const statuses = list.json.items.map((b: { status: string }) => b.status).sort();
    expect(statuses).toEqual(['approved', 'draft', 'under_review']);
    const approved = list.json.items.find((b: { status: string }) => b.status === 'approved');
    const variance = await s!.call('GET', `/budgets/${approved.budget_id}/variance?by=department`, { token });
    expect(variance.status).toBe(200);
    expect(variance.json.rows.length).toBeGreaterThan(0);
    expect(variance.json.totals.length).toBeGreaterThan(0);
  });
});
