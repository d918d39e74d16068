/** The fiscal year window is a tenant setting, and a budget's fiscal_year must agree with its dates. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';

const NOW = new Date().getUTCFullYear();

describe.each(backends())('fiscal year window and agreement on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t?.close());

  const create = (token: string, body: Record<string, unknown>) =>
    t.call('POST', '/budgets', token, budgetBody(body));

  it('defaults to the guide: current year -5 ... +10, refused outside with the window named', async () => {
    const token = await t.token(newTenant());
    expect((await create(token, { fiscal_year: String(NOW - 5) })).statusCode).toBe(201);
    expect((await create(token, { fiscal_year: String(NOW + 10) })).statusCode).toBe(201);
    const old = await create(token, { fiscal_year: String(NOW - 6) });
    expect(old.statusCode, old.body).toBe(400);
    expect(old.json().errors[0]).toMatchObject({
      path: 'fiscal_year',
      code: 'fiscal_year_out_of_range',
      message: expect.stringContaining(`between ${NOW - 5} and ${NOW + 10}`),
    });
    expect((await create(token, { fiscal_year: String(NOW + 11) })).statusCode).toBe(400);
  });

  it('a tenant widens the window to load history (user managers only; audited)', async () => {
    const tenant = newTenant();
    const admin = await t.token(tenant);
    const planner = await t.token(tenant, { roles: ['planner'] });
    expect((await t.call('PUT', '/settings', planner, { fiscal_years_past: 20 })).statusCode).toBe(403);
    const bad = await t.call('PUT', '/settings', admin, { fiscal_years_past: -1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('fiscal_years_past');
    const ok = await t.call('PUT', '/settings', admin, { fiscal_years_past: 20, fiscal_years_future: 1 });
    expect(ok.json()).toEqual({
      fiscal_year_start_month: 1,
      allow_negative_lines: false,
      fiscal_years_past: 20,
      fiscal_years_future: 1,
      locale: null,
    });
    expect((await create(admin, { fiscal_year: String(NOW - 20) })).statusCode).toBe(201);
    expect((await create(admin, { fiscal_year: String(NOW + 2) })).statusCode).toBe(400);
    // Other tenants keep the default.
    const other = await t.token(newTenant());
    expect((await create(other, { fiscal_year: String(NOW - 20) })).statusCode).toBe(400);
    const audit = (await t.call('GET', '/audit?action=settings.updated', admin)).json();
    expect(audit.items[0].after).toMatchObject({ fiscal_years_past: 20 });
  });

  it('refuses dates that disagree with fiscal_year, naming the field', async () => {
    const token = await t.token(newTenant());
    const fy = String(NOW + 1);
    const project = await create(token, {
      fiscal_year: fy,
      budget_type: 'project',
      period_start: `${NOW + 3}-01-01`,
      period_end: `${NOW + 3}-06-30`,
    });
    expect(project.statusCode, project.body).toBe(400);
    expect(project.json().errors[0]).toMatchObject({
      path: 'period_start',
      code: 'fiscal_year_mismatch',
      message: expect.stringContaining(`fiscal_year ${fy} runs ${fy}-01-01 to ${fy}-12-31`),
    });
    // A quarter must lie within its fiscal year.
    const quarter = await create(token, {
      fiscal_year: fy,
      budget_type: 'quarterly',
      period_start: `${fy}-11-01`,
    });
    expect(quarter.statusCode, quarter.body).toBe(400);
    expect(quarter.json().errors[0]).toMatchObject({ path: 'period_end', code: 'fiscal_year_mismatch' });
    const fine = await create(token, {
      fiscal_year: fy,
      budget_type: 'quarterly',
      period_start: `${fy}-10-01`,
    });
    expect(fine.statusCode, fine.body).toBe(201);
    // A project may run past its fiscal year, as long as it starts in it.
    const long = await create(token, {
      fiscal_year: fy,
      budget_type: 'project',
      period_start: `${fy}-07-01`,
      period_end: `${NOW + 2}-06-30`,
    });
    expect(long.statusCode, long.body).toBe(201);
    // Changing fiscal_year alone re-derives an annual budget's dates; a project's must agree.
    const moved = await t.call('PUT', `/budgets/${long.json().budget_id}`, token, {
      version: 1,
      fiscal_year: String(NOW + 2),
    });
    expect(moved.statusCode, moved.body).toBe(400);
    expect(moved.json().errors[0]).toMatchObject({ code: 'fiscal_year_mismatch' });
  });
});
