/** SQL for spreadsheet exports: a budget's lines with their amounts per month. */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';

/** One line as exported: its fields and its amount per month (YYYY-MM -> decimal string). */
export interface ExportLine {
  line_name: string;
  line_type: string;
  category: string;
  department_id: string | null;
  cost_center_id: string | null;
  gl_account_id: string | null;
  currency: string;
  amount: string;
  periods: Record<string, string> | null;
}

/** The live lines of a budget in display order, each with its periods. */
export function exportLines(tx: Queryable, budgetId: string, baseCurrency: string): Promise<ExportLine[]> {
  return queryRows<ExportLine>(
    tx,
    sql`SELECT l.line_name, l.line_type::text AS line_type, l.category, l.department_id, l.cost_center_id,
          l.gl_account_id, coalesce(l.currency, ${baseCurrency}) AS currency, l.amount::text AS amount,
          p.periods
        FROM budget_lines l
        LEFT JOIN (
          SELECT line_id, json_object_agg(to_char(period_start, 'YYYY-MM'), amount::text) AS periods
          FROM budget_periods WHERE budget_id = ${budgetId} GROUP BY line_id
        ) p ON p.line_id = l.id
        WHERE l.budget_id = ${budgetId} AND NOT l.is_deleted
        ORDER BY l.line_order, l.id`,
  );
}
