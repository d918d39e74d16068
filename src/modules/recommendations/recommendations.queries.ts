/**
 * The analysis queries of the recommendations engine. Each query is a named, fixed SQL text
 * with its parameters; the text and the parameters go into every recommendation's evidence, so a
 * reader can run the same query and get the same figures. Money is summed and converted in
 * PostgreSQL (NUMERIC) and read back as decimal strings.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';

/** Which actuals a budget sees: all of the tenant's, or only its department's / cost centre's. */
export interface Scope {
  departmentId: string | null;
  costCenterId: string | null;
}

/** A query as evidence: its name, its SQL text and its parameters. */
export interface QueryEvidence {
  name: string;
  sql: string;
  parameters: Record<string, string | null>;
}

function scopeFilter(scope: Scope): SQL {
  return sql`${scope.departmentId !== null ? sql`AND a.department_id = ${scope.departmentId}` : sql``}
    ${scope.costCenterId !== null ? sql`AND a.cost_center_id = ${scope.costCenterId}` : sql``}`;
}

const SCOPE_TEXT =
  'AND a.department_id = :scope_department (when set) AND a.cost_center_id = :scope_cost_center (when set)';

// The same FX rule as the variance report: the rate of the month, else the latest earlier one.
const FX_TEXT = `LEFT JOIN LATERAL (SELECT f.rate FROM fx_rates f WHERE f.from_currency = x.currency
  AND f.to_currency = :base_currency AND f.period <= x.m ORDER BY f.period DESC LIMIT 1) r ON x.currency <> :base_currency`;

/** Budget per department, line type and month, in the base currency (per line-month rounding). */
export const BUDGET_CELLS_SQL = `SELECT l.department_id, l.line_type, x.m,
  sum(CASE WHEN x.currency = :base_currency THEN x.amount ELSE round(x.amount * r.rate, 2) END) AS amount,
  bool_or(x.currency <> :base_currency AND r.rate IS NULL) AS missing_rate
FROM (SELECT bp.line_id, bp.period_start AS m, bp.amount, coalesce(l.currency, :base_currency) AS currency
      FROM budget_periods bp JOIN budget_lines l ON l.id = bp.line_id
      WHERE bp.budget_id = :budget_id AND NOT l.is_deleted) x
JOIN budget_lines l ON l.id = x.line_id
${FX_TEXT}
GROUP BY l.department_id, l.line_type, x.m ORDER BY x.m`;

export interface BudgetCell {
  department_id: string | null;
  line_type: string;
  m: string;
  amount: string;
  missing_rate: boolean;
}

/** Runs BUDGET_CELLS_SQL. */
export function budgetCells(tx: Queryable, budgetId: string, base: string): Promise<BudgetCell[]> {
  return queryRows<BudgetCell>(
    tx,
    sql`SELECT l.department_id, l.line_type::text AS line_type, to_char(x.m, 'YYYY-MM-DD') AS m,
      sum(CASE WHEN x.currency = ${base} THEN x.amount ELSE round(x.amount * r.rate, 2) END)::text AS amount,
      bool_or(x.currency <> ${base} AND r.rate IS NULL) AS missing_rate
    FROM (SELECT bp.line_id, bp.period_start AS m, bp.amount, coalesce(l.currency, ${base}) AS currency
          FROM budget_periods bp JOIN budget_lines l ON l.id = bp.line_id
          WHERE bp.budget_id = ${budgetId} AND NOT l.is_deleted) x
    JOIN budget_lines l ON l.id = x.line_id
    LEFT JOIN LATERAL (SELECT f.rate FROM fx_rates f WHERE f.from_currency = x.currency
      AND f.to_currency = ${base} AND f.period <= x.m ORDER BY f.period DESC LIMIT 1) r ON x.currency <> ${base}
    GROUP BY l.department_id, l.line_type, x.m ORDER BY x.m`,
  );
}

/** Monthly actuals matched to the budget's lines (GL account first, else category + department), by line type. */
export const ACTUAL_HISTORY_SQL = `WITH keys AS (
  SELECT CASE WHEN gl_account_id IS NOT NULL THEN 'g:' || gl_account_id
              ELSE 'c:' || category || chr(31) || coalesce(department_id, '') END AS mkey,
         min(line_type::text) AS line_type
  FROM budget_lines WHERE budget_id = :budget_id AND NOT is_deleted GROUP BY 1),
x AS (SELECT a.period AS m, a.currency, a.amount, coalesce(g.line_type, c.line_type) AS line_type
  FROM actuals a
  LEFT JOIN keys g ON g.mkey = 'g:' || a.gl_account_id
  LEFT JOIN keys c ON c.mkey = 'c:' || a.category || chr(31) || coalesce(a.department_id, '')
  WHERE a.period >= :from AND a.period <= :to ${SCOPE_TEXT})
SELECT x.line_type, x.m,
  sum(CASE WHEN x.currency = :base_currency THEN x.amount ELSE round(x.amount * r.rate, 2) END) AS amount,
  count(*) AS n, count(*) FILTER (WHERE x.currency <> :base_currency AND r.rate IS NULL) AS missing_rate_rows
FROM x ${FX_TEXT}
GROUP BY x.line_type, x.m ORDER BY x.m`;

export interface HistoryCell {
  line_type: string | null;
  m: string;
  amount: string | null;
  n: string;
  missing_rate_rows: string;
}

