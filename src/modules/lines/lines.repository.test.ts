import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';
import { presentLine } from './lines.presenter.ts';
import { allLines, linesJson } from './lines.repository.ts';

describe.each(backends())('lines JSON built by the database on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t?.close());

  it('equals the presenter output for every field, including nulls, updates and metadata', async () => {
    const tenant = newTenant();
    const token = await t.token(tenant);
    const created = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({
        budget_lines: [
          lineBody({ line_order: 3, metadata: { a: [1, { b: 'c' }], é: null } }),
          lineBody({
            line_type: 'revenue',
            amount: undefined,
            quantity: '2.5',
            unit_cost: '10.01',
            allocation_method: 'percentage',
            allocation_percentage: '12.5',
            approval_threshold: '100',
            requires_approval: true,
            subcategory: 'sub "quoted"',
            description: 'line\nbreak',
          }),
          lineBody({ line_order: 1, amount: '0', line_name: 'Café ☕ "q"\ttab' }),
        ],
      }),
    );
    const id = created.json().budget_id;
    const lines = (await t.call('GET', `/budgets/${id}/lines`, token)).json().items;
    await t.call('PUT', `/budgets/${id}/lines/${lines[0].line_id}`, token, { notes: 'edited', version: 1 });
    await withTenant(t.platform.database.db, tenantIdFromKey(tenant), async (tx) => {
      const fromSql = JSON.parse(await linesJson(tx, id));
      const fromPresenter = (await allLines(tx, id)).map(presentLine);
      expect(fromSql).toEqual(fromPresenter);
      expect(fromSql).toHaveLength(3);
    });
    const full = (await t.call('GET', `/budgets/${id}?include_lines=true`, token)).json();
    expect(full.budget_lines.map((l: { line_order: number }) => l.line_order)).toEqual([0, 1, 3]);
    expect(full.budget_lines[0]).toMatchObject({
      amount: '25.03',
      quantity: '2.5000',
      allocation_percentage: '12.50',
    });
  });
});
