import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { actualBatches, actuals } from '../../platform/db/schema.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';
import { sumMoney } from './periods.domain.ts';

interface GridLine {
  line_id: string;
  line_name: string;
  amount: string;
  spread_method: string;
  periods: string[];
}

describe.each(backends())('periods and phasing API on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;
  const year = new Date().getUTCFullYear() + 1;

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
  });
  afterAll(() => t?.close());

  const create = async (body: Record<string, unknown>, tk = token) => {
    const res = await t.call('POST', '/budgets', tk, budgetBody(body));
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const grid = async (id: string, tk = token) => {
    const res = await t.call('GET', `/budgets/${id}/periods`, tk);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      period_start: string;
      period_end: string;
      periods: { period_start: string; expense: string; revenue: string; total: string }[];
      lines: GridLine[];
      total: string;
    };
  };
  const byName = (lines: GridLine[], name: string) => lines.find((l) => l.line_name === name)!;

  it('spreads every line of a new annual budget over 12 months, summing exactly for awkward amounts', async () => {
    const amounts = ['0.01', '999999999999.99', '100.00', '0.00', '12345.67'];
    const b = await create({
      fiscal_year: String(year),
      budget_lines: amounts.map((amount, i) => lineBody({ line_name: `L${i}`, amount })),
    });
    expect(b).toMatchObject({ period_start: `${year}-01-01`, period_end: `${year}-12-31` });
    const g = await grid(b.budget_id);
    expect(g.periods).toHaveLength(12);
    expect(g.periods.map((p) => p.period_start)).toEqual(
      Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}-01`),
    );
    amounts.forEach((amount, i) => {
      const line = byName(g.lines, `L${i}`);
      expect(line.periods).toHaveLength(12);
      expect(sumMoney(line.periods)).toBe(amount);
    });
    expect(byName(g.lines, 'L0').periods[0]).toBe('0.01');
    expect(sumMoney(g.periods.map((p) => p.expense))).toBe(sumMoney(amounts));
    // Expense lines only: the net total (revenue - expense) is minus their sum.
    expect(g.total).toBe(`-${sumMoney(amounts)}`);
  });

  it('spreads 100.00 over a quarter as 33.34 / 33.33 / 33.33', async () => {
    const b = await create({ budget_type: 'quarterly', budget_lines: [lineBody({ amount: '100.00' })] });
    const g = await grid(b.budget_id);
    expect(g.lines[0]!.periods).toEqual(['33.34', '33.33', '33.33']);
  });

  it('follows the tenant fiscal year start (FY named by the year it ends in), set by user managers only', async () => {
    const own = newTenant();
    const admin = await t.token(own);
    const planner = await t.token(own, { roles: ['planner'] });
    expect((await t.call('GET', '/settings', planner)).json()).toMatchObject({ fiscal_year_start_month: 1 });
    expect((await t.call('PUT', '/settings', planner, { fiscal_year_start_month: 4 })).statusCode).toBe(403);
    const bad = await t.call('PUT', '/settings', admin, { fiscal_year_start_month: 13 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('fiscal_year_start_month');
    const ok = await t.call('PUT', '/settings', admin, { fiscal_year_start_month: 4 });
    expect(ok.json()).toMatchObject({ fiscal_year_start_month: 4 });
    const b = await create({ fiscal_year: String(year), budget_lines: [lineBody()] }, admin);
    expect(b).toMatchObject({ period_start: `${year - 1}-04-01`, period_end: `${year}-03-31` });
    expect((await grid(b.budget_id, admin)).periods[11]!.period_start).toBe(`${year}-03-01`);
    const audit = (await t.call('GET', '/audit?action=settings.updated', admin)).json();
    expect(audit.items[0]).toMatchObject({ after: { fiscal_year_start_month: 4 } });
    // Other tenants keep their own setting.
    expect((await t.call('GET', '/settings', token)).json()).toMatchObject({ fiscal_year_start_month: 1 });
  });

  it('dates project budgets by period_start/period_end (month granularity) and requires them', async () => {
    const b = await create({
      budget_type: 'project',
      period_start: `${year}-03-15`,
      period_end: `${year + 1}-02-10`,
      budget_lines: [lineBody({ amount: '1100.00' })],
    });
    const g = await grid(b.budget_id);
    expect(g.periods).toHaveLength(12);
    expect(g.periods[0]!.period_start).toBe(`${year}-03-01`);
    const missing = await t.call('POST', '/budgets', token, budgetBody({ budget_type: 'rolling' }));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0]).toMatchObject({ path: 'period_start', code: 'required' });
    const tooLong = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({ budget_type: 'project', period_start: `${year}-01-01`, period_end: `${year + 10}-01-01` }),
    );
    expect(tooLong.json().errors[0]).toMatchObject({ path: 'period_end', code: 'too_many_periods' });
  });

  it('spreads seasonal lines by their weights (any sum) and checks the profile', async () => {
    const weights = ['1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '9'];
    const b = await create({
      budget_lines: [
        lineBody({ line_name: 'S', amount: '2000.00', spread_method: 'seasonal', spread_profile: weights }),
      ],
    });
    const line = (await grid(b.budget_id)).lines[0]!;
    expect(line.spread_method).toBe('seasonal');
    expect(line.periods[11]).toBe('900.00');
    expect(line.periods[0]).toBe('100.00');
    const cases = [
      [{ spread_method: 'seasonal' }, 'required'],
      [{ spread_method: 'seasonal', spread_profile: ['1', '2'] }, 'profile_length'],
      [{ spread_profile: weights }, 'profile_without_seasonal'],
      [{ spread_method: 'seasonal', spread_profile: ['-1', ...weights.slice(1)] }, 'too_small'],
    ] as const;
    for (const [fields, code] of cases) {
      const res = await t.call('POST', '/budgets', token, budgetBody({ budget_lines: [lineBody(fields)] }));
      expect(res.statusCode, code).toBe(400);
      expect(res.json().errors[0].code).toBe(code);
      expect(res.json().errors[0].path).toMatch(/^budget_lines\.0\.spread_profile/);
    }
  });

  it('re-spreads a line when its amount or method changes, and on bulk writes', async () => {
    const b = await create({ budget_lines: [lineBody({ line_name: 'A', amount: '120.00' })] });
    const line = (await t.call('GET', `/budgets/${b.budget_id}/lines`, token)).json().items[0];
    expect(line).toMatchObject({ spread_method: 'even', spread_profile: null });
    const up = await t.call('PUT', `/budgets/${b.budget_id}/lines/${line.line_id}`, token, {
      amount: '0.05',
      version: line.version,
    });
    expect(up.statusCode).toBe(200);
    let g = await grid(b.budget_id);
    expect(g.lines[0]!.periods.slice(0, 6)).toEqual(['0.01', '0.01', '0.01', '0.01', '0.01', '0.00']);
    await t.call('PUT', `/budgets/${b.budget_id}/lines/${line.line_id}`, token, {
      spread_method: 'seasonal',
      spread_profile: ['1', ...Array(11).fill('0')],
      version: up.json().version,
    });
    g = await grid(b.budget_id);
    expect(g.lines[0]!.periods[0]).toBe('0.05');
    const bulk = await t.call('POST', `/budgets/${b.budget_id}/lines/bulk`, token, {
      mode: 'replace',
      lines: [lineBody({ line_name: 'B', amount: '1.00' }), lineBody({ line_name: 'C', amount: '24.00' })],
    });
    expect(bulk.statusCode).toBe(200);
    g = await grid(b.budget_id);
    expect(g.lines.map((l) => l.line_name)).toEqual(['B', 'C']);
    expect(byName(g.lines, 'C').periods.every((p) => p === '2.00')).toBe(true);
    expect(g.total).toBe('-25.00');
  });

  it('sets one period by hand: the amount becomes the sum, the method manual, and later amounts keep the shape', async () => {
    const b = await create({ budget_type: 'quarterly', budget_lines: [lineBody({ amount: '300.00' })] });
    const line = (await t.call('GET', `/budgets/${b.budget_id}/lines`, token)).json().items[0];
    const url = `/budgets/${b.budget_id}/lines/${line.line_id}/periods`;
    const res = await t.call('PUT', url, token, {
      version: line.version,
      periods: [{ period_index: 1, amount: '0.00' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      amount: '200.00',
      spread_method: 'manual',
      version: line.version + 1,
    });
    expect(res.json().periods.map((p: { amount: string }) => p.amount)).toEqual(['100.00', '0.00', '100.00']);
    const read = (await t.call('GET', `/budgets/${b.budget_id}/lines`, token)).json().items[0];
    expect(read).toMatchObject({ amount: '200.00', spread_method: 'manual' });
    const up = await t.call('PUT', `/budgets/${b.budget_id}/lines/${line.line_id}`, token, {
      amount: '50.00',
      version: read.version,
    });
    expect(up.statusCode).toBe(200);
    expect((await grid(b.budget_id)).lines[0]!.periods).toEqual(['25.00', '0.00', '25.00']);
    expect((await t.call('GET', `/budgets/${b.budget_id}`, token)).json().totals.expense).toBe('50.00');

    const stale = await t.call('PUT', url, token, {
      version: 1,
      periods: [{ period_index: 0, amount: '1.00' }],
    });
    expect(stale.statusCode).toBe(409);
    const outOfRange = await t.call('PUT', url, token, {
      version: up.json().version,
      periods: [{ period_index: 3, amount: '1.00' }],
    });
    expect(outOfRange.statusCode).toBe(400);
    expect(outOfRange.json().errors[0]).toMatchObject({ path: 'periods.0.period_index', code: 'too_big' });
  });

  it('refuses period edits that would break amount = quantity x unit_cost (422)', async () => {
    const b = await create({
      budget_lines: [lineBody({ amount: undefined, quantity: '2', unit_cost: '60.00' })],
    });
    const line = (await t.call('GET', `/budgets/${b.budget_id}/lines`, token)).json().items[0];
    const res = await t.call('PUT', `/budgets/${b.budget_id}/lines/${line.line_id}/periods`, token, {
      version: line.version,
      periods: [{ period_index: 0, amount: '99.00' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('amount_from_quantity');
  });

  it("spreads like last year's actuals of the line's GL account, and refuses without actuals (422)", async () => {
    const own = newTenant();
    const tk = await t.token(own);
    const none = await t.call(
      'POST',
      '/budgets',
      tk,
      budgetBody({
        fiscal_year: String(year),
        budget_lines: [lineBody({ spread_method: 'last_year', gl_account_id: '6000' })],
      }),
    );
    expect(none.statusCode).toBe(422);
    expect(none.json()).toMatchObject({ code: 'no_last_year_actuals' });
    expect(none.json().errors[0].path).toBe('budget_lines.0.spread_method');

    await withTenant(t.platform.database.db, tenantIdFromKey(own), async (tx) => {
      const batchId = uuidv7();
      await tx.insert(actualBatches).values({
        tenantId: tenantIdFromKey(own),
        id: batchId,
        batchKey: 'gl-last-year',
        format: 'csv',
        createdBy: 'test',
      });
      const rows = Array.from({ length: 12 }, (_, i) => ({
        tenantId: tenantIdFromKey(own),
        batchId,
        rowNumber: i + 1,
        period: `${year - 1}-${String(i + 1).padStart(2, '0')}-01`,
        glAccountId: '6000',
        // Credits are negative in the ledger: the shape uses the size of each month.
        amount: i === 11 ? '-300.00' : '100.00',
        currency: 'USD',
      }));
      rows.push({ ...rows[0]!, rowNumber: 13, glAccountId: '7000', amount: '999.00' });
      await tx.insert(actuals).values(rows);
    });
    const b = await create(
      {
        fiscal_year: String(year),
        budget_lines: [lineBody({ amount: '1400.00', spread_method: 'last_year', gl_account_id: '6000' })],
      },
      tk,
    );
    const line = (await grid(b.budget_id, tk)).lines[0]!;
    expect(line.periods.slice(0, 11).every((p) => p === '100.00')).toBe(true);
    expect(line.periods[11]).toBe('300.00');
  });

  it('moves the periods with the budget when its fiscal year changes', async () => {
    const b = await create({ fiscal_year: String(year), budget_lines: [lineBody({ amount: '12.00' })] });
    const up = await t.call('PUT', `/budgets/${b.budget_id}`, token, {
      fiscal_year: String(year + 1),
      version: 1,
    });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ period_start: `${year + 1}-01-01`, period_end: `${year + 1}-12-31` });
    const g = await grid(b.budget_id);
    expect(g.periods[0]!.period_start).toBe(`${year + 1}-01-01`);
    expect(sumMoney(g.lines[0]!.periods)).toBe('12.00');
  });

  it("answers 404 to the period routes for another tenant's budget and line", async () => {
    const b = await create({ budget_lines: [lineBody()] });
    const line = (await t.call('GET', `/budgets/${b.budget_id}/lines`, token)).json().items[0];
    const intruder = await t.token(newTenant());
    expect((await t.call('GET', `/budgets/${b.budget_id}/periods`, intruder)).statusCode).toBe(404);
    const put = await t.call('PUT', `/budgets/${b.budget_id}/lines/${line.line_id}/periods`, intruder, {
      version: 1,
      periods: [{ period_index: 0, amount: '1.00' }],
    });
    expect(put.statusCode).toBe(404);
    // A line id of another budget of mine is 404 too, not a write into the wrong budget.
    const other = await create({});
    const cross = await t.call('PUT', `/budgets/${other.budget_id}/lines/${line.line_id}/periods`, token, {
      version: 1,
      periods: [{ period_index: 0, amount: '1.00' }],
    });
    expect(cross.statusCode).toBe(404);
    expect(sumMoney((await grid(b.budget_id)).lines[0]!.periods)).toBe('1000.00');
  });

  it('removes the periods of a hard-deleted line', async () => {
    const b = await create({
      budget_lines: [lineBody({ line_name: 'gone' }), lineBody({ line_name: 'kept' })],
    });
    const items = (await t.call('GET', `/budgets/${b.budget_id}/lines`, token)).json().items;
    const gone = items.find((l: { line_name: string }) => l.line_name === 'gone');
    const del = await t.call(
      'DELETE',
      `/budgets/${b.budget_id}/lines/${gone.line_id}?soft_delete=false`,
      token,
    );
    expect(del.statusCode).toBe(200);
    const g = await grid(b.budget_id);
    expect(g.lines.map((l) => l.line_name)).toEqual(['kept']);
    expect(g.total).toBe('-1000.00');
  });

  it('writes 10,000 lines x 12 periods with the budget and reads the grid back', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      lineBody({ line_name: `L${i}`, amount: '1000.01' }),
    );
    const b = await create({ budget_lines: lines });
    const g = await grid(b.budget_id);
    expect(g.lines).toHaveLength(10_000);
    expect(g.lines.every((l) => l.periods.length === 12)).toBe(true);
    expect(g.total).toBe('-10000100.00');
    expect(g.periods[0]!.expense).toBe('833400.00'); // 1000.01 / 12: the first five months get 83.34
  }, 120_000);

  it('groups the grid by fiscal quarter, half and year from the tenant fiscal year start; the total is net', async () => {
    const own = newTenant();
    const admin = await t.token(own);
    expect((await t.call('PUT', '/settings', admin, { fiscal_year_start_month: 4 })).statusCode).toBe(200);
    const b = await create(
      {
        fiscal_year: String(year),
        budget_lines: [
          lineBody({ line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '1200.01' }),
          lineBody({ line_name: 'Rent', amount: '600.00' }),
          lineBody({ line_name: 'Van', line_type: 'asset', category: 'fleet', amount: '999.00' }),
        ],
      },
      admin,
    );
    const get = async (by: string) => {
      const res = await t.call('GET', `/budgets/${b.budget_id}/periods?by=${by}`, admin);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const month = await get('month');
    // Net = revenue - expense; the asset is not in it.
    expect(month.total).toBe('600.01');
    expect(month.periods[0]).toMatchObject({
      label: `${year - 1}-04`,
      revenue: '100.01',
      expense: '50.00',
      total: '50.01',
    });
    const q = await get('quarter');
    expect(q.by).toBe('quarter');
    expect(q.periods.map((p: { label: string }) => p.label)).toEqual(
      ['Q1', 'Q2', 'Q3', 'Q4'].map((x) => `FY${year}-${x}`),
    );
    // April-June: 100.01 + 100.00 + 100.00 of sales (the extra cent goes to the first month).
    expect(q.periods[0]).toMatchObject({
      period_start: `${year - 1}-04-01`,
      revenue: '300.01',
      expense: '150.00',
      total: '150.01',
    });
    expect(q.periods[3]).toMatchObject({ period_start: `${year}-01-01`, revenue: '300.00', total: '150.00' });
    expect(q.lines.find((l: { line_name: string }) => l.line_name === 'Sales').periods).toEqual([
      '300.01',
      '300.00',
      '300.00',
      '300.00',
    ]);
    expect(q.total).toBe('600.01');
    const h = await get('half');
    expect(h.periods.map((p: { label: string; total: string }) => [p.label, p.total])).toEqual([
      [`FY${year}-H1`, '300.01'],
      [`FY${year}-H2`, '300.00'],
    ]);
    const y = await get('year');
    expect(y.periods).toEqual([
      expect.objectContaining({
        label: `FY${year}`,
        revenue: '1200.01',
        expense: '600.00',
        asset: '999.00',
        total: '600.01',
      }),
    ]);
    const bad = await t.call('GET', `/budgets/${b.budget_id}/periods?by=week`, admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toMatch(/by/);
  });
});
