/**
 * Test data for variance: a budget with lines in several currencies and match keys, phased
 * over twelve months, and actuals and FX rates written straight into their tables.
 */
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { tenantIdFromKey, withTenant } from '../../src/platform/tenancy/tenancy.ts';
import { budgetBody, lineBody, type TestApp } from './app.ts';

/** The fixture's fiscal year: next calendar year (fiscal years start in January by default). */
export const YEAR = new Date().getUTCFullYear() + 1;
/** First day of month `m` (1-12) of the fixture's year, or of another year. */
export const month = (m: number, year = YEAR) => `${year}-${String(m).padStart(2, '0')}-01`;

export interface ActualInput {
  period: string;
  amount: string;
  gl?: string | null;
  category?: string | null;
  department?: string | null;
  costCenter?: string | null;
  currency?: string;
}

/** Creates a budget through the API with the given lines; returns its id and line ids by name. */
export async function createBudget(
  t: TestApp,
  token: string,
  lines: Record<string, unknown>[],
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; lines: Record<string, string> }> {
  const res = await t.call(
    'POST',
    '/budgets',
    token,
    budgetBody({ fiscal_year: String(YEAR), budget_lines: lines.map((l) => lineBody(l)), ...overrides }),
  );
  if (res.statusCode !== 201) throw new Error(`budget not created: ${res.body}`);
  const id = res.json().budget_id as string;
  const list = await t.call('GET', `/budgets/${id}/lines?limit=500`, token);
  const byName: Record<string, string> = {};
  for (const l of list.json().items as { line_id: string; line_name: string }[])
    byName[l.line_name] = l.line_id;
  return { id, lines: byName };
}

/** Sets a line's amount per month (index 0 = January of YEAR), whatever the periods module wrote. */
export async function phase(t: TestApp, tenant: string, budgetId: string, lineId: string, amounts: string[]) {
  await withTenant(t.platform.database.db, tenantIdFromKey(tenant), async (tx) => {
    for (const [i, amount] of amounts.entries()) {
      await tx.execute(sql`
        INSERT INTO budget_periods (tenant_id, budget_id, line_id, period_index, period_start, amount)
        VALUES (${tenantIdFromKey(tenant)}, ${budgetId}, ${lineId}, ${i}, ${month(i + 1)}::date, ${amount})
        ON CONFLICT (tenant_id, line_id, period_index)
        DO UPDATE SET amount = EXCLUDED.amount, period_start = EXCLUDED.period_start`);
    }
  });
}

/** Spreads an amount evenly (it must divide by 12 to the cent in these tests). */
export const even = (monthly: string) => Array.from({ length: 12 }, () => monthly);

/** Marks a line as kept in another currency than the budget's. */
export async function setLineCurrency(t: TestApp, tenant: string, lineId: string, currency: string) {
  await withTenant(t.platform.database.db, tenantIdFromKey(tenant), (tx) =>
    tx.execute(sql`UPDATE budget_lines SET currency = ${currency} WHERE id = ${lineId}`),
  );
}

/** Inserts actual rows as one batch. */
export async function insertActuals(t: TestApp, tenant: string, rows: ActualInput[]) {
  const tenantId = tenantIdFromKey(tenant);
  const batch = uuidv7();
  await withTenant(t.platform.database.db, tenantId, async (tx) => {
    await tx.execute(sql`INSERT INTO actual_batches (tenant_id, id, batch_key, format, row_count, created_by)
      VALUES (${tenantId}, ${batch}, ${`test-${batch}`}, 'csv', ${rows.length}, 'test')`);
    for (const [i, r] of rows.entries()) {
      await tx.execute(sql`INSERT INTO actuals (tenant_id, batch_id, row_number, period, gl_account_id,
          department_id, cost_center_id, category, amount, currency)
        VALUES (${tenantId}, ${batch}, ${i + 1}, ${r.period}::date, ${r.gl ?? null}, ${r.department ?? null},
          ${r.costCenter ?? null}, ${r.category ?? null}, ${r.amount}, ${r.currency ?? 'USD'})`);
    }
  });
}

