import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import {
  createBudget,
  even,
  insertActuals,
  insertRate,
  month,
  phase,
  standardScenario,
  YEAR,
} from '../../../test/helpers/variance.ts';

const M = (m: number) => month(m).slice(0, 7);

interface Figures {
  budget: string;
  actual: string;
  variance: string;
  variance_percent: string | null;
  favourability: string;
  flags: string[];
  flagged: boolean;
}
interface Row {
  key: Record<string, string | null>;
  line_type: string;
  month: Figures;
  ytd: Figures;
}

// [budget, actual, variance, percent, favourability, flagged] — hand-computed from the fixture.
type Expect = [string, string, string, string | null, string, boolean];
const compact = (f: Figures): Expect => [
  f.budget,
  f.actual,
  f.variance,
  f.variance_percent,
  f.favourability,
  f.flagged,
];
const table = (rows: Row[], key: string) =>
  Object.fromEntries(rows.map((r) => [`${r.key[key]}/${r.line_type}`, [compact(r.month), compact(r.ytd)]]));

describe.each(backends())('variance API on %s', (backend) => {
  let t: TestApp;
  let tenant: string;
  let token: string;
  let budget: { id: string; lines: Record<string, string> };

  beforeAll(async () => {
    t = await startTestApp(backend);
    tenant = newTenant();
    token = await t.token(tenant);
    budget = await standardScenario(t, tenant, token);
  });
  afterAll(() => t?.close());

  const variance = async (query: string) => {
    const res = await t.call('GET', `/budgets/${budget.id}/variance?${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('by line: signs by line type, month and year-to-date, FX, split of a shared GL account, zero budget', async () => {
    const r = await variance(`by=line&as_of=${M(3)}`);
    expect(r.as_of).toBe(M(3));
    expect(r.period_from).toBe(M(1));
    expect(r.base_currency).toBe('USD');
    expect(r.thresholds).toEqual({ amount: '0.00', percent: '10.00' });
    expect(table(r.rows, 'line_name')).toEqual({
      // Revenue above budget is favourable.
      'Product sales/revenue': [
        ['100.00', '130.00', '30.00', '30.00', 'favourable', true],
        ['300.00', '330.00', '30.00', '10.00', 'favourable', false],
      ],
      // Expense below budget is favourable, above it is not.
      'Salaries/expense': [
        ['200.00', '180.00', '-20.00', '-10.00', 'favourable', false],
        ['600.00', '630.00', '30.00', '5.00', 'unfavourable', false],
      ],
      // Zero budget: no percentage, and any actual exceeds the percent threshold.
      'Travel/expense': [
        ['0.00', '45.50', '45.50', null, 'unfavourable', true],
        ['0.00', '45.50', '45.50', null, 'unfavourable', true],
      ],
      // 10 EUR a month; EUR->USD 1.1 in January (also used for February), 1.2 in March.
      'Software/expense': [
        ['12.00', '14.40', '2.40', '20.00', 'unfavourable', true],
        ['34.00', '25.40', '-8.60', '-25.29', 'favourable', true],
      ],
      // 160.00 on GL 6200 split by the March budget 50 : 100.
      'Rent A/expense': [
        ['50.00', '53.33', '3.33', '6.66', 'unfavourable', false],
        ['150.00', '53.33', '-96.67', '-64.45', 'favourable', true],
      ],
      'Rent B/expense': [
        ['100.00', '106.67', '6.67', '6.67', 'unfavourable', false],
        ['300.00', '106.67', '-193.33', '-64.44', 'favourable', true],
      ],
    });
    expect(r.rows[0].key).toEqual({
      line_id: budget.lines['Product sales'],
      line_name: 'Product sales',
      category: 'sales',
      gl_account_id: '4000',
    });
    expect(r.totals.map((x: Row) => [x.line_type, compact(x.month), compact(x.ytd)])).toEqual([
      [
        'expense',
        ['362.00', '399.90', '37.90', '10.47', 'unfavourable', true],
        ['1084.00', '860.90', '-223.10', '-20.58', 'favourable', true],
      ],
      [
        'revenue',
        ['100.00', '130.00', '30.00', '30.00', 'favourable', true],
        ['300.00', '330.00', '30.00', '10.00', 'favourable', false],
      ],
    ]);
  });

  it('shows every FX rate used, including the earlier month a missing one falls back to', async () => {
    const r = await variance(`as_of=${M(3)}`);
    expect(r.fx_rates).toEqual([
      {
        from_currency: 'EUR',
        to_currency: 'USD',
        period: M(1),
        rate: '1.1000000000',
        rate_period: M(1),
        rate_inverted: false,
      },
      {
        from_currency: 'EUR',
        to_currency: 'USD',
        period: M(2),
        rate: '1.1000000000',
        rate_period: M(1),
        rate_inverted: false,
      },
      {
        from_currency: 'EUR',
        to_currency: 'USD',
        period: M(3),
        rate: '1.2000000000',
        rate_period: M(3),
        rate_inverted: false,
      },
    ]);
  });

  it('reports unmatched actuals as their own group, grouped like the report', async () => {
    const byLine = await variance(`by=line&as_of=${M(3)}`);
    expect(byLine.unmatched).toEqual({
      month_actual: '70.00',
      ytd_actual: '100.00',
      actual_rows: 2,
      groups: [
        { key: { gl_account_id: '9999' }, month_actual: '70.00', ytd_actual: '70.00', actual_rows: 1 },
        { key: { gl_account_id: null }, month_actual: '0.00', ytd_actual: '30.00', actual_rows: 1 },
      ],
    });
    const byPeriod = await variance(`by=period&as_of=${M(3)}`);
    expect(byPeriod.unmatched.groups).toEqual([
      { key: { period: M(2) }, month_actual: '0.00', ytd_actual: '30.00', actual_rows: 1 },
      { key: { period: M(3) }, month_actual: '70.00', ytd_actual: '70.00', actual_rows: 1 },
    ]);
  });

  it('by category', async () => {
    const r = await variance(`by=category&as_of=${M(3)}`);
    expect(Object.keys(table(r.rows, 'category'))).toEqual([
      'facilities/expense',
      'it/expense',
      'people/expense',
      'sales/revenue',
      'travel/expense',
    ]);
    expect(table(r.rows, 'category')['facilities/expense']).toEqual([
      ['150.00', '160.00', '10.00', '6.67', 'unfavourable', false],
      ['450.00', '160.00', '-290.00', '-64.44', 'favourable', true],
    ]);
    expect(table(r.rows, 'category')['people/expense']![1]).toEqual([
      '600.00',
      '630.00',
      '30.00',
      '5.00',
      'unfavourable',
      false,
    ]);
  });

  it('by department (lines without one form their own group)', async () => {
    const r = await variance(`by=department&as_of=${M(3)}`);
    expect(table(r.rows, 'department_id')).toEqual({
      'ENG/expense': [
        ['200.00', '225.50', '25.50', '12.75', 'unfavourable', true],
        ['600.00', '675.50', '75.50', '12.58', 'unfavourable', true],
      ],
      'null/expense': [
        ['162.00', '174.40', '12.40', '7.65', 'unfavourable', false],
        ['484.00', '185.40', '-298.60', '-61.69', 'favourable', true],
      ],
      'null/revenue': [
        ['100.00', '130.00', '30.00', '30.00', 'favourable', true],
        ['300.00', '330.00', '30.00', '10.00', 'favourable', false],
      ],
    });
  });

  it('by GL account', async () => {
    const r = await variance(`by=gl_account&as_of=${M(3)}`);
    const got = table(r.rows, 'gl_account_id');
    expect(Object.keys(got)).toEqual([
      '4000/revenue',
      '6000/expense',
      '6100/expense',
      '6200/expense',
      'null/expense',
    ]);
    expect(got['6200/expense']).toEqual([
      ['150.00', '160.00', '10.00', '6.67', 'unfavourable', false],
      ['450.00', '160.00', '-290.00', '-64.44', 'favourable', true],
    ]);
    expect(got['null/expense']![0]).toEqual(['0.00', '45.50', '45.50', null, 'unfavourable', true]);
  });

  it('by period: each month and its running year-to-date', async () => {
    const r = await variance(`by=period&as_of=${M(3)}`);
    const got = table(r.rows, 'period');
    expect(Object.keys(got)).toEqual([
      `${M(1)}/expense`,
      `${M(1)}/revenue`,
      `${M(2)}/expense`,
      `${M(2)}/revenue`,
      `${M(3)}/expense`,
      `${M(3)}/revenue`,
    ]);
    const pick = (k: string) => got[k]!.map((f) => f.slice(0, 2));
    expect(pick(`${M(1)}/expense`)).toEqual([
      ['361.00', '211.00'],
      ['361.00', '211.00'],
    ]);
    expect(pick(`${M(2)}/expense`)).toEqual([
      ['361.00', '250.00'],
      ['722.00', '461.00'],
    ]);
    expect(pick(`${M(3)}/expense`)).toEqual([
      ['362.00', '399.90'],
      ['1084.00', '860.90'],
    ]);
    expect(pick(`${M(3)}/revenue`)).toEqual([
      ['100.00', '130.00'],
      ['300.00', '330.00'],
    ]);
  });

  it('every grouping adds up to the same totals, to the cent', async () => {
    const sums = [];
    for (const by of ['line', 'category', 'department', 'gl_account']) {
      const r = await variance(`by=${by}&as_of=${M(3)}`);
      const cents = (k: 'budget' | 'actual', p: 'month' | 'ytd') =>
        r.rows.reduce((s: bigint, x: Row) => s + BigInt(x[p][k].replace('.', '')), 0n);
      sums.push([
        cents('budget', 'month'),
        cents('actual', 'month'),
        cents('budget', 'ytd'),
        cents('actual', 'ytd'),
      ]);
    }
    for (const s of sums) expect(s).toEqual([46200n, 52990n, 138400n, 119090n]);
  });

  it('year-to-date as of the first month equals the month', async () => {
    const r = await variance(`as_of=${M(1)}`);
    const sales = r.rows.find((x: Row) => x.key.line_name === 'Product sales');
    expect(compact(sales.month)).toEqual(compact(sales.ytd));
    expect(compact(sales.month)).toEqual(['100.00', '110.00', '10.00', '10.00', 'favourable', false]);
  });

  it('defaults as_of to the latest month with actuals', async () => {
    const r = await variance('');
    expect(r.as_of).toBe(M(4));
    const sales = r.rows.find((x: Row) => x.key.line_name === 'Product sales');
    expect(sales.month.actual).toBe('500.00');
    expect(sales.ytd.actual).toBe('830.00');
  });

  it('thresholds from the request, else the tenant default; flagged_only keeps flagged rows', async () => {
    const strict = await variance(`as_of=${M(3)}&threshold_amount=40.00&threshold_percent=5`);
    expect(strict.thresholds).toEqual({ amount: '40.00', percent: '5.00' });
    const travel = strict.rows.find((x: Row) => x.key.line_name === 'Travel');
    expect(travel.month.flags).toEqual(['amount', 'percent']);
    const salaries = strict.rows.find((x: Row) => x.key.line_name === 'Salaries');
    expect(salaries.month.flags).toEqual(['percent']);
    expect(salaries.month.flagged).toBe(false);

    const admin = await t.token(tenant, { roles: ['admin'] });
    const put = await t.call('PUT', '/variance/thresholds', admin, {
      threshold_amount: '25.00',
      threshold_percent: '20',
    });
    expect(put.statusCode, put.body).toBe(200);
    expect((await t.call('GET', '/variance/thresholds', token)).json()).toEqual({
      threshold_amount: '25.00',
      threshold_percent: '20.00',
    });
    const tenantDefault = await variance(`as_of=${M(3)}&flagged_only=true`);
    expect(tenantDefault.thresholds).toEqual({ amount: '25.00', percent: '20.00' });
    // Month: Product sales (30.00, 30%) and Travel; YTD: Rent A, Rent B.
    expect(tenantDefault.rows.map((x: Row) => x.key.line_name)).toEqual([
      'Product sales',
      'Travel',
      'Rent A',
      'Rent B',
    ]);
    await t.call('PUT', '/variance/thresholds', admin, {
      threshold_amount: '0.00',
      threshold_percent: '10.00',
    });
  });

  it('line_type filter keeps the matching of every line', async () => {
    const r = await variance(`as_of=${M(3)}&line_type=revenue`);
    expect(r.rows.map((x: Row) => x.key.line_name)).toEqual(['Product sales']);
    expect(r.totals.map((x: Row) => x.line_type)).toEqual(['revenue']);
    expect(r.unmatched.ytd_actual).toBe('100.00');
  });

  it('a missing FX rate is a 422 naming the pair and the period', async () => {
    const other = newTenant();
    const tok = await t.token(other);
    const b = await createBudget(t, tok, [{ line_name: 'Fees', gl_account_id: '7000', amount: '120.00' }]);
    await phase(t, other, b.id, b.lines.Fees!, even('10.00'));
    await insertActuals(t, other, [{ period: month(2), gl: '7000', amount: '5.00', currency: 'GBP' }]);
    const res = await t.call('GET', `/budgets/${b.id}/variance?as_of=${M(2)}`, tok);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('fx_rate_missing');
    expect(res.json().message).toContain(`GBP→USD in ${M(2)}`);
    // A stored reverse pair (USD->GBP) is used inverted, as the FX contract says.
    await insertRate(t, other, month(1), 'USD', 'GBP', '0.8');
    const ok = (await t.call('GET', `/budgets/${b.id}/variance?as_of=${M(2)}`, tok)).json();
    expect(ok.fx_rates).toEqual([
      {
        from_currency: 'GBP',
        to_currency: 'USD',
        period: M(2),
        rate: '1.2500000000',
        rate_period: M(1),
        rate_inverted: true,
      },
    ]);
    expect(ok.rows[0].month.actual).toBe('6.25');
  });

  it('a budget with a department sees only that department’s actuals', async () => {
    const other = newTenant();
    const tok = await t.token(other);
    const b = await createBudget(t, tok, [{ line_name: 'Pay', gl_account_id: '6000', amount: '120.00' }], {
      department_id: 'ENG',
    });
    await phase(t, other, b.id, b.lines.Pay!, even('10.00'));
    await insertActuals(t, other, [
      { period: month(1), gl: '6000', department: 'ENG', amount: '7.00' },
      { period: month(1), gl: '6000', department: 'OPS', amount: '900.00' },
    ]);
    const r = (await t.call('GET', `/budgets/${b.id}/variance?as_of=${M(1)}`, tok)).json();
    expect(r.rows[0].month.actual).toBe('7.00');
    expect(r.unmatched.actual_rows).toBe(0);
  });

  it('refuses as_of outside the budget and bad query values', async () => {
    const out = await t.call('GET', `/budgets/${budget.id}/variance?as_of=${YEAR + 1}-01`, token);
    expect(out.statusCode).toBe(422);
    expect(out.json().code).toBe('as_of_outside_budget');
    for (const q of ['as_of=2027-13', 'by=color', 'threshold_amount=-1', 'threshold_percent=1.234', 'x=1']) {
      const res = await t.call('GET', `/budgets/${budget.id}/variance?${q}`, token);
      expect(res.statusCode, q).toBe(400);
    }
  });

  it('runs as a background job whose result is the same report', async () => {
    const { waitForJob } = await import('../../../test/helpers/app.ts');
    const res = await t.call('POST', `/budgets/${budget.id}/variance/jobs`, token, {
      by: 'category',
      as_of: M(3),
    });
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(t, token, res.json().job_id);
    expect(job.status).toBe('completed');
    expect(job.result).toEqual(await variance(`by=category&as_of=${M(3)}`));
  });

  it('a job that cannot succeed fails at once with the reason', async () => {
    const { waitForJob } = await import('../../../test/helpers/app.ts');
    const res = await t.call('POST', `/budgets/${budget.id}/variance/jobs`, token, {
      as_of: `${YEAR + 1}-01`,
    });
    const job = await waitForJob(t, token, res.json().job_id);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toContain('as_of_outside_budget');
  });
});
