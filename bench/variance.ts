/**
 * Variance benchmark on PostgreSQL (figures and a same-run ratio, no assertions): a budget of
 * 10,000 lines x 12 months against 1,000,000 actual rows (2% in EUR), variance by line as of
 * December through the HTTP API vs the same aggregate as one hand-written SQL query run by
 * the owner (no RLS, no API): GL-account matching, pro-rata split of shared accounts, FX.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { buildApp } from '../src/app/app.ts';
import { loadConfig } from '../src/config/env.ts';
import { signToken } from '../src/platform/auth/jwt.ts';
import { API_PREFIX } from '../src/platform/http/types.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { tenantIdFromKey } from '../src/platform/tenancy/tenancy.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';
import { median, time } from './util.ts';

const LINES = 10_000;
const ACTUALS = 1_000_000;
const REPEATS = 5;
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

function lines(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    line_name: `Line ${i}`,
    line_type: i % 5 === 0 ? 'revenue' : 'expense',
    category: `cat-${i % 40}`,
    amount: `${(i % 997) * 12 + 12}.${String(i % 100).padStart(2, '0')}`,
    department_id: `dept-${i % 12}`,
    // 300 GL accounts: about 33 lines share each, so the pro-rata split is exercised.
    gl_account_id: `6${String(i % 300).padStart(3, '0')}`,
    line_order: i,
  }));
}

/** The same aggregate as the API's `by=line` report, by hand: per line, December and year-to-date. */
const BASELINE = `
WITH l AS (
  SELECT id, 'g:' || gl_account_id AS mkey FROM budget_lines
  WHERE tenant_id = $1 AND budget_id = $2 AND NOT is_deleted
),
a AS (
  SELECT 'g:' || gl_account_id AS mkey, period AS m, currency, sum(amount) AS amount
  FROM actuals WHERE tenant_id = $1 AND period BETWEEN $3::date AND $4::date
  GROUP BY 1, 2, 3
),
conv AS (
  SELECT a.mkey, a.m, sum(CASE WHEN a.currency = 'USD' THEN a.amount ELSE round(a.amount * (
    SELECT rate FROM fx_rates f WHERE f.tenant_id = $1 AND f.from_currency = a.currency
      AND f.to_currency = 'USD' AND f.period <= a.m ORDER BY f.period DESC LIMIT 1), 2) END) AS actual
  FROM a JOIN (SELECT DISTINCT mkey FROM l) k ON k.mkey = a.mkey GROUP BY 1, 2
),
b AS (
  SELECT l.id, l.mkey, p.period_start AS m, p.amount AS budget,
    sum(p.amount) OVER (PARTITION BY l.mkey, p.period_start) AS key_budget
  FROM l JOIN budget_periods p ON p.tenant_id = $1 AND p.budget_id = $2 AND p.line_id = l.id
)
SELECT b.id, sum(b.budget) FILTER (WHERE b.m = $4::date) AS month_budget,
  sum(round(coalesce(c.actual, 0) * b.budget / nullif(b.key_budget, 0), 2)) FILTER (WHERE b.m = $4::date) AS month_actual,
  sum(b.budget) AS ytd_budget,
  sum(round(coalesce(c.actual, 0) * b.budget / nullif(b.key_budget, 0), 2)) AS ytd_actual
FROM b LEFT JOIN conv c ON c.mkey = b.mkey AND c.m = b.m
GROUP BY b.id`;