/** Inserts an FX rate: 1 `from` = `rate` `to` for the month. */
export async function insertRate(
  t: TestApp,
  tenant: string,
  period: string,
  from: string,
  to: string,
  rate: string,
) {
  const tenantId = tenantIdFromKey(tenant);
  await withTenant(t.platform.database.db, tenantId, (tx) =>
    tx.execute(sql`INSERT INTO fx_rates (tenant_id, period, from_currency, to_currency, rate, created_by)
      VALUES (${tenantId}, ${period}::date, ${from}, ${to}, ${rate}, 'test')`),
  );
}

/** The standard scenario of the variance tests (expected tables in src/modules/variance/variance.routes.test.ts). */
export async function standardScenario(t: TestApp, tenant: string, token: string) {
  const b = await createBudget(t, token, [
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
      department_id: 'ENG',
      gl_account_id: '6000',
      amount: '2400.00',
    },
    { line_name: 'Travel', line_type: 'expense', category: 'travel', department_id: 'ENG', amount: '0.00' },
    { line_name: 'Software', line_type: 'expense', category: 'it', gl_account_id: '6100', amount: '120.00' },
    {
      line_name: 'Rent A',
      line_type: 'expense',
      category: 'facilities',
      gl_account_id: '6200',
      amount: '600.00',
    },
    {
      line_name: 'Rent B',
      line_type: 'expense',
      category: 'facilities',
      gl_account_id: '6200',
      amount: '1200.00',
    },
  ]);
  const L = b.lines;
  await phase(t, tenant, b.id, L['Product sales']!, even('100.00'));
  await phase(t, tenant, b.id, L.Salaries!, even('200.00'));
  await phase(t, tenant, b.id, L.Travel!, even('0.00'));
  await phase(t, tenant, b.id, L.Software!, even('10.00'));
  await phase(t, tenant, b.id, L['Rent A']!, even('50.00'));
  await phase(t, tenant, b.id, L['Rent B']!, even('100.00'));
  await setLineCurrency(t, tenant, L.Software!, 'EUR');
  await insertRate(t, tenant, month(1), 'EUR', 'USD', '1.1');
  await insertRate(t, tenant, month(3), 'EUR', 'USD', '1.2');
  await insertActuals(t, tenant, [
    { period: month(1), gl: '4000', category: 'sales', amount: '110.00' },
    { period: month(2), gl: '4000', category: 'sales', amount: '90.00' },
    { period: month(3), gl: '4000', category: 'sales', amount: '100.00' },
    { period: month(3), gl: '4000', category: 'sales', amount: '30.00' },
    { period: month(1), gl: '6000', department: 'ENG', amount: '200.00' },
    { period: month(2), gl: '6000', department: 'ENG', amount: '250.00' },
    { period: month(3), gl: '6000', department: 'ENG', amount: '180.00' },
    // No GL account: matched to Travel by category + department.
    { period: month(3), category: 'travel', department: 'ENG', amount: '45.50' },
    { period: month(1), gl: '6100', amount: '10.00', currency: 'EUR' },
    { period: month(3), gl: '6100', amount: '12.00', currency: 'EUR' },
    // Shared by Rent A (50/month) and Rent B (100/month): split 1/3 : 2/3.
    { period: month(3), gl: '6200', amount: '160.00' },
    // Unmatched: a GL account no line carries, and a category + department no line has.
    { period: month(3), gl: '9999', category: 'misc', department: 'OPS', amount: '70.00' },
    { period: month(2), category: 'people', department: 'HR', amount: '30.00' },
    // Outside the report: before the budget, and after the as_of month used by most tests.
    { period: month(12, YEAR - 1), gl: '4000', amount: '999.00' },
    { period: month(4), gl: '4000', amount: '500.00' },
  ]);
  return b;
}
