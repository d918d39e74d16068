/** SQL for budget periods. Bulk writes send all amounts as one JSON parameter (one statement). */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import { budgetPeriods } from '../../platform/db/schema.ts';
import type { LineType, SpreadMethod } from '../../shared/enums.ts';

/** The period amounts of one line, in period order. */
export interface LinePeriods {
  lineId: string;
  amounts: string[];
}

/**
 * Inserts the periods of many lines in one statement: the payload holds, per line, its id and
 * its amounts; the statement expands them with their ordinality (10,000 lines x 12 periods =
 * one parameter, no 65,535-parameter limit).
 */
export async function insertPeriods(
  tx: Queryable,
  tenantId: string,
  budgetId: string,
  starts: string[],
  rows: LinePeriods[],
): Promise<void> {
  if (rows.length === 0) return;
  const payload = JSON.stringify(rows.map((r) => ({ l: r.lineId, a: r.amounts })));
  await tx.execute(sql`
    INSERT INTO budget_periods (tenant_id, budget_id, line_id, period_index, period_start, amount)
    SELECT ${tenantId}::uuid, ${budgetId}::uuid, x.l, (p.ord - 1)::smallint,
      (${JSON.stringify(starts)}::jsonb ->> (p.ord - 1)::int)::date, p.v::numeric
    FROM jsonb_to_recordset(${payload}::jsonb) AS x(l uuid, a jsonb)
    CROSS JOIN LATERAL jsonb_array_elements_text(x.a) WITH ORDINALITY AS p(v, ord)`);
}

/** Removes the periods of the given lines. */
export async function deleteLinePeriods(tx: Queryable, lineIds: string[]): Promise<void> {
  if (lineIds.length === 0) return;
  await tx.delete(budgetPeriods).where(inArray(budgetPeriods.lineId, lineIds));
}

/** Removes every period of a budget (all its lines are re-spread). */
export async function deleteBudgetPeriods(tx: Queryable, budgetId: string): Promise<void> {
  await tx.delete(budgetPeriods).where(eq(budgetPeriods.budgetId, budgetId));
}

/** Current period amounts of the given lines of a budget, in period order. */
export async function periodsOf(tx: Queryable, budgetId: string, lineIds?: string[]): Promise<LinePeriods[]> {
  const rows = await tx
    .select({
      lineId: budgetPeriods.lineId,
      amounts: sql<string[]>`array_agg(${budgetPeriods.amount}::text ORDER BY ${budgetPeriods.periodIndex})`,
    })
    .from(budgetPeriods)
    .where(
      and(eq(budgetPeriods.budgetId, budgetId), lineIds ? inArray(budgetPeriods.lineId, lineIds) : undefined),
    )
    .groupBy(budgetPeriods.lineId);
  return rows;
}

/** Last year's actuals totalled per month and matching keys, between two month starts. */
export interface ActualTotal {
  period: string;
  gl_account_id: string | null;
  department_id: string | null;
  category: string | null;
  total: string;
}

/** Actuals per month, GL account, department and category in [from, to]. */
export function actualTotals(tx: Queryable, from: string, to: string): Promise<ActualTotal[]> {
  return queryRows<ActualTotal>(
    tx,
    sql`SELECT to_char(period, 'YYYY-MM-DD') AS period, gl_account_id, department_id, category,
          sum(amount)::text AS total
        FROM actuals WHERE period >= ${from}::date AND period <= ${to}::date
        GROUP BY 1, 2, 3, 4`,
  );
}

/** A line of the period grid, wire-shaped. */
export interface GridLineRow {
  line_id: string;
  line_name: string;
  line_type: LineType;
  category: string;
  spread_method: SpreadMethod;
  amount: string;
  version: number;
  gl_account_id: string | null;
  department_id: string | null;
  cost_center_id: string | null;
  quantity: string | null;
  unit_cost: string | null;
  updated_by: string;
  updated_at: string;
}

/** A slice of the grid's lines in display order: `limit` lines (default: all) from the `offset`-th. */
export interface LinePage {
  offset: number;
  limit?: number | undefined;
}

/**
 * The budget's live lines in display order (or a page of them), wire-shaped, read as one JSON
 * value: PGlite (and the pg driver) parse one text column instead of 10,000 rows x 14 columns.
 */
export async function gridLines(tx: Queryable, budgetId: string, page?: LinePage): Promise<GridLineRow[]> {
  const slice = page ? sql`ORDER BY line_order, id LIMIT ${page.limit ?? null} OFFSET ${page.offset}` : sql``;
  const [row] = await queryRows<{ j: string }>(
    tx,
    sql`SELECT coalesce(json_agg(x ORDER BY x.line_order, x.line_id), '[]')::text AS j FROM (
          SELECT id AS line_id, line_order, line_name, line_type, category, spread_method,
            amount::text AS amount, version, gl_account_id, department_id, cost_center_id,
            quantity::text AS quantity, unit_cost::text AS unit_cost,
            coalesce(updated_by, created_by) AS updated_by,
            to_char(coalesce(updated_at, created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at
          FROM budget_lines WHERE budget_id = ${budgetId} AND NOT is_deleted ${slice}) x`,
  );
  const lines = JSON.parse(row?.j ?? '[]') as (GridLineRow & { line_order?: number })[];
  for (const l of lines) delete l.line_order;
  return lines;
}

/** How many live lines the budget has. */
export async function countLines(tx: Queryable, budgetId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`SELECT count(*)::int AS n FROM budget_lines WHERE budget_id = ${budgetId} AND NOT is_deleted`,
  );
  return row?.n ?? 0;
}

/**
 * The period amounts (in period order) of every line of a budget, or of the given lines only,
 * read as one JSON value.
 */
export async function periodsByLine(
  tx: Queryable,
  budgetId: string,
  lineIds?: string[],
): Promise<Map<string, string[]>> {
  if (lineIds?.length === 0) return new Map();
  const only = lineIds ? sql`AND line_id = ANY(${`{${lineIds.join(',')}}`}::uuid[])` : sql``;
  const [row] = await queryRows<{ j: string | null }>(
    tx,
    sql`SELECT json_object_agg(line_id, a)::text AS j FROM (
          SELECT line_id, json_agg(amount::text ORDER BY period_index) AS a
          FROM budget_periods WHERE budget_id = ${budgetId} ${only} GROUP BY line_id) p`,
  );
  return new Map(Object.entries(JSON.parse(row?.j ?? '{}') as Record<string, string[]>));
}
