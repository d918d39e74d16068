/**
 * Acceptance: a city-shaped budget and general ledger, generated here, loaded over real HTTP
 * through the documented imports with mappings only (no script edits the files), and every
 * department's budget, actual and variance checked against sums computed independently from the
 * raw files, to the cent.
 *
 * Shape: ~5,000 budget rows keyed by fund, department, program and account (program codes whose
 * first 3 characters are the department; GL accounts shared by every department; negative rows);
 * ~7,000 annual GL rows with quoted amounts with thousands separators, a `Year` column and no month,
 * and the program code in a column named `Dept`.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/shared/money.ts';
import { newTenant, startTestApp, type TestApp } from './helpers/app.ts';
import { backends } from './helpers/databases.ts';
import { http, httpBase } from './helpers/http.ts';

// A deterministic generator (mulberry32): the same files on every run.
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 1234567.8 written as "1,234,567.80" (the city's export). */
function grouped(cents: bigint): string {
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  const int = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${int}.${(abs % 100n).toString().padStart(2, '0')}`;
}
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

const DEPARTMENTS = Array.from({ length: 21 }, (_, i) => String(110 + i * 10));
const ACCOUNTS = [
  '5110',
  '5120',
  '5130',
  '5210',
  '5220',
  '5310',
  '5410',
  '5510',
  '5610',
  '5710',
  '5810',
  '5910',
];
const FUNDS = ['100', '210', '400'];

interface Generated {
  budgetCsv: string;
  actualsCsv: string;
  budgetRows: number;
  actualRows: number;
  negativeRows: number;
  /** Independent sums from the raw rows, per department, in cents. */
  budget: Map<string, bigint>;
  actual: Map<string, bigint>;
}

function generate(): Generated {
  const r = rng(20260601);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const programs = new Map(
    DEPARTMENTS.map((d) => [d, Array.from({ length: 6 }, (_, i) => `${d}${String(100 + i * 7)}`)]),
  );
  const budget = new Map<string, bigint>();
  const actual = new Map<string, bigint>();
  const pairs: { dept: string; program: string; account: string; fund: string }[] = [];
  const budgetLines = ['Fund,Program,Account,Account Description,Adopted Amount'];
  let negativeRows = 0;
  for (let i = 0; i < 5000; i++) {
    const dept = pick(DEPARTMENTS);
    const program = pick(programs.get(dept)!);
    const account = pick(ACCOUNTS);
    const fund = pick(FUNDS);
    let cents = BigInt(Math.floor(r() * 250_000_000)) + 1n;
    if (r() < 0.07) {
      cents = -BigInt(Math.floor(r() * 5_000_000)) - 1n;
      negativeRows++;
    }
    budget.set(dept, (budget.get(dept) ?? 0n) + cents);
    pairs.push({ dept, program, account, fund });
    budgetLines.push(
      [
        fund,
        program,
        account,
        `${account} ${i % 3 === 0 ? 'Salaries, regular' : 'Services "contract"'}`,
        grouped(cents),
      ]
        .map(csvCell)
        .join(','),
    );
  }
  // Actuals on budgeted (department, account) pairs: most on a budgeted program, some on a program
  // the budget does not have (matched on account + department), all for fiscal year 2026.
  const actualLines = ['Fund,Dept,Account,Sum Transaction Amt,Year'];
  for (let i = 0; i < 7000; i++) {
    const p = pick(pairs);
    const program = r() < 0.85 ? p.program : `${p.dept}999`;
    let cents = BigInt(Math.floor(r() * 90_000_000)) + 1n;
    if (r() < 0.05) cents = -cents;
    actual.set(p.dept, (actual.get(p.dept) ?? 0n) + cents);
    actualLines.push([p.fund, program, p.account, grouped(cents), '2026'].map(csvCell).join(','));
  }
  return {
    budgetCsv: `${budgetLines.join('\r\n')}\r\n`,
    actualsCsv: `${actualLines.join('\n')}\n`,
    budgetRows: 5000,
    actualRows: 7000,
    negativeRows,
    budget,
    actual,
  };
}

const money = (cents: bigint) => new Decimal(cents.toString()).div(100).toFixed(2);

describe.each(backends())('a city budget and ledger loaded through the imports on %s', (backend) => {
  let t: TestApp;
  let base: string;
  let token: string;
  const data = generate();

  beforeAll(async () => {
    t = await startTestApp(backend);
    base = await httpBase(t);
    token = await t.token(newTenant());
  }, 300_000);
  afterAll(() => t?.close());

  const csv = (path: string, body: string) =>
    http(base, 'POST', path, token, body, { 'content-type': 'text/csv' });
  const q = (mapping: unknown) => `mapping=${encodeURIComponent(JSON.stringify(mapping))}`;

  it('holds every department exactly to the cent', { timeout: 120_000 }, async () => {
    expect(data.negativeRows).toBeGreaterThan(200);
    const settings = await http(base, 'PUT', '/settings', token, {
      allow_negative_lines: true,
      fiscal_year_start_month: 7,
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const created = await http(base, 'POST', '/budgets', token, {
      budget_name: 'City adopted budget FY2026',
      budget_type: 'annual',
      fiscal_year: '2026',
      total_amount: '0.00',
      base_currency: 'USD',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const budgetId = created.body.budget_id as string;

    // The budget file, through the line import: department = first 3 characters of the program.
    const lineMapping = {
      target: 'lines',
      columns: {
        line_name: 'Account Description',
        amount: 'Adopted Amount',
        gl_account: 'Account',
        cost_centre: 'Program',
        fund: 'Fund',
      },
      derived: {
        department: { column: 'Program', start: 0, length: 3 },
        line_type: { constant: 'expense' },
        category: { constant: 'operating' },
      },
    };
    const saved = await http(base, 'POST', '/actuals/mappings', token, {
      name: 'city budget',
      mapping: lineMapping,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const lines = await csv(`/budgets/${budgetId}/lines/imports?mapping_name=city%20budget`, data.budgetCsv);
    expect(lines.status, JSON.stringify(lines.body).slice(0, 2000)).toBe(200);
    expect(lines.body).toMatchObject({ rows: data.budgetRows, added: data.budgetRows });
    expect(lines.body.columns.department).toMatchObject({ source: 'Program', matched_by: 'derived' });

    // The ledger: without a mapping the guess on "Dept" is refused, naming the column and the rule.
    const guessed = await csv('/actuals/imports?batch_key=gl-2026', data.actualsCsv);
    expect(guessed.status).toBe(422);
    expect(guessed.body.errors).toContainEqual(
      expect.objectContaining({
        path: 'mapping.columns.department',
        code: 'low_confidence_match',
        message: expect.stringContaining('"Dept"'),
      }),
    );
    const preview = await csv('/actuals/imports/preview?rows=5', data.actualsCsv);
    expect(preview.status).toBe(200);
    const suggestion = (f: string) => preview.body.suggestions.find((s: { field: string }) => s.field === f);
    expect(suggestion('amount')).toMatchObject({ source: 'Sum Transaction Amt', level: 'high' });
    expect(suggestion('period')).toMatchObject({ source: 'Year', level: 'high' });
    expect(suggestion('department')).toMatchObject({ source: 'Dept', level: 'medium' });

    const actualMapping = {
      columns: { period: 'Year', amount: 'Sum Transaction Amt', gl_account: 'Account', cost_centre: 'Dept' },
      derived: { department: { column: 'Dept', pattern: '^(\\d{3})' } },
      default_currency: 'USD',
    };
    const imported = await csv(`/actuals/imports?batch_key=gl-2026&${q(actualMapping)}`, data.actualsCsv);
    expect(imported.status, JSON.stringify(imported.body).slice(0, 2000)).toBe(201);
    expect(imported.body.row_count).toBe(data.actualRows);
    expect(imported.body.report.columns.period).toMatchObject({
      annual_rows: data.actualRows,
      fiscal_year_start_month: 7,
    });
    expect(imported.body.report.period_range).toEqual({ from: '2026-06-01', to: '2026-06-01' });

    // Variance by department at full year (the annual actuals sit in the fiscal year's last month).
    const variance = await http(base, 'GET', `/budgets/${budgetId}/variance?by=department`, token);
    expect(variance.status, JSON.stringify(variance.body).slice(0, 1000)).toBe(200);
    expect(variance.body.as_of).toBe('2026-06');
    expect(variance.body.unmatched.actual_rows).toBe(0);
    const rows = variance.body.rows as { key: { department_id: string }; ytd: Record<string, string> }[];
    expect(rows.map((x) => x.key.department_id).sort()).toEqual([...DEPARTMENTS].sort());
    for (const dept of DEPARTMENTS) {
      const row = rows.find((x) => x.key.department_id === dept)!;
      const b = data.budget.get(dept) ?? 0n;
      const a = data.actual.get(dept) ?? 0n;
      expect({ dept, ...row.ytd }).toMatchObject({
        dept,
        budget: money(b),
        actual: money(a),
        variance: money(a - b),
      });
    }
    const levels = variance.body.matched_by_level as {
      level: string;
      ytd_actual: string;
      actual_rows: number;
    }[];
    const total = [...data.actual.values()].reduce((s, v) => s + v, 0n);
    expect(levels.reduce((s, l) => s.plus(l.ytd_actual), new Decimal(0)).toFixed(2)).toBe(money(total));
    expect(levels.find((l) => l.level === 'gl_account_department')!.actual_rows).toBeGreaterThan(0);
  });
});
