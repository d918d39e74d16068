/** Optimistic locking under real concurrency, and all-or-nothing writes of large batches. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetCreateInput } from '../src/modules/budgets/index.ts';
import { queryRows } from '../src/platform/db/client.ts';
import { tenantIdFromKey, withTenant } from '../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';

describe.each(backends())('concurrency and atomicity on %s', (backend) => {
  let t: TestApp;
  const tenant = newTenant();
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const counts = () =>
    withTenant(t.platform.database.db, tenantIdFromKey(tenant), async (tx) => {
      const [row] = await queryRows<{ b: number; l: number }>(
        tx,
        sql`SELECT (SELECT count(*)::int FROM budgets) b, (SELECT count(*)::int FROM budget_lines) l`,
      );
      return row!;
    });

  it('lets exactly one of 20 parallel updates with the same version win; the row is the winner', async () => {
    const id = (await t.call('POST', '/budgets', token, budgetBody())).json().budget_id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.call('PUT', `/budgets/${id}`, token, { notes: `writer ${i}`, version: 1 }),
      ),
    );
    const ok = results.filter((r) => r.statusCode === 200);
    const conflicts = results.filter((r) => r.statusCode === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    for (const c of conflicts) expect(c.json().current_version).toBe(2);
    const stored = (await t.call('GET', `/budgets/${id}`, token)).json();
    expect(stored.version).toBe(2);
    expect(stored.notes).toBe(ok[0]!.json().notes);
  });

  it('lets exactly one of 20 parallel line updates with the same version win', async () => {
    const id = (await t.call('POST', '/budgets', token, budgetBody({ budget_lines: [lineBody()] }))).json()
      .budget_id;
    const lineId = (await t.call('GET', `/budgets/${id}/lines`, token)).json().items[0].line_id;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.call('PUT', `/budgets/${id}/lines/${lineId}`, token, { amount: `${i + 1}.00`, version: 1 }),
      ),
    );
    const ok = results.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(19);
    const line = (await t.call('GET', `/budgets/${id}/lines`, token)).json().items[0];
    expect(line).toMatchObject({ version: 2, amount: ok[0]!.json().amount });
  });

  it('stores nothing when one of 10,000 lines is invalid, and names the row', async () => {
    const before = await counts();
    const lines = Array.from({ length: 10_000 }, (_, i) => lineBody({ line_name: `L${i}`, amount: '10.00' }));
    lines[7777] = lineBody({ amount: '12.345' });
    const res = await t.call('POST', '/budgets', token, budgetBody({ budget_lines: lines }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'budget_lines.7777.amount', code: 'too_many_decimals' }),
    ]);
    expect(await counts()).toEqual(before);
  });

  it('rolls back the budget and every line when the database refuses the last of 10,000 lines', async () => {
    const before = await counts();
    // Bypasses request validation on purpose: the CHECK constraint in the database must fail the whole transaction.
    const input = budgetBody({
      budget_lines: Array.from({ length: 10_000 }, (_, i) => ({
        ...lineBody({ line_name: `L${i}` }),
        line_order: i,
      })),
    }) as unknown as BudgetCreateInput;
    input.budget_lines[9_999]!.amount = '-1.00';
    const ctx = {
      tenantId: tenantIdFromKey(tenant),
      tenantKey: tenant,
      userId: 'u',
      roles: [],
      permissions: new Set<string>(),
    };
    await expect(t.services.budgets.create(ctx, input)).rejects.toThrow();
    expect(await counts()).toEqual(before);
  });

  it('creates a budget with 10,000 lines in one request and reads them all back', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      lineBody({ line_name: `L${i}`, amount: '0.01', line_order: i }),
    );
    const res = await t.call('POST', '/budgets', token, budgetBody({ budget_lines: lines }));
    expect(res.statusCode).toBe(201);
    expect(res.json().totals).toMatchObject({ expense: '100.00', line_count: 10_000 });
    const full = (await t.call('GET', `/budgets/${res.json().budget_id}?include_lines=true`, token)).json();
    expect(full.budget_lines).toHaveLength(10_000);
    expect(full.budget_lines[9_999].line_name).toBe('L9999');
  });

  it('refuses an 10,001st line over the configured maximum', async () => {
    const lines = Array.from({ length: 10_001 }, () => lineBody());
    const res = await t.call('POST', '/budgets', token, budgetBody({ budget_lines: lines }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: 'budget_lines', code: 'too_big' });
  });
});