/** Runs the variance benchmark and prints its table. */
export async function benchVariance(): Promise<void> {
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
  const testDb = await createTestDatabase('postgres', 20);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: testDb.url!,
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bf-bench-')),
  });
  const platform = await createPlatform(config, {
    database: testDb.database,
    redisPrefix: `bf-bench-${uuidv7()}:`,
  });
  const { app } = await buildApp(platform);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${API_PREFIX}`;
  const tenant = 'bench-variance';
  const tid = tenantIdFromKey(tenant);
  const token = await signToken(
    SECRET,
    { sub: 'bench', tenant_id: tenant, roles: ['admin'], permissions: [] },
    3600,
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const year = new Date().getUTCFullYear() + 1;
  const first = `${year}-01-01`;
  const last = `${year}-12-01`;
  const raw = new pg.Client({ connectionString: testDb.url });
  await raw.connect();
  try {
    const created = await fetch(`${base}/budgets`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        budget_name: 'Variance bench',
        budget_type: 'annual',
        fiscal_year: String(year),
        total_amount: '0.00',
        base_currency: 'USD',
        budget_lines: lines(LINES),
      }),
    });
    if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
    const budgetId = ((await created.json()) as { budget_id: string }).budget_id;

    // As the owner, straight into the tables: the phasing (whatever the periods module wrote),
    // one actuals batch of 1,000,000 rows, and monthly EUR->USD rates.
    const load = await time(async () => {
      await raw.query(
        `INSERT INTO budget_periods (tenant_id, budget_id, line_id, period_index, period_start, amount)
         SELECT l.tenant_id, l.budget_id, l.id, g, make_date($3, g + 1, 1), round(l.amount / 12, 2)
         FROM budget_lines l, generate_series(0, 11) g WHERE l.tenant_id = $1 AND l.budget_id = $2
         ON CONFLICT (tenant_id, line_id, period_index) DO UPDATE SET amount = EXCLUDED.amount,
           period_start = EXCLUDED.period_start`,
        [tid, budgetId, year],
      );
      const batch = uuidv7();
      await raw.query(
        `INSERT INTO actual_batches (tenant_id, id, batch_key, format, row_count, created_by)
         VALUES ($1, $2, 'bench', 'csv', $3, 'bench')`,
        [tid, batch, ACTUALS],
      );
      // 95% on the budget's GL accounts, 5% on accounts no line carries (unmatched).
      await raw.query(
        `INSERT INTO actuals (tenant_id, batch_id, row_number, period, gl_account_id, department_id, category, amount, currency)
         SELECT $1, $2, g, make_date($3, 1 + g % 12, 1),
           CASE WHEN g % 20 = 0 THEN '9' ELSE '6' END || lpad(((g / 12) % 300)::text, 3, '0'),
           'dept-' || (g % 12), 'cat-' || (g % 40), ((g::bigint * 7919) % 100000) / 100.0,
           CASE WHEN g % 50 = 0 THEN 'EUR' ELSE 'USD' END
         FROM generate_series(1, $4) g`,
        [tid, batch, year, ACTUALS],
      );
      await raw.query(
        `INSERT INTO fx_rates (tenant_id, period, from_currency, to_currency, rate, created_by)
         SELECT $1, make_date($2, m, 1), 'EUR', 'USD', 1.05 + m / 100.0, 'bench' FROM generate_series(1, 12) m`,
        [tid, year],
      );
      await raw.query('ANALYZE');
    });

    const url = `${base}/budgets/${budgetId}/variance?by=line&as_of=${last.slice(0, 7)}`;
    const apiTimes: number[] = [];
    const sqlTimes: number[] = [];
    let text = '';
    for (let r = 0; r < REPEATS + 1; r++) {
      const api = await time(async () => {
        const res = await fetch(url, { headers });
        text = await res.text();
        if (res.status !== 200) throw new Error(`variance failed: ${res.status} ${text.slice(0, 500)}`);
      });
      const hand = await time(() => raw.query(BASELINE, [tid, budgetId, first, last]));
      if (r > 0) {
        // The first round warms caches and plans.
        apiTimes.push(api);
        sqlTimes.push(hand);
      }
    }
    const rows = (JSON.parse(text) as { rows: unknown[] }).rows.length;
    const bytes = text.length;
    const a = median(apiTimes);
    const s = median(sqlTimes);
    console.log(
      `\nVariance on PostgreSQL (${LINES} lines x 12 months, ${ACTUALS} actual rows loaded in ${(load / 1000).toFixed(1)} s; median of ${REPEATS})`,
    );
    console.table([
      {
        measure: `API GET /variance?by=line (${rows} rows, ${(bytes / 1e6).toFixed(1)} MB JSON)`,
        ms: a.toFixed(0),
        baseline: 'hand-written SQL',
        baseline_ms: s.toFixed(0),
        ratio: (a / s).toFixed(2),
        target: '<= 1.3',
      },
    ]);
    console.log(
      'Note: the baseline computes less than the API: GL-account matching only (no category + department\n' +
        'fallback, no unmatched actuals), a per-line rounded split (not the cent-exact running-total split),\n' +
        'no line-currency FX, no percent / favourability / flags, no totals, no ordering or HTTP/JSON, and it\n' +
        'runs as the owner without row-level security.',
    );
  } finally {
    await raw.end();
    await app.close();
    await platform.close();
    await testDb.drop();
  }
}
