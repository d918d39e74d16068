/** The dimension codes of a budget's live lines, read for a roll-up (under RLS: the caller's scope). */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import type { Dimension } from '../dimensions/index.ts';

// A line without a department or cost centre has its budget's, as variance matching does.
const CODE: Record<Dimension, string> = {
  department: 'coalesce(l.department_id, b.department_id)',
  cost_center: 'coalesce(l.cost_center_id, b.cost_center_id)',
  gl_account: 'l.gl_account_id',
  fund: "(l.metadata->>'fund')",
};

/** line id -> its code for `dimension` (null when it has none). */
export async function lineCodes(tx: Queryable, budgetId: string, dimension: Dimension) {
  const [row] = await queryRows<{ j: string }>(
    tx,
    sql`SELECT coalesce(json_object_agg(l.id, ${sql.raw(CODE[dimension])}), '{}')::text AS j
        FROM budget_lines l JOIN budgets b ON b.id = l.budget_id
        WHERE l.budget_id = ${budgetId} AND NOT l.is_deleted`,
  );
  return new Map(Object.entries(JSON.parse(row?.j ?? '{}') as Record<string, string | null>));
}
