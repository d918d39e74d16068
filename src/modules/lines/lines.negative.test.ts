/**
 * Negative (contra) lines: refused by default with a 400 naming the field and the rule; held
 * exactly when the tenant allows them — totals, phasing, variance, scenarios and the workbook.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { insertActuals, month, YEAR } from '../../../test/helpers/variance.ts';
import { Decimal } from '../../shared/money.ts';

const discount = {
  line_name: 'Vacancy discount',
  line_type: 'expense',
  category: 'people',
  department_id: 'ENG',
  gl_account_id: '5100',
  is_contra: true,
  amount: '-1000.01',
};

describe.each(backends())('negative (contra) lines on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t?.close());

  const tenantWith = async (allow: boolean) => {
    const tenant = newTenant();
    const token = await t.token(tenant);
    if (allow) {
      const res = await t.call('PUT', '/settings', token, { allow_negative_lines: true });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ allow_negative_lines: true, fiscal_year_start_month: 1 });
    }
    return { tenant, token };
  };

  it('refuses a negative amount by default, naming the field and the setting, and stores nothing', async () => {
    const { token } = await tenantWith(false);
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({ budget_name: 'Refused', budget_lines: [lineBody(), discount] }),
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors).toEqual([
      expect.objectContaining({
        path: 'budget_lines.1.amount',
        code: 'negative_lines_not_allowed',
        message: expect.stringMatching(/at least 0.*allow_negative_lines/),
      }),
    ]);
    const list = await t.call('GET', '/budgets?text=Refused', token);
    expect(list.json().items).toEqual([]);
    const settings = await t.call('GET', '/settings', token);
    expect(settings.json()).toMatchObject({ allow_negative_lines: false });
  });

  it('needs is_contra for a negative amount, and a contra line cannot be positive, even when allowed', async () => {
    const { token } = await tenantWith(true);
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({
        budget_lines: [lineBody({ amount: '-5.00' }), { ...discount, amount: '5.00' }],
      }),
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
      ['budget_lines.0.amount', 'too_small'],
      ['budget_lines.1.amount', 'contra_amount_positive'],
    ]);
  });

  it('holds contra lines exactly: totals, phasing by largest remainder, period edits and updates', async () => {
    const { token } = await tenantWith(true);
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({
        fiscal_year: String(YEAR),
        budget_lines: [
          lineBody({
            line_name: 'Salaries',
            amount: '120000.00',
            department_id: 'ENG',
            gl_account_id: '5100',
          }),
          discount,
          lineBody({ line_name: 'Sales', line_type: 'revenue', category: 'sales', amount: '500.00' }),
          lineBody({
            line_name: 'Refunds',
            line_type: 'revenue',
            category: 'sales',
            amount: '-0.05',
            is_contra: true,
          }),
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const b = res.json();
    expect(b.totals).toMatchObject({ expense: '118999.99', revenue: '499.95', net: '-118500.04' });
    const grid = (await t.call('GET', `/budgets/${b.budget_id}/periods`, token)).json();
    const line = (name: string) => grid.lines.find((l: { line_name: string }) => l.line_name === name);
    // -1000.01 over 12: -83.33 each and 5 cents left, one each to the first five periods (as for
    // positive amounts).
    expect(line('Vacancy discount').periods).toEqual([
      ...Array(5).fill('-83.34'),
      ...Array(7).fill('-83.33'),
    ]);
    expect(line('Refunds').periods).toEqual([
      ...Array.from({ length: 5 }, () => '-0.01'),
      ...Array(7).fill('0.00'),
    ]);
    const sum = (xs: string[]) => xs.reduce((s, x) => s.plus(x), new Decimal(0)).toFixed(2);
    expect(sum(line('Vacancy discount').periods)).toBe('-1000.01');

    // A period of a contra line must stay <= 0; setting one keeps the line's amount their sum.
    const id = line('Vacancy discount').line_id;
    const bad = await t.call('PUT', `/budgets/${b.budget_id}/lines/${id}/periods`, token, {
      version: 1,
      periods: [{ period_index: 0, amount: '10.00' }],
    });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ path: 'periods.0.amount', code: 'contra_amount_positive' });
    const ok = await t.call('PUT', `/budgets/${b.budget_id}/lines/${id}/periods`, token, {
      version: 1,
      periods: [{ period_index: 0, amount: '-100.00' }],
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const after = (await t.call('GET', `/budgets/${b.budget_id}/lines?limit=10`, token)).json();
    const updated = after.items.find((l: { line_id: string }) => l.line_id === id);
    expect(updated).toMatchObject({ amount: '-1016.67', is_contra: true, spread_method: 'manual' });
    // Turning is_contra off on a negative line breaks the sign rule.
    const flip = await t.call('PUT', `/budgets/${b.budget_id}/lines/${id}`, token, {
      version: updated.version,
      is_contra: false,
    });
    expect(flip.statusCode, flip.body).toBe(400);
    expect(flip.json().errors[0]).toMatchObject({ path: 'amount', code: 'too_small' });
  });

  it('variance, scenarios and the workbook stay exact with a contra line', async () => {
    const { tenant, token } = await tenantWith(true);
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({
        fiscal_year: String(YEAR),
        budget_lines: [
          lineBody({
            line_name: 'Salaries',
            amount: '12000.00',
            department_id: 'ENG',
            gl_account_id: '5100',
          }),
          { ...discount, amount: '-1200.00', gl_account_id: '5190' },
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const b = res.json();
    // Less vacancy discount than planned (-40 instead of -100) costs money: unfavourable.
    await insertActuals(t, tenant, [
      { period: month(1), gl: '5190', department: 'ENG', amount: '-40.00' },
      { period: month(1), gl: '5100', department: 'ENG', amount: '1000.00' },
    ]);
    const v = await t.call('GET', `/budgets/${b.budget_id}/variance?by=line&as_of=${YEAR}-01`, token);
    expect(v.statusCode, v.body).toBe(200);
    const row = v
      .json()
      .rows.find((r: { key: { line_name: string } }) => r.key.line_name === 'Vacancy discount');
    expect(row.month).toMatchObject({
      budget: '-100.00',
      actual: '-40.00',
      variance: '60.00',
      variance_percent: '60.00',
      favourability: 'unfavourable',
    });
    expect(v.json().totals[0].month).toMatchObject({ budget: '900.00', actual: '960.00', variance: '60.00' });

    // +10% of a contra line is a larger discount; +2000.00 would take it above zero: clamped.
    const s = await t.call('POST', `/budgets/${b.budget_id}/scenarios`, token, {
      name: 'Bigger discount',
      adjustments: [{ kind: 'percent', value: '10', filter: { gl_account_id: '5190' } }],
    });
    expect(s.statusCode, s.body).toBe(201);
    const c = await t.call('POST', `/budgets/${b.budget_id}/scenarios`, token, {
      name: 'No discount',
      adjustments: [{ kind: 'absolute', value: '2000.00', filter: { gl_account_id: '5190' } }],
    });
    const cmp = await t.call(
      'GET',
      `/budgets/${b.budget_id}/scenarios/compare?scenario_ids=${s.json().scenario_id},${c.json().scenario_id}`,
      token,
    );
    expect(cmp.statusCode, cmp.body).toBe(200);
    const [bigger, none] = cmp.json().scenarios;
    expect(bigger.totals.by_line_type.expense).toBe('10680.00');
    expect(bigger.totals.by_period.slice(0, 2).map((p: { amount: string }) => p.amount)).toEqual([
      '890.00',
      '890.00',
    ]);
    expect(none).toMatchObject({ clamped_lines: 1 });
    expect(none.totals.by_line_type.expense).toBe('12000.00');

    const xlsx = await t.call('GET', `/budgets/${b.budget_id}/export.xlsx`, token);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Lines')!;
    // Columns by header (row 1): the line name, its amount and the first month after it.
    const headers = (sheet.getRow(1).values as unknown[]).map(String);
    const [nameCol, amountCol] = [headers.indexOf('Line'), headers.indexOf('Amount')];
    const cells: unknown[] = [];
    sheet.eachRow((r) => {
      if (r.getCell(nameCol).value === 'Vacancy discount')
        cells.push(r.getCell(amountCol).value, r.getCell(amountCol + 1).value);
    });
    expect(cells).toEqual([-1200, -100]);
  });
});
