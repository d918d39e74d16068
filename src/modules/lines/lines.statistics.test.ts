/**
 * A bulk write of lines refreshes the planner's statistics of the tables it filled, after its
 * commit: without it the planner takes a just-imported budget for an empty one and joins it by
 * nested loop (a variance report on 5,000 fresh lines took minutes, test/ledger-acceptance).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { BULK_WRITE_ROWS, queryRows } from '../../platform/db/client.ts';

describe.each(backends())('statistics after a bulk write of lines on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(() => t?.close());

  // reltuples is the planner's row count: -1 until the table is first analysed (never by
  // autovacuum within this test's seconds, and PGlite has none), then the rows ANALYZE counted.
  const planned = async (table: string) => {
    const [row] = await queryRows<{ n: number }>(
      t.platform.database.db,
      sql`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = ${table} AND relkind = 'r'`,
    );
    return Number(row!.n);
  };

  it('a budget created with enough lines has its lines and months counted before the response', async () => {
    const token = await t.token(newTenant());
    const n = BULK_WRITE_ROWS;
    const res = await t.call(
      'POST',
      '/budgets',
      token,
      budgetBody({ budget_lines: Array.from({ length: n }, (_, i) => lineBody({ line_order: i })) }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(await planned('budget_lines')).toBeGreaterThanOrEqual(n);
    expect(await planned('budget_periods')).toBeGreaterThanOrEqual(n * 12);
  });
});
