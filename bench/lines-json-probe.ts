// Probe: JSON of 10,000 lines built in Node (rows parsed by pg, then JSON.stringify) vs built in
// PostgreSQL (row_to_json + string_agg), on PostgreSQL and PGlite.
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { budgets, tenants } from '../src/platform/db/schema.ts';
import { withTenant } from '../src/platform/tenancy/tenancy.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';

const iso = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const cols = `id AS line_id, budget_id, line_name, line_type, category, subcategory, amount, is_contra, quantity, unit_cost,
      allocation_method, allocation_percentage, allocation_driver, department_id, cost_center_id, gl_account_id,
      description, notes, requires_approval, approval_threshold, line_order, metadata, spread_method, spread_profile,
      ${iso('created_at')} AS created_at, created_by, ${iso('updated_at')} AS updated_at, updated_by, version`;
const colsText = cols
  .replace(' amount,', ' amount::text AS amount,')
  .replace(' quantity,', ' quantity::text AS quantity,')
  .replace(' unit_cost,', ' unit_cost::text AS unit_cost,')
  .replace(' allocation_percentage,', ' allocation_percentage::text AS allocation_percentage,')
  .replace(' approval_threshold,', ' approval_threshold::text AS approval_threshold,');

for (const backend of ['postgres', 'pglite'] as const) {
  const t = await createTestDatabase(backend);
  const db = t.database.db;
  const tid = uuidv7();
  const bid = uuidv7();
  await withTenant(db, tid, async (tx) => {
    await tx.insert(tenants).values({ id: tid, externalKey: 'probe', name: 'probe' });
    await tx.insert(budgets).values({
      id: bid,
      tenantId: tid,
      createdBy: 'p',
      budgetName: 'Probe budget',
      budgetType: 'annual',
      fiscalYear: '2027',
      totalAmount: '0',
      baseCurrency: 'USD',
    } as never);
    await tx.execute(
      sql.raw(`INSERT INTO budget_lines (tenant_id, id, budget_id, created_by, line_name, line_type, category, amount, quantity, unit_cost, line_order, metadata, department_id, gl_account_id)
      SELECT '${tid}', gen_random_uuid(), '${bid}', 'p', 'Line ' || g, 'expense', 'ops', (g * 1.37)::numeric(15,2), 3, (g*0.457)::numeric(15,2), g, jsonb_build_object('k', g), 'D' || (g % 20), '5' || (g % 50)
      FROM generate_series(1, 10000) g`),
    );
  });
  await withTenant(db, tid, (tx) => tx.execute(sql`ANALYZE budget_lines`)).catch(() => {});
  const node = async () =>
    withTenant(db, tid, async (tx) => {
      const r = (await tx.execute(
        sql.raw(
          `SELECT ${cols} FROM budget_lines WHERE budget_id = '${bid}' AND NOT is_deleted ORDER BY line_order, id`,
        ),
      )) as unknown as { rows: unknown[] };
      return JSON.stringify(r.rows);
    });
  const inPg = async () =>
    withTenant(db, tid, async (tx) => {
      const r = (await tx.execute(
        sql.raw(
          `SELECT coalesce('[' || string_agg(row_to_json(t)::text, ',' ORDER BY t.line_order, t.line_id) || ']', '[]') AS j FROM (SELECT ${colsText} FROM budget_lines WHERE budget_id = '${bid}' AND NOT is_deleted) t`,
        ),
      )) as unknown as { rows: { j: string }[] };
      return r.rows[0]!.j;
    });
  const rowsPg = async () =>
    withTenant(db, tid, async (tx) => {
      const r = (await tx.execute(
        sql.raw(
          `SELECT row_to_json(t)::text AS j FROM (SELECT ${colsText} FROM budget_lines WHERE budget_id = '${bid}' AND NOT is_deleted ORDER BY line_order, id) t`,
        ),
      )) as unknown as { rows: { j: string }[] };
      return `[${r.rows.map((x) => x.j).join(',')}]`;
    });
  console.log(
    'rows same:',
    JSON.stringify(JSON.parse(await rowsPg())) === JSON.stringify(JSON.parse(await node())),
  );
  const a = JSON.parse(await node());
  const b = JSON.parse(await inPg());
  console.log(backend, 'same:', JSON.stringify(a) === JSON.stringify(b), a.length);
  for (const [name, f] of [
    ['node', node],
    ['pg', inPg],
    ['rows', rowsPg],
    ['node', node],
    ['pg', inPg],
    ['rows', rowsPg],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      await f();
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    console.log(backend, name, times[3]!.toFixed(1), 'ms median');
  }
  await t.drop();
}
process.exit(0);