/** Runs ACTUAL_HISTORY_SQL over [from, to] (first days of months). */
export function actualHistory(
  tx: Queryable,
  p: { budgetId: string; base: string; from: string; to: string; scope: Scope },
): Promise<HistoryCell[]> {
  return queryRows<HistoryCell>(
    tx,
    sql`WITH keys AS (
      SELECT CASE WHEN gl_account_id IS NOT NULL THEN 'g:' || gl_account_id
                  ELSE 'c:' || category || chr(31) || coalesce(department_id, '') END AS mkey,
             min(line_type::text) AS line_type
      FROM budget_lines WHERE budget_id = ${p.budgetId} AND NOT is_deleted GROUP BY 1),
    x AS (SELECT a.period AS m, a.currency, a.amount, coalesce(g.line_type, c.line_type) AS line_type
      FROM actuals a
      LEFT JOIN keys g ON g.mkey = 'g:' || a.gl_account_id
      LEFT JOIN keys c ON c.mkey = 'c:' || a.category || chr(31) || coalesce(a.department_id, '')
      WHERE a.period >= ${p.from}::date AND a.period <= ${p.to}::date ${scopeFilter(p.scope)})
    SELECT x.line_type, to_char(x.m, 'YYYY-MM-DD') AS m,
      sum(CASE WHEN x.currency = ${p.base} THEN x.amount ELSE round(x.amount * r.rate, 2) END)::text AS amount,
      count(*)::text AS n,
      count(*) FILTER (WHERE x.currency <> ${p.base} AND r.rate IS NULL)::text AS missing_rate_rows
    FROM x LEFT JOIN LATERAL (SELECT f.rate FROM fx_rates f WHERE f.from_currency = x.currency
      AND f.to_currency = ${p.base} AND f.period <= x.m ORDER BY f.period DESC LIMIT 1) r ON x.currency <> ${p.base}
    GROUP BY x.line_type, x.m ORDER BY x.m`,
  );
}

/** The latest month up to `to` with any actual in scope, and the number of actual rows in [from, to]. */
export async function actualExtent(
  tx: Queryable,
  p: { from: string; to: string; scope: Scope },
): Promise<{ latest: string | null; rows: number }> {
  const [row] = await queryRows<{ latest: string | null; n: string }>(
    tx,
    sql`SELECT to_char(max(a.period), 'YYYY-MM-DD') AS latest, count(*)::text AS n FROM actuals a
        WHERE a.period >= ${p.from}::date AND a.period <= ${p.to}::date ${scopeFilter(p.scope)}`,
  );
  return { latest: row?.latest ?? null, rows: Number(row?.n ?? 0) };
}

/** Headcount: the sum of `quantity` over lines allocated by headcount. */
export const HEADCOUNT_SQL = `SELECT sum(quantity) AS headcount, count(*) AS lines FROM budget_lines
WHERE budget_id = :budget_id AND NOT is_deleted AND allocation_method = 'headcount' AND quantity IS NOT NULL`;

/** Runs HEADCOUNT_SQL; null when no line carries a headcount. */
export async function headcount(tx: Queryable, budgetId: string): Promise<string | null> {
  const [row] = await queryRows<{ headcount: string | null }>(
    tx,
    sql`SELECT sum(quantity)::text AS headcount FROM budget_lines
        WHERE budget_id = ${budgetId} AND NOT is_deleted AND allocation_method = 'headcount' AND quantity IS NOT NULL`,
  );
  return row?.headcount ?? null;
}

/** Revenue budget per group (GL account, else category): for concentration. */
export const REVENUE_GROUPS_SQL = `SELECT coalesce(gl_account_id, category) AS grp, sum(amount) AS amount
FROM budget_lines WHERE budget_id = :budget_id AND NOT is_deleted AND line_type = 'revenue'
GROUP BY 1 ORDER BY 2 DESC, 1`;

/** Runs REVENUE_GROUPS_SQL (amounts in the lines' own currency; the budget's when lines set none). */
export function revenueGroups(tx: Queryable, budgetId: string): Promise<{ grp: string; amount: string }[]> {
  return queryRows(
    tx,
    sql`SELECT coalesce(gl_account_id, category) AS grp, sum(amount)::text AS amount
        FROM budget_lines WHERE budget_id = ${budgetId} AND NOT is_deleted AND line_type = 'revenue'
        GROUP BY 1 ORDER BY sum(amount) DESC, 1`,
  );
}

/** Evidence entry for one of the queries above. */
export function evidenceOf(
  name: string,
  text: string,
  parameters: Record<string, string | null>,
): QueryEvidence {
  return { name, sql: text, parameters };
}

/** The months a budget covers: its date range when set, plus the months its periods use. */
export async function budgetMonthList(tx: Queryable, budgetId: string): Promise<string[]> {
  const rows = await queryRows<{ m: string }>(
    tx,
    sql`SELECT to_char(m, 'YYYY-MM-DD') AS m FROM (
          SELECT gs::date AS m FROM budgets b,
            generate_series(date_trunc('month', b.period_start), b.period_end, interval '1 month') gs
          WHERE b.id = ${budgetId} AND b.period_start IS NOT NULL AND b.period_end IS NOT NULL
          UNION SELECT DISTINCT period_start FROM budget_periods WHERE budget_id = ${budgetId}
        ) x ORDER BY m`,
  );
  return rows.map((r) => r.m);
}

/** Number of live lines of a budget (for the job threshold). */
export async function lineCount(tx: Queryable, budgetId: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    tx,
    sql`SELECT count(*)::text AS n FROM budget_lines WHERE budget_id = ${budgetId} AND NOT is_deleted`,
  );
  return Number(row?.n ?? 0);
}
