/** SQL for spreadsheet exports and imports: a budget's lines with their amounts per month. */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';

/** One line as exported: its fields and its amount per month (YYYY-MM -> decimal string). */
export interface ExportLine {
  line_id: string;
  version: number;
  line_name: string;
  line_type: string;
  category: string;
  department_id: string | null;
  cost_center_id: string | null;
  gl_account_id: string | null;
  currency: string;
  is_contra: boolean;
  quantity: string | null;
  unit_cost: string | null;
  spread_method: string;
  line_order: number;
  amount: string;
  periods: Record<string, string> | null;
}

/** The live lines of a budget in display order, each with its periods. */
export function exportLines(tx: Queryable, budgetId: string, baseCurrency: string): Promise<ExportLine[]> {
  return queryRows<ExportLine>(
    tx,
    sql`SELECT l.id AS line_id, l.version, l.line_name, l.line_type::text AS line_type, l.category,
          l.department_id, l.cost_center_id, l.gl_account_id, coalesce(l.currency, ${baseCurrency}) AS currency,
          l.is_contra, l.quantity::text AS quantity, l.unit_cost::text AS unit_cost,
          l.spread_method::text AS spread_method, l.line_order, l.amount::text AS amount, p.periods
        FROM budget_lines l
        LEFT JOIN (
          SELECT line_id, json_object_agg(to_char(period_start, 'YYYY-MM'), amount::text) AS periods
          FROM budget_periods WHERE budget_id = ${budgetId} GROUP BY line_id
        ) p ON p.line_id = l.id
        WHERE l.budget_id = ${budgetId} AND NOT l.is_deleted
        ORDER BY l.line_order, l.id`,
  );
}

/** The live lines' periods of a budget: line id -> (YYYY-MM -> decimal string). */
export async function periodsByLine(
  tx: Queryable,
  budgetId: string,
): Promise<Map<string, Record<string, string>>> {
  const rows = await queryRows<{ line_id: string; periods: Record<string, string> }>(
    tx,
    sql`SELECT line_id, json_object_agg(to_char(period_start, 'YYYY-MM'), amount::text) AS periods
        FROM budget_periods WHERE budget_id = ${budgetId} GROUP BY line_id`,
  );
  return new Map(rows.map((r) => [r.line_id, r.periods]));
}

/** Which of `ids` are soft-deleted lines of the budget (deleted since a workbook was exported). */
export async function deletedLineIds(tx: Queryable, budgetId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`SELECT id FROM budget_lines WHERE budget_id = ${budgetId} AND is_deleted
        AND id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
  );
  return new Set(rows.map((r) => r.id));
}

/** Soft-deletes lines (bumping their versions). */
export async function softDeleteLines(tx: Queryable, ids: string[], userId: string): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`UPDATE budget_lines SET is_deleted = true, deleted_at = now(), deleted_by = ${userId},
      updated_by = ${userId}, updated_at = now(), version = version + 1
    WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])`);
}
