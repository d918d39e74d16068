import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';
import { type ActualRow, insertActuals, monthAfter } from './forecasting.testing.ts';

const Y = new Date().getUTCFullYear() + 1;

/** `amount` every month from January two years before the budget year through June of it. */
const flat = (amount: string, dims: Partial<ActualRow>): ActualRow[] =>
  Array.from({ length: 30 }, (_, i) => ({ period: monthAfter(`${Y - 2}-01`, i), amount, ...dims }));

describe.each(backends())('rolling forecast of a budget on %s', (backend) => {
  let t: TestApp;
  let token: string;
  let tenant: string;
  let budgetId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({
        fiscal_year: String(Y),
        total_amount: '23200.00',
        budget_lines: [
          {
            line_name: 'Salaries',
            line_type: 'expense',
            category: 'people',
            gl_account_id: '6000',
            amount: '12000.00',
          },
          {
            line_name: 'Contractors',
            line_type: 'expense',
            category: 'people',
            gl_account_id: '6100',
            amount: '6000.00',
          },
          { line_name: 'Travel', line_type: 'expense', category: 'travel', amount: '3000.00' },
          { line_name: 'Events travel', line_type: 'expense', category: 'travel', amount: '1000.00' },
          { line_name: 'New tool', line_type: 'expense', category: 'software', amount: '1200.00' },
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    budgetId = res.json().budget_id;
    // Flat series: every model forecasts the flat value, so the outlook is known exactly.
    await insertActuals(t.platform.database.db, tenant, [
      ...flat('1000.00', { gl: '6000', category: 'people' }),
      ...flat('400.00', { gl: '6100', category: 'people' }),
      ...flat('250.00', { category: 'travel' }),
      { period: `${Y}-03`, amount: '777.00', category: 'travel', currency: 'EUR' },
      // After as_of: never read.
      { period: `${Y}-07`, amount: '99999.00', category: 'travel' },
    ]);
  });
  afterAll(() => t?.close());

  const get = (query: string, tok = token) =>
    t.call('GET', `/budgets/${budgetId}/rolling-forecast?${query}`, tok);

  it('aggregates the year-to-go interval of a noisy series: narrower than the summed monthly bounds', async () => {
    const other = newTenant();
    const tok = await t.token(other);
    const res = await t.call(
      'POST',
      '/budgets',
      tok,
      budgetBody({
        fiscal_year: String(Y),
        total_amount: '30000.00',
        budget_lines: [
          { line_name: 'Operations', line_type: 'expense', category: 'ops', amount: '30000.00' },
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().budget_id;
    // A seasonal series with irregular noise (deterministic): the forecast has a real interval.
    const noise = [
      37, -52, 18, 64, -29, -8, 45, -61, 12, 33, -47, 21, 5, -38, 56, -15, 27, -66, 41, -3, -24, 59, -11, 30,
    ];
    const rows = Array.from({ length: 30 }, (_, i) => ({
      period: monthAfter(`${Y - 2}-01`, i),
      amount: (2500 + 300 * Math.sin((2 * Math.PI * i) / 12) + 4 * noise[i % 24]!).toFixed(2),
      category: 'ops',
    }));
    await insertActuals(t.platform.database.db, other, rows);
    const out = await t.call('GET', `/budgets/${id}/rolling-forecast?as_of=${Y}-06`, tok);
    expect(out.statusCode, out.body).toBe(200);
    const g = out.json().groups[0];
    const rest = g.monthly.filter((m: { forecast: string | null }) => m.forecast !== null);
    const total = (k: 'lower' | 'upper' | 'forecast') =>
      rest.reduce((a: number, m: Record<string, string>) => a + Number(m[k]), 0);
    const outlook = Number(g.outlook);
    const above = Number(g.outlook_upper) - outlook;
    const below = outlook - Number(g.outlook_lower);
    expect(rest).toHaveLength(6);
    expect(above).toBeGreaterThan(0);
    expect(below).toBeGreaterThan(0);
    // Narrower than adding the monthly bounds (perfectly correlated months)...
    expect(above).toBeLessThan(total('upper') - total('forecast') - 0.01);
    expect(below).toBeLessThan(total('forecast') - total('lower') - 0.01);
    // ...and wider than any single month's own spread.
    const widest = Math.max(...rest.map((m: Record<string, string>) => Number(m.upper) - Number(m.forecast)));
    expect(above).toBeGreaterThan(widest);
    expect(Number(out.json().totals.outlook_upper)).toBeCloseTo(Number(g.outlook_upper), 2);
  });

  it('adds the flat forecast of the remaining months to actuals year-to-date, per category', async () => {
    const res = await get(`as_of=${Y}-06`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      currency: 'USD',
      group_by: 'category',
      model: 'auto',
      confidence_level: 95,
      months: { first: `${Y}-01`, last: `${Y}-12`, elapsed: 6, remaining: 6 },
      excluded: { actual_rows_other_currency: 1, lines_other_currency: 0 },
    });
    const by = Object.fromEntries(body.groups.map((g: { key: string }) => [g.key, g]));
    expect(by.people).toMatchObject({
      budget: '18000.00',
      budget_ytd: '9000.00',
      actual_ytd: '8400.00',
      forecast_remaining: '8400.00',
      outlook: '16800.00',
      gap: '-1200.00',
      gap_percent: '-6.67',
      history_months: 30,
    });
    // Budget periods when the budget has them (an even spread here), else an even split: same numbers.
    expect(['periods', 'even']).toContain(by.people.budget_phasing);
    expect(Number(by.people.outlook_lower)).toBeLessThanOrEqual(16800);
    expect(Number(by.people.outlook_upper)).toBeGreaterThanOrEqual(16800);
    expect(by.people.monthly[5]).toMatchObject({ period: `${Y}-06`, actual: '1400.00', forecast: null });
    expect(by.people.monthly[6]).toMatchObject({ period: `${Y}-07`, actual: null, forecast: '1400.00' });
    expect(by.travel).toMatchObject({
      budget: '4000.00',
      actual_ytd: '1500.00',
      outlook: '3000.00',
      gap: '-1000.00',
    });
    // No actuals at all: the remaining budget is the forecast.
    expect(by.software).toMatchObject({
      model_used: 'budget (no actuals)',
      history_months: 0,
      actual_ytd: '0.00',
      forecast_remaining: '600.00',
      outlook: '600.00',
      outlook_lower: '600.00',
      outlook_upper: '600.00',
      gap: '-600.00',
    });
    expect(body.totals).toMatchObject({
      budget: '23200.00',
      actual_ytd: '9900.00',
      outlook: '20400.00',
      gap: '-2800.00',
    });
  });

  it('matches lines by GL account, else category, sharing a category pro rata to the line budgets', async () => {
    const body = (await get(`as_of=${Y}-06&group_by=line&model=snaive&level=80`)).json();
    expect(body.confidence_level).toBe(80);
    const by = Object.fromEntries(body.groups.map((g: { line_name: string }) => [g.line_name, g]));
    expect(by.Salaries).toMatchObject({
      matched_by: 'gl_account',
      key: '6000',
      outlook: '12000.00',
      gap: '0.00',
    });
    expect(by.Contractors).toMatchObject({
      key: '6100',
      actual_ytd: '2400.00',
      outlook: '4800.00',
      gap: '-1200.00',
    });
    // 250.00 a month split 3000:1000 -> 187.50 and 62.50.
    expect(by.Travel).toMatchObject({ matched_by: 'category', actual_ytd: '1125.00', outlook: '2250.00' });
    expect(by['Events travel']).toMatchObject({ actual_ytd: '375.00', outlook: '750.00' });
    expect(body.totals.outlook).toBe('20400.00');
  });

  it('is all actuals at year end and all forecast before the year starts', async () => {
    const end = (await get(`as_of=${Y}-12&model=snaive`)).json();
    expect(end.months).toMatchObject({ elapsed: 12, remaining: 0 });
    // July's 99999.00 travel row now counts.
    expect(end.groups.find((g: { key: string }) => g.key === 'travel').actual_ytd).toBe('101499.00');
    const before = (await get(`as_of=${Y - 1}-12&model=snaive`)).json();
    expect(before.months).toMatchObject({ elapsed: 0, remaining: 12 });
    const people = before.groups.find((g: { key: string }) => g.key === 'people');
    expect(people).toMatchObject({ actual_ytd: '0.00', forecast_remaining: '16800.00' });
  });

  it("compares with the budget's own phasing from budget_periods", async () => {
    const res = await t.call('POST', '/budgets', token, {
      ...budgetBody({ fiscal_year: String(Y), total_amount: '12000.00' }),
      budget_lines: [{ line_name: 'Salaries', line_type: 'expense', category: 'people', amount: '12000.00' }],
    });
    const id = res.json().budget_id;
    const lineId = (await t.call('GET', `/budgets/${id}/lines`, token)).json().items[0].line_id;
    // Back-loaded: 500.00 a month to June, 1500.00 after.
    await withTenant(t.platform.database.db, tenantIdFromKey(tenant), async (tx) => {
      await tx.execute(sql`DELETE FROM budget_periods WHERE line_id = ${lineId}`);
      for (let i = 0; i < 12; i++)
        await tx.execute(sql`INSERT INTO budget_periods (tenant_id, budget_id, line_id, period_index, period_start, amount)
          VALUES (${tenantIdFromKey(tenant)}, ${id}, ${lineId}, ${i}, ${`${monthAfter(`${Y}-01`, i)}-01`}, ${i < 6 ? '500.00' : '1500.00'})`);
    });
    const body = (
      await t.call('GET', `/budgets/${id}/rolling-forecast?as_of=${Y}-06&model=snaive`, token)
    ).json();
    expect(body.groups[0]).toMatchObject({
      budget_phasing: 'periods',
      budget: '12000.00',
      budget_ytd: '3000.00',
      actual_ytd: '8400.00',
      outlook: '16800.00',
      gap: '4800.00',
      gap_percent: '40.00',
    });
    expect(body.groups[0].monthly[6].budget).toBe('1500.00');
  });

  it('validates the query, hides other tenants and needs budget and actuals read access', async () => {
    const bad = await get('as_of=2026-13');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.as_of');
    const other = await t.token(newTenant());
    expect((await get(`as_of=${Y}-06`, other)).statusCode).toBe(404);
    const viewer = await t.token(tenant, { roles: ['viewer'] });
    expect((await get(`as_of=${Y}-06&model=theta`, viewer)).statusCode).toBe(200);
    const onlyForecasts = await t.token(tenant, { permissions: ['forecasts:read'] });
    expect((await get(`as_of=${Y}-06`, onlyForecasts)).statusCode).toBe(403);
  });
});
