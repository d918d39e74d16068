import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';

describe.each(backends())('budgets API on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const create = (body: Record<string, unknown>) => t.call('POST', '/budgets', token, body);
  const firstError = (res: { json(): { errors: { path: string; code: string }[] } }) => res.json().errors[0];

  it('creates a budget with lines and returns exact totals per line type', async () => {
    const res = await create(
      budgetBody({
        budget_lines: [
          lineBody({ amount: '0.10' }),
          lineBody({ amount: '0.20' }),
          lineBody({
            line_type: 'revenue',
            category: 'sales',
            amount: undefined,
            quantity: '3',
            unit_cost: '0.35',
          }),
          lineBody({ line_type: 'asset', category: 'capex', amount: '999999999999.99' }),
        ],
      }),
    );
    expect(res.statusCode).toBe(201);
    const b = res.json();
    expect(b.budget_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.version).toBe(1);
    expect(b.status).toBe('draft');
    expect(b.totals).toEqual({
      revenue: '1.05',
      expense: '0.30',
      asset: '999999999999.99',
      liability: '0.00',
      net: '0.75',
      line_count: 4,
    });
  });

  it('trims the name and stores money as exact decimal strings', async () => {
    const res = await create(budgetBody({ budget_name: '   Trimmed Name   ', total_amount: 1234.5 }));
    expect(res.statusCode).toBe(201);
    expect(res.json().budget_name).toBe('Trimmed Name');
    expect(res.json().total_amount).toBe('1234.50');
  });

  it.each([
    ['name shorter than 3 after trim', { budget_name: '  ab  ' }, 'budget_name', 'too_small'],
    ['name longer than 255', { budget_name: 'x'.repeat(256) }, 'budget_name', 'too_big'],
    ['fiscal year not YYYY', { fiscal_year: '27' }, 'fiscal_year', 'invalid_format'],
    [
      'fiscal year too far back',
      { fiscal_year: String(year - 6) },
      'fiscal_year',
      'fiscal_year_out_of_range',
    ],
    [
      'fiscal year too far ahead',
      { fiscal_year: String(year + 11) },
      'fiscal_year',
      'fiscal_year_out_of_range',
    ],
    ['negative total', { total_amount: '-1.00' }, 'total_amount', 'too_small'],
    ['total above maximum', { total_amount: '1000000000000.00' }, 'total_amount', 'too_big'],
    ['three decimals', { total_amount: '1.001' }, 'total_amount', 'too_many_decimals'],
    ['not a number', { total_amount: 'ten' }, 'total_amount', 'invalid_decimal'],
    ['lowercase currency', { base_currency: 'usd' }, 'base_currency', 'invalid_format'],
    ['unknown currency', { base_currency: 'XYZ' }, 'base_currency', 'unknown_currency'],
    ['template without version', { template_id: 'tpl-1' }, 'template_version', 'required_with_template_id'],
    ['unknown field', { colour: 'blue' }, 'colour', 'unknown_field'],
    ['bad budget type', { budget_type: 'weekly' }, 'budget_type', 'invalid_value'],
    [
      'negative line amount',
      { budget_lines: [lineBody({ amount: '-5.00' })] },
      'budget_lines.0.amount',
      'too_small',
    ],
    [
      'allocation percentage above 100',
      { budget_lines: [lineBody({ allocation_method: 'percentage', allocation_percentage: '100.01' })] },
      'budget_lines.0.allocation_percentage',
      'too_big',
    ],
    [
      'unknown line field',
      { budget_lines: [lineBody({ tenant_id: 'x' })] },
      'budget_lines.0.tenant_id',
      'unknown_field',
    ],
  ])('rejects %s with a field error', async (_name, patch, path, code) => {
    const before = await t.call('GET', '/budgets?limit=500', token);
    const res = await create(budgetBody(patch));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual(expect.objectContaining({ path, code }));
    const after = await t.call('GET', '/budgets?limit=500', token);
    expect(after.json().items.length).toBe(before.json().items.length);
  });

  it('accepts the boundary values of each rule', async () => {
    const res = await create(
      budgetBody({
        budget_name: 'abc',
        fiscal_year: String(year - 5),
        total_amount: '999999999999.99',
        budget_lines: [
          lineBody({ allocation_method: 'percentage', allocation_percentage: '100', amount: '0' }),
        ],
      }),
    );
    expect(res.statusCode).toBe(201);
    expect((await create(budgetBody({ fiscal_year: String(year + 10) }))).statusCode).toBe(201);
  });

  it('refuses a duplicate name in the same fiscal year, case-insensitively, with 409', async () => {
    const body = budgetBody({ budget_name: 'Marketing Plan' });
    expect((await create(body)).statusCode).toBe(201);
    const dup = await create({ ...body, budget_name: 'MARKETING plan' });
    expect(dup.statusCode).toBe(409);
    expect(firstError(dup)).toMatchObject({ path: 'budget_name', code: 'duplicate_budget_name' });
    expect((await create({ ...body, fiscal_year: String(year + 2) })).statusCode).toBe(201);
  });

  it('computes a line amount from quantity x unit cost and refuses a mismatch', async () => {
    const ok = await create(
      budgetBody({ budget_lines: [lineBody({ amount: undefined, quantity: '2.5', unit_cost: '10.01' })] }),
    );
    expect(ok.statusCode).toBe(201);
    const got = await t.call('GET', `/budgets/${ok.json().budget_id}?include_lines=true`, token);
    expect(got.json().budget_lines[0].amount).toBe('25.03');
    const bad = await create(
      budgetBody({ budget_lines: [lineBody({ amount: '1.00', quantity: '2', unit_cost: '3.00' })] }),
    );
    expect(bad.statusCode).toBe(400);
    expect(firstError(bad)).toMatchObject({ path: 'budget_lines.0.amount', code: 'amount_mismatch' });
  });

  it('gets a budget with or without lines, in line_order', async () => {
    const res = await create(
      budgetBody({
        budget_lines: [
          lineBody({ line_name: 'B', line_order: 2 }),
          lineBody({ line_name: 'A', line_order: 1 }),
        ],
      }),
    );
    const id = res.json().budget_id;
    const plain = await t.call('GET', `/budgets/${id}`, token);
    expect(plain.statusCode).toBe(200);
    expect(plain.json().budget_lines).toBeUndefined();
    const full = await t.call('GET', `/budgets/${id}?include_lines=true`, token);
    expect(full.json().budget_lines.map((l: { line_name: string }) => l.line_name)).toEqual(['A', 'B']);
  });

  it('lists with filters and walks every page once with the cursor', async () => {
    const dept = `dept-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      await create(
        budgetBody({
          department_id: dept,
          budget_type: i % 2 ? 'quarterly' : 'annual',
          description: `needle ${i}`,
        }),
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/budgets?department_id=${dept}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.call('GET', q, token);
      expect(page.statusCode).toBe(200);
      seen.push(...page.json().items.map((b: { budget_id: string }) => b.budget_id));
      cursor = page.json().next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const quarterly = await t.call('GET', `/budgets?department_id=${dept}&budget_type=quarterly`, token);
    expect(quarterly.json().items).toHaveLength(2);
    const text = await t.call('GET', `/budgets?department_id=${dept}&text=NEEDLE%203`, token);
    expect(text.json().items).toHaveLength(1);
    const none = await t.call(
      'GET',
      `/budgets?department_id=${dept}&status=approved&fiscal_year=${year + 1}`,
      token,
    );
    expect(none.json().items).toHaveLength(0);
    const bad = await t.call('GET', '/budgets?cursor=not-a-cursor', token);
    expect(bad.statusCode).toBe(400);
    expect(firstError(bad)?.path).toBe('query.cursor');
  });

  it('updates with the current version and refuses a stale one with the current version', async () => {
    const id = (await create(budgetBody())).json().budget_id;
    const ok = await t.call('PUT', `/budgets/${id}`, token, {
      notes: 'first',
      total_amount: '5.50',
      version: 1,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ notes: 'first', total_amount: '5.50', version: 2 });
    const stale = await t.call('PUT', `/budgets/${id}`, token, { notes: 'second', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict', current_version: 2 });
    const missing = await t.call('PUT', `/budgets/${id}`, token, { notes: 'x' });
    expect(missing.statusCode).toBe(400);
    expect(firstError(missing)?.path).toBe('version');
  });

  it('shows the update on the next read (cache invalidated by the write)', async () => {
    const id = (await create(budgetBody())).json().budget_id;
    expect((await t.call('GET', `/budgets/${id}`, token)).json().notes).toBeNull();
    await t.call('GET', `/budgets/${id}?include_lines=true`, token);
    await t.call('PUT', `/budgets/${id}`, token, { notes: 'changed', version: 1 });
    expect((await t.call('GET', `/budgets/${id}`, token)).json().notes).toBe('changed');
    await t.call('POST', `/budgets/${id}/lines`, token, lineBody({ amount: '7.00' }));
    const full = (await t.call('GET', `/budgets/${id}?include_lines=true`, token)).json();
    expect(full.notes).toBe('changed');
    expect(full.budget_lines).toHaveLength(1);
    expect(full.totals.expense).toBe('7.00');
  });

  it('soft-deletes by default (invisible, name reusable) and hard-deletes only with permission', async () => {
    const body = budgetBody();
    const id = (await create(body)).json().budget_id;
    expect((await t.call('DELETE', `/budgets/${id}`, token)).statusCode).toBe(200);
    expect((await t.call('GET', `/budgets/${id}`, token)).statusCode).toBe(404);
    expect(
      (await t.call('GET', `/budgets?text=${encodeURIComponent(body.budget_name)}`, token)).json().items,
    ).toHaveLength(0);
    expect((await create(body)).statusCode).toBe(201);

    const id2 = (await create(budgetBody())).json().budget_id;
    const planner = await t.token(tenant, { roles: ['planner'] });
    const refused = await t.call('DELETE', `/budgets/${id2}?soft_delete=false`, planner);
    expect(refused.statusCode).toBe(403);
    expect((await t.call('GET', `/budgets/${id2}`, token)).statusCode).toBe(200);
    expect((await t.call('DELETE', `/budgets/${id2}?soft_delete=false`, token)).statusCode).toBe(200);
    expect((await t.call('GET', `/budgets/${id2}`, token)).statusCode).toBe(404);
  });

  it('writes an audit row for every mutation, readable with audit:read only', async () => {
    const id = (await create(budgetBody())).json().budget_id;
    await t.call('PUT', `/budgets/${id}`, token, { notes: 'n', version: 1 });
    await t.call('DELETE', `/budgets/${id}`, token);
    const res = await t.call('GET', `/audit?entity_id=${id}`, token);
    expect(res.statusCode).toBe(200);
    const actions = res.json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['budget.soft_deleted', 'budget.updated', 'budget.created']);
    const updated = res.json().items[1];
    expect(updated.before.notes).toBeNull();
    expect(updated.after.notes).toBe('n');
    expect(updated.request_id).toBeTruthy();
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await t.call('GET', '/audit', viewer)).statusCode).toBe(403);
  });

  it('requires a token (401) and the right permission (403)', async () => {
    expect((await t.call('GET', '/budgets', undefined)).statusCode).toBe(401);
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await t.call('GET', '/budgets', viewer)).statusCode).toBe(200);
    const res = await t.call('POST', '/budgets', viewer, budgetBody());
    expect(res.statusCode).toBe(403);
    expect(res.json().errors[0]).toMatchObject({ path: 'permissions', code: 'missing_permission' });
    const explicit = await t.token(tenant, { permissions: ['budgets:read', 'budgets:write'] });
    expect((await t.call('POST', '/budgets', explicit, budgetBody())).statusCode).toBe(201);
  });
});
