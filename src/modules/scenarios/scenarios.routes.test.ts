import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';

type Keyed = { key: string | null; amount: string }[];
const pick = (rows: Keyed, key: string | null) => rows.find((r) => r.key === key)?.amount;

describe.each(backends())('scenarios API on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const newBudget = async (lines = defaultLines()) => {
    const res = await t.call('POST', '/budgets', token, budgetBody({ budget_lines: lines }));
    expect(res.statusCode).toBe(201);
    return res.json();
  };
  const defaultLines = () => [
    lineBody({ line_name: 'Salaries', amount: '33.33', department_id: 'ops', gl_account_id: '6000' }),
    lineBody({ line_name: 'Snacks', amount: '0.05', department_id: 'ops' }),
    lineBody({ line_name: 'Office', category: 'rent', amount: '1000.00', department_id: 'fin' }),
    lineBody({ line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '999.99' }),
  ];
  // Per-period amounts are the periods module's; these tests set them explicitly to be independent of it.
  const setPeriods = (budgetId: string, lineId?: string, amount?: string) =>
    withTenant(t.platform.database.db, tenantIdFromKey(tenant), async (tx) => {
      await tx.execute(sql`DELETE FROM budget_periods WHERE budget_id = ${budgetId}`);
      if (!lineId) return;
      await tx.execute(sql`INSERT INTO budget_periods (tenant_id, budget_id, line_id, period_index, period_start, amount)
        SELECT ${tenantIdFromKey(tenant)}::uuid, ${budgetId}::uuid, ${lineId}::uuid, i, make_date(2027, i + 1, 1), ${amount}::numeric
        FROM generate_series(0, 11) AS i`);
    });
  const scenario = async (budgetId: string, body: Record<string, unknown>) => {
    const res = await t.call('POST', `/budgets/${budgetId}/scenarios`, token, body);
    expect(res.statusCode).toBe(201);
    return res.json();
  };

  it('computes scenarios to the cent and compares them with the base, leaving the budget unchanged', async () => {
    const b = await newBudget();
    await setPeriods(b.budget_id);
    const a = await scenario(b.budget_id, {
      name: 'Raise people 10%',
      adjustments: [{ kind: 'percent', value: '10', filter: { line_type: 'expense', category: 'people' } }],
    });
    const c = await scenario(b.budget_id, {
      name: 'Cuts',
      adjustments: [
        { kind: 'absolute', value: '-2000.00', filter: { category: 'rent' } },
        { kind: 'percent', value: '-12.5', filter: { line_type: 'revenue' } },
        { kind: 'absolute', value: '0.01', filter: { gl_account_id: '6000' }, from_period: '2027-07' },
      ],
    });
    const res = await t.call(
      'GET',
      `/budgets/${b.budget_id}/scenarios/compare?scenario_ids=${a.scenario_id},${c.scenario_id}`,
      token,
    );
    expect(res.statusCode).toBe(200);
    const cmp = res.json();
    expect(cmp.periods_available).toBe(false);
    expect(cmp.base.totals.by_line_type).toEqual({
      revenue: '999.99',
      expense: '1033.38',
      asset: '0.00',
      liability: '0.00',
      net: '-33.39',
    });
    const [sa, sc] = cmp.scenarios;
    // 33.33 * 10% = 3.333 -> 3.33; 0.05 * 10% = 0.005 -> 0.01 (half-up per line)
    expect(sa.totals.by_line_type.expense).toBe('1036.72');
    expect(sa.deltas.by_line_type).toEqual({
      revenue: '0.00',
      expense: '3.34',
      asset: '0.00',
      liability: '0.00',
      net: '-3.34',
    });
    expect(pick(sa.deltas.by_category, 'people')).toBe('3.34');
    expect(pick(sa.deltas.by_department, 'ops')).toBe('3.34');
    expect(pick(sa.deltas.by_department, null)).toBe('0.00');
    expect(sa).toMatchObject({ changed_lines: 2, clamped_lines: 0, warnings: [] });
    // rent clamped at 0; 999.99 * -12.5% = -124.99875 -> -125.00; +0.01 on GL 6000
    expect(sc.totals.by_line_type).toMatchObject({ revenue: '874.99', expense: '33.39' });
    expect(sc.deltas.by_line_type).toMatchObject({ revenue: '-125.00', expense: '-999.99', net: '874.99' });
    expect(pick(sc.totals.by_category, 'rent')).toBe('0.00');
    expect(sc.clamped_lines).toBe(1);
    expect(sc.warnings[0]).toMatch(/from_period was not applied/);
    expect(sc.totals.by_period).toEqual([]);

    const after = await t.call('GET', `/budgets/${b.budget_id}`, token);
    expect(after.json().totals).toEqual(b.totals);
    expect(after.json().version).toBe(b.version);
  });

  it('uses per-period amounts when the budget has them (from_period applies)', async () => {
    const b = await newBudget([lineBody({ amount: '120.00' })]);
    const lineId = (await t.call('GET', `/budgets/${b.budget_id}/lines`, token)).json().items[0].line_id;
    await setPeriods(b.budget_id, lineId, '10.00');
    const s = await scenario(b.budget_id, {
      name: 'H2 up',
      adjustments: [{ kind: 'percent', value: '33.333', from_period: '2027-07' }],
    });
    const cmp = (
      await t.call('GET', `/budgets/${b.budget_id}/scenarios/compare?scenario_ids=${s.scenario_id}`, token)
    ).json();
    expect(cmp.periods_available).toBe(true);
    const sc = cmp.scenarios[0];
    // 60.00 * 33.333% = 19.9998 -> 20.00, over six periods of 10.00: 3.34, 3.34, 3.33, ...
    expect(sc.deltas.by_line_type.expense).toBe('20.00');
    expect(sc.deltas.by_period.map((p: { amount: string }) => p.amount)).toEqual([
      ...Array(6).fill('0.00'),
      '3.34',
      '3.34',
      '3.33',
      '3.33',
      '3.33',
      '3.33',
    ]);
    expect(sc.totals.by_period[6]).toMatchObject({
      period_index: 6,
      period_start: '2027-07-01',
      amount: '13.34',
    });
    expect(sc.warnings).toEqual([]);
  });

  it('promotes a scenario to an independent draft budget and only once', async () => {
    const b = await newBudget();
    const s = await scenario(b.budget_id, {
      name: 'Lean',
      adjustments: [{ kind: 'percent', value: '-100', filter: { category: 'rent' } }],
    });
    const res = await t.call('POST', `/budgets/${b.budget_id}/scenarios/${s.scenario_id}/promote`, token, {});
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ status: 'draft', budget_name: `${b.budget_name} – Lean`, version: 1 });
    expect(p.budget_id).not.toBe(b.budget_id);
    expect(p.totals).toMatchObject({ expense: '33.38', revenue: '999.99', line_count: 4 });
    expect(p.metadata.promoted_from).toEqual({ budget_id: b.budget_id, scenario_id: s.scenario_id });
    const got = await t.call('GET', `/budgets/${b.budget_id}/scenarios/${s.scenario_id}`, token);
    expect(got.json()).toMatchObject({ promoted_budget_id: p.budget_id, version: 2 });

    const lines = (await t.call('GET', `/budgets/${p.budget_id}/lines`, token)).json().items;
    const office = lines.find((l: { line_name: string }) => l.line_name === 'Office');
    expect(office.amount).toBe('0.00');
    const edit = await t.call('PUT', `/budgets/${p.budget_id}/lines/${office.line_id}`, token, {
      version: 1,
      amount: '5.00',
    });
    expect(edit.statusCode).toBe(200);
    expect((await t.call('GET', `/budgets/${b.budget_id}`, token)).json().totals).toEqual(b.totals);

    const again = await t.call('POST', `/budgets/${b.budget_id}/scenarios/${s.scenario_id}/promote`, token, {
      budget_name: 'Another name',
    });
    expect(again.statusCode).toBe(422);
    expect(again.json().code).toBe('scenario_already_promoted');
    const audit = await t.call('GET', `/audit?entity_type=scenario&entity_id=${s.scenario_id}`, token);
    expect(
      audit
        .json()
        .items.map((x: { action: string }) => x.action)
        .sort(),
    ).toEqual(['scenario.created', 'scenario.promoted']);
  });

  it.each([
    ['percent below -100', { kind: 'percent', value: '-100.01' }, 'adjustments.0.value', 'too_small'],
    [
      'percent with 5 decimals',
      { kind: 'percent', value: '1.00001' },
      'adjustments.0.value',
      'too_many_decimals',
    ],
    [
      'absolute with 3 decimals',
      { kind: 'absolute', value: '1.001' },
      'adjustments.0.value',
      'too_many_decimals',
    ],
    ['an unknown kind', { kind: 'ratio', value: '1' }, 'adjustments.0.kind', 'invalid_union'],
    [
      'a bad month',
      { kind: 'percent', value: '1', from_period: '2027-13' },
      'adjustments.0.from_period',
      'invalid_format',
    ],
    [
      'an unknown filter field',
      { kind: 'percent', value: '1', filter: { colour: 'x' } },
      'adjustments.0.filter.colour',
      'unknown_field',
    ],
  ])('rejects %s with a field error', async (_name, adj, path, code) => {
    const b = await newBudget([]);
    const res = await t.call('POST', `/budgets/${b.budget_id}/scenarios`, token, {
      name: 'Bad',
      adjustments: [adj],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('updates with optimistic locking, refuses duplicate names, deletes', async () => {
    const b = await newBudget([]);
    const s = await scenario(b.budget_id, { name: 'Base case' });
    expect(
      (await t.call('POST', `/budgets/${b.budget_id}/scenarios`, token, { name: 'BASE CASE' })).statusCode,
    ).toBe(409);
    const up = await t.call('PUT', `/budgets/${b.budget_id}/scenarios/${s.scenario_id}`, token, {
      version: 1,
      adjustments: [{ kind: 'absolute', value: '10' }],
    });
    expect(up.statusCode).toBe(200);
    expect(up.json().adjustments).toEqual([{ kind: 'absolute', value: '10.00', filter: {} }]);
    const stale = await t.call('PUT', `/budgets/${b.budget_id}/scenarios/${s.scenario_id}`, token, {
      version: 1,
      name: 'X',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current_version).toBe(2);
    expect(
      (await t.call('DELETE', `/budgets/${b.budget_id}/scenarios/${s.scenario_id}`, token)).statusCode,
    ).toBe(200);
    expect((await t.call('GET', `/budgets/${b.budget_id}/scenarios`, token)).json().items).toHaveLength(0);
    const unknown = await t.call(
      'GET',
      `/budgets/${b.budget_id}/scenarios/compare?scenario_ids=${s.scenario_id}`,
      token,
    );
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors[0].path).toBe('query.scenario_ids');
  });

  it('answers 404 to another tenant on every route; a viewer reads but cannot write', async () => {
    const b = await newBudget();
    const s = await scenario(b.budget_id, { name: 'Private' });
    const base = `/budgets/${b.budget_id}/scenarios`;
    const routes: [string, string, unknown?][] = [
      ['POST', base, { name: 'Stolen' }],
      ['GET', base],
      ['GET', `${base}/compare`],
      ['GET', `${base}/compare?scenario_ids=${s.scenario_id}`],
      ['GET', `${base}/${s.scenario_id}`],
      ['PUT', `${base}/${s.scenario_id}`, { version: 1, name: 'Mine' }],
      ['DELETE', `${base}/${s.scenario_id}`],
      ['POST', `${base}/${s.scenario_id}/promote`, {}],
    ];
    const other = await t.token(newTenant());
    for (const [method, path, body] of routes) {
      expect((await t.call(method, path, other, body)).statusCode, `${method} ${path}`).toBe(404);
    }
    // The other tenant's own budget with this tenant's scenario id: still 404.
    const theirs = (await t.call('POST', '/budgets', other, budgetBody())).json();
    const cross = await t.call('GET', `/budgets/${theirs.budget_id}/scenarios/${s.scenario_id}`, other);
    expect(cross.statusCode).toBe(404);

    const viewer = await t.token(tenant, { roles: ['viewer'], user: 'viewer-1' });
    for (const [method, path, body] of routes) {
      const status = (await t.call(method, path, viewer, body)).statusCode;
      expect(status, `${method} ${path}`).toBe(method === 'GET' ? 200 : 403);
    }
    const noBudgetWrite = await t.token(tenant, { permissions: ['scenarios:write', 'budgets:read'] });
    const promote = await t.call('POST', `${base}/${s.scenario_id}/promote`, noBudgetWrite, {});
    expect(promote.statusCode).toBe(403);
  });
});
