import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';

describe.each(backends())('POST /budgets/:id/restore on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const create = async (overrides: Record<string, unknown> = {}) => {
    const res = await t.call('POST', '/budgets', token, budgetBody(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { budget_id: string; budget_name: string };
  };

  it('a soft-deleted budget is listed under deleted=true, restored with its lines, audited, and live again', async () => {
    const b = await create({
      budget_lines: [{ line_name: 'Rent', line_type: 'expense', category: 'office', amount: '1200.00' }],
    });
    expect((await t.call('DELETE', `/budgets/${b.budget_id}`, token)).statusCode).toBe(200);
    expect((await t.call('GET', `/budgets/${b.budget_id}`, token)).statusCode).toBe(404);
    const deleted = await t.call('GET', '/budgets?deleted=true', token);
    expect(deleted.json().items.map((x: { budget_id: string }) => x.budget_id)).toContain(b.budget_id);
    const live = await t.call('GET', '/budgets', token);
    expect(live.json().items.map((x: { budget_id: string }) => x.budget_id)).not.toContain(b.budget_id);

    const res = await t.call('POST', `/budgets/${b.budget_id}/restore`, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ budget_id: b.budget_id, totals: { expense: '1200.00' } });
    expect((await t.call('GET', `/budgets/${b.budget_id}`, token)).statusCode).toBe(200);
    const after = await t.call('GET', '/budgets?deleted=true', token);
    expect(after.json().items.map((x: { budget_id: string }) => x.budget_id)).not.toContain(b.budget_id);
    const audit = await t.call(
      'GET',
      `/audit?entity_type=budget&entity_id=${b.budget_id}&action=budget.restored`,
      token,
    );
    expect(audit.json().items).toHaveLength(1);
  });

  it('answers 409 not_deleted for a live budget and 409 duplicate_budget_name when its name was taken meanwhile', async () => {
    const b = await create();
    const live = await t.call('POST', `/budgets/${b.budget_id}/restore`, token);
    expect(live.statusCode).toBe(409);
    expect(live.json()).toMatchObject({
      code: 'not_deleted',
      errors: [{ path: 'params.id', code: 'not_deleted' }],
    });
    expect((await t.call('DELETE', `/budgets/${b.budget_id}`, token)).statusCode).toBe(200);
    await create({ budget_name: b.budget_name });
    const taken = await t.call('POST', `/budgets/${b.budget_id}/restore`, token);
    expect(taken.statusCode, taken.body).toBe(409);
    expect(taken.json().code).toBe('duplicate_budget_name');
  });

  it("answers 404 for another tenant's budget and 403 without budgets:delete", async () => {
    const b = await create();
    expect((await t.call('DELETE', `/budgets/${b.budget_id}`, token)).statusCode).toBe(200);
    const stranger = await t.token(newTenant());
    expect((await t.call('POST', `/budgets/${b.budget_id}/restore`, stranger)).statusCode).toBe(404);
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await t.call('POST', `/budgets/${b.budget_id}/restore`, viewer)).statusCode).toBe(403);
    expect((await t.call('POST', '/budgets/not-a-uuid/restore', token)).statusCode).toBe(400);
  });
});
