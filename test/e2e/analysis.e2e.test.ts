/**
 * Black-box: variance (with FX), its Excel download parsed back, and recommendations — on
 * actuals and rates uploaded over HTTP as a client would.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
  waitForJob,
  XLSX_TYPE,
} from './server.ts';

const Y = new Date().getUTCFullYear() + 1;
const m = (month: number) => `${Y}-${String(month).padStart(2, '0')}`;

// The overspend case of recommendations.routes.test.ts: ENG runs ahead of its phased budget.
const ENG_ACTUALS = ['1210.37', '1187.52', '1302.11', '1255.00', '1199.99', '1240.04'];
const ENG_PHASING = [
  ...Array(6).fill('1000.00'),
  '900.00',
  '1100.00',
  '1000.00',
  '1000.00',
  '1000.00',
  '1334.56',
];

interface Figures {
  budget: string;
  actual: string;
  variance: string;
  variance_percent: string | null;
  favourability: string;
}
interface Row {
  key: { line_name: string; department_id?: string | null };
  line_type: string;
  month: Figures;
  ytd: Figures;
}

describe.each(e2eBackends())('variance and recommendations over HTTP on %s', (backend) => {
  let s: E2eServer;
  let token: string;
  let budgetId: string;
  printOutputOnFailure(() => s);

  const post = (path: string, body: string, contentType = 'text/csv', tok = token) =>
    s.call('POST', path, { token: tok, body, contentType });
  const createBudget = async (tok: string, name: string, lines: Record<string, unknown>[]) => {
    const res = await s.call('POST', '/budgets', {
      token: tok,
      json: {
        budget_name: name,
        budget_type: 'annual',
        fiscal_year: String(Y),
        total_amount: '0.00',
        base_currency: 'USD',
        budget_lines: lines,
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.json.budget_id as string;
  };

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 6 });
    token = await s.token();
    budgetId = await createBudget(token, 'Variance budget', [
      {
        line_name: 'Product sales',
        line_type: 'revenue',
        category: 'sales',
        gl_account_id: '4000',
        amount: '1200.00',
      },
      {
        line_name: 'Salaries',
        line_type: 'expense',
        category: 'people',
        gl_account_id: '6000',
        amount: '2400.00',
      },
      {
        line_name: 'Software',
        line_type: 'expense',
        category: 'it',
        gl_account_id: '6100',
        amount: '120.00',
      },
    ]);
  }, START_TIMEOUT_MS);
  afterAll(() => s?.stop());

  it('uploads actuals and FX rates, then reports month and year-to-date variance to the cent', async () => {
    const actuals = [
      'period,gl_account,amount,currency',
      `${m(1)},4000,110.00,USD`,
      `${m(2)},4000,90.00,USD`,
      `${m(3)},4000,100.00,USD`,
      `${m(1)},6000,210.50,USD`,
      `${m(2)},6000,(5.25),USD`,
      `${m(3)},6000,199.75,USD`,
      `${m(3)},6100,10.00,EUR`,
      `${m(3)},9999,5.00,USD`,
    ].join('\n');
    const imported = await post('/actuals/imports?batch_key=variance', actuals);
    expect(imported.status, imported.text).toBe(201);
    const fx = await post(
      '/fx-rates/imports',
      `period,from,to,rate\n${m(1)},EUR,USD,1.1\n${m(3)},EUR,USD,1.2345\n`,
    );
    expect(fx.status, fx.text).toBe(200);

    const res = await s.call('GET', `/budgets/${budgetId}/variance?by=line&as_of=${m(3)}`, { token });
    expect(res.status, res.text).toBe(200);
    const rows = res.json.rows as Row[];
    const of = (name: string) => rows.find((r) => r.key.line_name === name)!;
    const pick = (f: Figures) => [f.budget, f.actual, f.variance, f.variance_percent, f.favourability];
    expect(pick(of('Product sales').month)).toEqual(['100.00', '100.00', '0.00', '0.00', 'on_budget']);
    expect(pick(of('Product sales').ytd)).toEqual(['300.00', '300.00', '0.00', '0.00', 'on_budget']);
    expect(pick(of('Salaries').month)).toEqual(['200.00', '199.75', '-0.25', '-0.13', 'favourable']);
    expect(pick(of('Salaries').ytd)).toEqual(['600.00', '405.00', '-195.00', '-32.50', 'favourable']);
    // 10.00 EUR at 1.2345 = 12.345 -> 12.35 USD.
    expect(pick(of('Software').month)).toEqual(['10.00', '12.35', '2.35', '23.50', 'unfavourable']);
    expect(res.json.unmatched).toMatchObject({ month_actual: '5.00', ytd_actual: '5.00', actual_rows: 1 });
    expect(res.json.fx_rates).toEqual([
      expect.objectContaining({
        from_currency: 'EUR',
        to_currency: 'USD',
        rate: '1.2345000000',
        rate_inverted: false,
      }),
    ]);
    const expense = res.json.totals.find((t: { line_type: string }) => t.line_type === 'expense');
    expect(expense.ytd).toMatchObject({ budget: '630.00', actual: '417.35', variance: '-212.65' });
  });

  it('matches actuals on GL account + department + cost centre, never across a named department', async () => {
    const id = await createBudget(token, 'Departments sharing accounts', [
      {
        line_name: 'ENG pay',
        line_type: 'expense',
        category: 'people',
        department_id: 'ENG',
        cost_center_id: 'ENG-1',
        gl_account_id: '5100',
        amount: '1200.00',
      },
      {
        line_name: 'OPS pay',
        line_type: 'expense',
        category: 'people',
        department_id: 'OPS',
        gl_account_id: '5100',
        amount: '3600.00',
      },
      {
        line_name: 'OPS travel',
        line_type: 'expense',
        category: 'travel',
        department_id: 'OPS',
        amount: '120.00',
      },
    ]);
    const csv = [
      'period,gl_account,department,cost_centre,category,amount,currency',
      `${m(1)},5100,ENG,ENG-1,people,"1,000.10",USD`,
      `${m(1)},5100,ENG,ENG-7,people,20.00,USD`,
      `${m(1)},5100,OPS,,people,300.33,USD`,
      `${m(1)},,OPS,,travel,7.50,USD`,
      `${m(1)},5100,HR,,people,40.00,USD`,
    ].join('\n');
    const imported = await post('/actuals/imports?batch_key=departments', csv);
    expect(imported.status, imported.text).toBe(201);
    const res = await s.call('GET', `/budgets/${id}/variance?by=department&as_of=${m(1)}`, { token });
    expect(res.status, res.text).toBe(200);
    const byDept = Object.fromEntries(
      (res.json.rows as Row[]).map((r) => [r.key.department_id, r.month.actual]),
    );
    // Each department gets its own postings; HR names a department no line has: unmatched.
    expect(byDept).toEqual({ ENG: '1020.10', OPS: '307.83' });
    // (The other tests' actuals name no department and no account of this budget: unmatched too.)
    expect(res.json.unmatched.groups).toContainEqual({
      key: { department_id: 'HR' },
      month_actual: '40.00',
      ytd_actual: '40.00',
      actual_rows: 1,
    });
    expect(res.json.matched_by_level).toEqual([
      {
        level: 'gl_account_department_cost_center',
        month_actual: '1000.10',
        ytd_actual: '1000.10',
        actual_rows: 1,
      },
      { level: 'gl_account_department', month_actual: '320.33', ytd_actual: '320.33', actual_rows: 2 },
      { level: 'gl_account', month_actual: '0.00', ytd_actual: '0.00', actual_rows: 0 },
      { level: 'category_department', month_actual: '7.50', ytd_actual: '7.50', actual_rows: 1 },
    ]);
  });

  it('downloads the variance report as XLSX whose figures and formula results are the report', async () => {
    const res = await s.call('GET', `/budgets/${budgetId}/variance/export.xlsx?by=line&as_of=${m(3)}`, {
      token,
    });
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX_TYPE);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Variance', 'Unmatched actuals', 'FX rates']);
    const ws = wb.getWorksheet('Variance')!;
    let salaries: ExcelJS.Row | undefined;
    ws.eachRow((row) => {
      if (row.getCell(1).value === 'Salaries') salaries = row;
    });
    expect(salaries, 'a Salaries row').toBeDefined();
    // Month budget E, actual F, variance G = F - E (a formula with its computed result).
    expect(salaries!.getCell(5).value).toBe(200);
    expect(salaries!.getCell(6).value).toBe(199.75);
    const variance = salaries!.getCell(7).value as ExcelJS.CellFormulaValue;
    expect(variance.formula).toBe(`ROUND(F${salaries!.number}-E${salaries!.number},2)`);
    expect(variance.result).toBe(-0.25);
    const fx = wb.getWorksheet('FX rates')!;
    expect((fx.getRow(2).values as unknown[]).slice(1, 4)).toEqual(['EUR', 'USD', m(3)]);
  });

  it('runs the variance report as a job with the same figures', async () => {
    const queued = await s.call('POST', `/budgets/${budgetId}/variance/jobs`, {
      token,
      json: { by: 'line', as_of: m(3) },
    });
    expect(queued.status, queued.text).toBe(202);
    const job = await waitForJob(s, token, queued.json.job_id);
    expect(job.status, JSON.stringify(job)).toBe('completed');
    const salaries = (job.result.rows as Row[]).find((r) => r.key.line_name === 'Salaries')!;
    expect(salaries.ytd.actual).toBe('405.00');
  });

  it('recommendations: generate from uploaded actuals, list, accept, dismiss with a reason, apply as a scenario', async () => {
    const tok = await s.token({ tenant: `${s.tenant}-rec` });
    const id = await createBudget(tok, 'Overspend budget', [
      {
        line_name: 'Eng salaries',
        line_type: 'expense',
        category: 'people',
        department_id: 'ENG',
        gl_account_id: '6000',
        amount: '12334.56',
      },
      {
        line_name: 'Ops rent',
        line_type: 'expense',
        category: 'facilities',
        department_id: 'OPS',
        gl_account_id: '6200',
        amount: '12000.00',
      },
    ]);
    const grid = await s.call('GET', `/budgets/${id}/periods`, { token: tok });
    const eng = grid.json.lines.find((l: { line_name: string }) => l.line_name === 'Eng salaries');
    const phased = await s.call('PUT', `/budgets/${id}/lines/${eng.line_id}/periods`, {
      token: tok,
      json: { version: 1, periods: ENG_PHASING.map((amount, period_index) => ({ period_index, amount })) },
    });
    expect(phased.status, phased.text).toBe(200);
    expect(phased.json.amount).toBe('12334.56');
    const csv = [
      'period,gl_account,department,amount,currency',
      ...ENG_ACTUALS.map((a, i) => `${m(i + 1)},6000,ENG,${a},USD`),
      ...ENG_ACTUALS.map((_, i) => `${m(i + 1)},6200,OPS,1000.00,USD`),
    ].join('\n');
    expect((await post('/actuals/imports?batch_key=rec', csv, 'text/csv', tok)).status).toBe(201);

    const generate = async () => {
      const res = await s.call('POST', `/budgets/${id}/recommendations`, { token: tok, json: {} });
      expect(res.status, res.text).toBe(201);
      const risk = res.json.recommendations.find(
        (r: { category: string }) => r.category === 'budget_overrun',
      );
      return { bundle: res.json.bundle_id as string, risk };
    };
    const first = await generate();
    // Projected 15202.41 against 12334.56.
    expect(first.risk).toMatchObject({
      type: 'risk_mitigation',
      estimated_impact: '2867.85',
      status: 'open',
    });
    expect(first.risk.evidence.figures).toMatchObject({
      ytd_actual: '7395.03',
      projected_overrun: '2867.85',
    });
    const item = (b: string, r: string, action: string) => `/recommendations/${b}/items/${r}/${action}`;

    const applied = await s.call('POST', item(first.bundle, first.risk.recommendation_id, 'apply'), {
      token: tok,
      json: {},
    });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json.status).toBe('applied');
    const cmp = await s.call(
      'GET',
      `/budgets/${id}/scenarios/compare?scenario_ids=${applied.json.scenario_id}`,
      {
        token: tok,
      },
    );
    const engDelta = cmp.json.scenarios[0].deltas.by_department.find((d: { key: string }) => d.key === 'ENG');
    expect(engDelta.amount).toBe('2867.85');

    const second = await generate();
    const accepted = await s.call('POST', item(second.bundle, second.risk.recommendation_id, 'accept'), {
      token: tok,
      json: {},
    });
    expect(accepted.json.status).toBe('accepted');
    const third = await generate();
    const noReason = await s.call('POST', item(third.bundle, third.risk.recommendation_id, 'dismiss'), {
      token: tok,
      json: {},
    });
    expect(noReason.status).toBe(400);
    const dismissed = await s.call('POST', item(third.bundle, third.risk.recommendation_id, 'dismiss'), {
      token: tok,
      json: { reason: 'Hiring freeze from July' },
    });
    expect(dismissed.json).toMatchObject({ status: 'dismissed', status_reason: 'Hiring freeze from July' });

    const list = await s.call('GET', `/budgets/${id}/recommendations`, { token: tok });
    expect(list.json.items.map((b: { bundle_id: string }) => b.bundle_id)).toEqual([
      third.bundle,
      second.bundle,
      first.bundle,
    ]);
    const bundle = await s.call('GET', `/recommendations/${first.bundle}`, { token: tok });
    expect(
      bundle.json.recommendations.find((r: { category: string }) => r.category === 'budget_overrun').status,
    ).toBe('applied');
    // Another tenant sees none of it.
    expect((await s.call('GET', `/recommendations/${first.bundle}`, { token })).status).toBe(404);
  });
});
