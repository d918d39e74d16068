/**
 * SQL of variance analysis. Everything is aggregated in PostgreSQL: actuals are summed per
 * (month, currency, GL account, category, department), matched to the budget's lines, converted
 * to the base currency, split between the lines sharing a match key, and grouped. One query
 * returns the report rows, the totals, the unmatched actuals and the FX rates used, tagged by
 * `kind`, so the actuals are scanned once.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import type { ThresholdSettings, VarianceGrouping } from './variance.schema.ts';

/** The months a budget covers: its date range when set, else the months its periods use. */
export async function budgetMonths(tx: Queryable, budgetId: string): Promise<string[]> {
  const rows = await queryRows<{ m: string }>(
    tx,
    sql`SELECT to_char(m, 'YYYY-MM-DD') AS m FROM (
          SELECT gs::date AS m FROM budgets b,
            generate_series(date_trunc('month', b.period_start), b.period_end, interval '1 month') gs
          WHERE b.id = ${budgetId} AND b.period_start IS NOT NULL AND b.period_end IS NOT NULL
          UNION
          SELECT DISTINCT period_start FROM budget_periods WHERE budget_id = ${budgetId}
        ) x ORDER BY m`,
  );
  return rows.map((r) => r.m);
}

/** The tenant's stored variance thresholds, each falling back to `defaults`. */
export async function readThresholds(
  tx: Queryable,
  tenantId: string,
  defaults: ThresholdSettings,
): Promise<ThresholdSettings> {
  const [row] = await queryRows<{ a: string | null; p: string | null }>(
    tx,
    sql`SELECT settings->'variance'->>'threshold_amount' AS a, settings->'variance'->>'threshold_percent' AS p
        FROM tenants WHERE id = ${tenantId}`,
  );
  return {
    threshold_amount: row?.a ?? defaults.threshold_amount,
    threshold_percent: row?.p ?? defaults.threshold_percent,
  };
}

/** Stores the tenant's variance thresholds in its settings, keeping its other settings. */
export async function writeThresholds(tx: Queryable, tenantId: string, t: ThresholdSettings): Promise<void> {
  await tx.execute(
    sql`UPDATE tenants SET settings = jsonb_set(settings, '{variance}', ${JSON.stringify(t)}::jsonb)
        WHERE id = ${tenantId}`,
  );
}

/** Which actuals a budget sees: all of the tenant's, or only its department's / cost centre's. */
export interface ActualScope {
  departmentId: string | null;
  costCenterId: string | null;
}

/** The latest month in [from, to] with any actual in scope, or null. */
export async function latestActualMonth(
  tx: Queryable,
  from: string,
  to: string,
  scope: ActualScope,
): Promise<string | null> {
  const [row] = await queryRows<{ m: string | null }>(
    tx,
    sql`SELECT to_char(max(a.period), 'YYYY-MM-DD') AS m FROM actuals a
        WHERE a.period >= ${from}::date AND a.period <= ${to}::date ${scopeFilter(scope)}`,
  );
  return row?.m ?? null;
}

function scopeFilter(scope: ActualScope): SQL {
  return sql`${scope.departmentId !== null ? sql`AND a.department_id = ${scope.departmentId}` : sql``}
    ${scope.costCenterId !== null ? sql`AND a.cost_center_id = ${scope.costCenterId}` : sql``}`;
}

export interface VarianceParams {
  budgetId: string;
  baseCurrency: string;
  /** First month of the budget (YYYY-MM-01). */
  from: string;
  /** Month of the report (YYYY-MM-01); year-to-date runs from `from` through it. */
  asOf: string;
  by: VarianceGrouping;
  thresholdAmount: string;
  thresholdPercent: string;
  lineType?: string | undefined;
  flaggedOnly: boolean;
  scope: ActualScope;
}

/** One tagged output row: a report row, a total, an unmatched group or an FX rate. */
export interface VarianceSqlRow {
  kind: 'row' | 'total' | 'unmatched' | 'fx';
  k1: string | null;
  k2: string | null;
  k3: string | null;
  k4: string | null;
  line_type: string | null;
  mb: string | null;
  ma: string | null;
  mv: string | null;
  mp: string | null;
  mfav: string | null;
  mflags: string | null;
  yb: string | null;
  ya: string | null;
  yv: string | null;
  yp: string | null;
  yfav: string | null;
  yflags: string | null;
  n: string | null;
}

// Group keys (k1..k4 of the output), grouping and order per grouping; fixed SQL, never input.
const GROUPS: Record<Exclude<VarianceGrouping, 'period'>, { keys: string[]; order: string }> = {
  line: { keys: ['l.id::text', 'l.line_name', 'l.category', 'l.gl_account_id'], order: 'min(l.line_order)' },
  category: { keys: ['l.category'], order: '0' },
  department: { keys: ['l.department_id'], order: '0' },
  gl_account: { keys: ['l.gl_account_id'], order: '0' },
};

/** `SELECT` list of the group keys as k1..k4, padded with NULLs. */
function keyList(keys: string[]): string {
  return [0, 1, 2, 3].map((i) => `${keys[i] ?? 'NULL::text'} AS k${i + 1}`).join(', ');
}
// How unmatched actuals are grouped: by the dimension asked for, by GL account for lines.
const UNMATCHED_KEY: Record<VarianceGrouping, string> = {
  line: 'k.gl_account_id',
  category: 'k.category',
  department: 'k.department_id',
  gl_account: 'k.gl_account_id',
  period: "to_char(k.m, 'YYYY-MM')",
};

/** SQL computing variance, percent, favourability and flags from budget `b` and actual `a`. */
function figures(b: string, a: string, p: VarianceParams, prefix: string): SQL {
  const v = `(${a} - ${b})`;
  const pct = `CASE WHEN ${b} = 0 THEN NULL ELSE round(${v} * 100 / ${b}, 2) END`;
  // Revenue and assets: more actual is favourable; expenses and liabilities: less is.
  const impact = `(CASE WHEN line_type IN ('revenue', 'asset') THEN 1 ELSE -1 END) * ${v}`;
  const overAmount = sql`abs(${sql.raw(v)}) > ${p.thresholdAmount}::numeric`;
  // A variance against a zero budget is an infinite percentage: it exceeds any percent threshold.
  const overPercent = sql`CASE WHEN ${sql.raw(b)} = 0 THEN ${sql.raw(a)} <> 0
    ELSE abs(${sql.raw(pct)}) > ${p.thresholdPercent}::numeric END`;
  return sql`${sql.raw(b)}::text AS ${sql.raw(`${prefix}b`)}, ${sql.raw(a)}::text AS ${sql.raw(`${prefix}a`)},
    ${sql.raw(v)}::text AS ${sql.raw(`${prefix}v`)}, (${sql.raw(pct)})::text AS ${sql.raw(`${prefix}p`)},
    CASE WHEN ${sql.raw(impact)} > 0 THEN 'favourable' WHEN ${sql.raw(impact)} < 0 THEN 'unfavourable'
      ELSE 'on_budget' END AS ${sql.raw(`${prefix}fav`)},
    concat_ws(',', CASE WHEN ${overAmount} THEN 'amount' END, CASE WHEN ${overPercent} THEN 'percent' END)
      AS ${sql.raw(`${prefix}flags`)}`;
}

/** Runs the variance query and returns its tagged rows. */
export function varianceRows(tx: Queryable, p: VarianceParams): Promise<VarianceSqlRow[]> {
  const base = p.baseCurrency;
  const lineTypeFilter = p.lineType ? sql`AND l.line_type::text = ${p.lineType}` : sql``;
  const grouped =
    p.by === 'period'
      ? sql`SELECT to_char(c.m, 'YYYY-MM') AS k1, NULL::text AS k2, NULL::text AS k3, NULL::text AS k4,
            l.line_type::text AS line_type, c.m AS ord1, 0::bigint AS ordn, ''::text AS ord2,
            sum(c.budget) AS mb, sum(c.actual) AS ma,
            sum(sum(c.budget)) OVER (PARTITION BY l.line_type ORDER BY c.m) AS yb,
            sum(sum(c.actual)) OVER (PARTITION BY l.line_type ORDER BY c.m) AS ya
          FROM cell c JOIN lines l ON l.id = c.line_id
          GROUP BY c.m, l.line_type`
      : sql`SELECT ${sql.raw(keyList(GROUPS[p.by].keys))}, l.line_type::text AS line_type,
            NULL::date AS ord1, ${sql.raw(GROUPS[p.by].order)}::bigint AS ordn, ${sql.raw(GROUPS[p.by].keys[0]!)} AS ord2,
            coalesce(sum(c.budget) FILTER (WHERE c.m = ${p.asOf}::date), 0.00) AS mb,
            coalesce(sum(c.actual) FILTER (WHERE c.m = ${p.asOf}::date), 0.00) AS ma,
            sum(c.budget) AS yb, sum(c.actual) AS ya
          FROM cell c JOIN lines l ON l.id = c.line_id
          GROUP BY ${sql.raw(GROUPS[p.by].keys.join(', '))}, l.line_type`;
  const flagged = p.flaggedOnly
    ? sql`WHERE g.mflags = 'amount,percent' OR g.yflags = 'amount,percent'`
    : sql``;
  return queryRows<VarianceSqlRow>(
    tx,
    sql`WITH
      lines AS (
        SELECT l.id, l.line_type, l.line_name, l.line_order, l.category, l.department_id, l.gl_account_id,
          coalesce(l.currency, ${base}) AS currency,
          CASE WHEN l.gl_account_id IS NOT NULL THEN 'g:' || l.gl_account_id
               ELSE 'c:' || l.category || chr(31) || coalesce(l.department_id, '') END AS mkey
        FROM budget_lines l WHERE l.budget_id = ${p.budgetId} AND NOT l.is_deleted
      ),
      keys AS (SELECT DISTINCT mkey FROM lines),
      months AS (
        SELECT gs::date AS m FROM generate_series(${p.from}::date, ${p.asOf}::date, interval '1 month') gs
      ),
      act AS MATERIALIZED (
        SELECT a.period AS m, a.currency, a.gl_account_id, a.category, a.department_id,
          sum(a.amount) AS amount, count(*) AS n
        FROM actuals a
        WHERE a.period >= ${p.from}::date AND a.period <= ${p.asOf}::date ${scopeFilter(p.scope)}
        GROUP BY 1, 2, 3, 4, 5
      ),
      keyed AS MATERIALIZED (
        -- GL account first; an actual whose GL account no line carries falls back to category + department.
        SELECT a.*, coalesce(g.mkey, c.mkey) AS mkey FROM act a
        LEFT JOIN keys g ON g.mkey = 'g:' || a.gl_account_id
        LEFT JOIN keys c ON c.mkey = 'c:' || a.category || chr(31) || coalesce(a.department_id, '')
      ),
      lm AS MATERIALIZED (
        SELECT l.id AS line_id, l.mkey, l.currency, mo.m, coalesce(bp.amount, 0.00) AS amount
        FROM lines l CROSS JOIN months mo
        LEFT JOIN budget_periods bp ON bp.budget_id = ${p.budgetId} AND bp.line_id = l.id AND bp.period_start = mo.m
      ),
      needs AS (
        SELECT DISTINCT currency, m FROM act WHERE currency <> ${base}
        UNION SELECT DISTINCT currency, m FROM lm WHERE currency <> ${base}
      ),
      fx AS MATERIALIZED (
        SELECT n.currency, n.m, r.rate, r.period AS rate_period FROM needs n
        LEFT JOIN LATERAL (
          SELECT f.rate, f.period FROM fx_rates f
          WHERE f.from_currency = n.currency AND f.to_currency = ${base} AND f.period <= n.m
          ORDER BY f.period DESC LIMIT 1
        ) r ON true
      ),
      lmc AS (
        SELECT lm.line_id, lm.mkey, lm.m,
          CASE WHEN lm.currency = ${base} THEN lm.amount ELSE round(lm.amount * fx.rate, 2) END AS budget
        FROM lm LEFT JOIN fx ON fx.currency = lm.currency AND fx.m = lm.m
      ),
      matched AS (
        SELECT k.mkey, k.m,
          sum(CASE WHEN k.currency = ${base} THEN k.amount ELSE round(k.amount * fx.rate, 2) END) AS actual
        FROM (SELECT mkey, m, currency, sum(amount) AS amount FROM keyed WHERE mkey IS NOT NULL GROUP BY 1, 2, 3) k
        LEFT JOIN fx ON fx.currency = k.currency AND fx.m = k.m
        GROUP BY 1, 2
      ),
      shares AS (
        -- A key's actual is split between its lines in proportion to their budget for the month
        -- (equally when they budget nothing); the rounding cents go to the largest line.
        SELECT b.line_id, b.mkey, b.m, b.budget, coalesce(ma.actual, 0.00) AS key_actual,
          CASE WHEN count(*) OVER w = 1 THEN coalesce(ma.actual, 0.00)
               WHEN sum(b.budget) OVER w <> 0 THEN round(coalesce(ma.actual, 0.00) * b.budget / sum(b.budget) OVER w, 2)
               ELSE round(coalesce(ma.actual, 0.00) / count(*) OVER w, 2) END AS share,
          row_number() OVER (PARTITION BY b.mkey, b.m ORDER BY b.budget DESC, b.line_id) AS rn
        FROM lmc b LEFT JOIN matched ma ON ma.mkey = b.mkey AND ma.m = b.m
        WINDOW w AS (PARTITION BY b.mkey, b.m)
      ),
      cell AS (
        SELECT line_id, m, budget,
          share + CASE WHEN rn = 1 THEN key_actual - sum(share) OVER (PARTITION BY mkey, m) ELSE 0.00 END AS actual
        FROM shares
      ),
      grp AS (${grouped}),
      scoped AS (SELECT * FROM grp l WHERE true ${lineTypeFilter}),
      g AS (
        SELECT k1, k2, k3, k4, line_type, ord1, ordn, ord2,
          ${figures('mb', 'ma', p, 'm')}, ${figures('yb', 'ya', p, 'y')}
        FROM scoped
      ),
      tot AS (
        SELECT l.line_type::text AS line_type,
          coalesce(sum(c.budget) FILTER (WHERE c.m = ${p.asOf}::date), 0.00) AS mb,
          coalesce(sum(c.actual) FILTER (WHERE c.m = ${p.asOf}::date), 0.00) AS ma,
          sum(c.budget) AS yb, sum(c.actual) AS ya
        FROM cell c JOIN lines l ON l.id = c.line_id
        WHERE true ${lineTypeFilter}
        GROUP BY l.line_type
      ),
      um AS (
        SELECT ${sql.raw(UNMATCHED_KEY[p.by])} AS k1,
          sum(CASE WHEN k.currency = ${base} THEN k.amount ELSE round(k.amount * fx.rate, 2) END)
            FILTER (WHERE k.m = ${p.asOf}::date) AS ma,
          sum(CASE WHEN k.currency = ${base} THEN k.amount ELSE round(k.amount * fx.rate, 2) END) AS ya,
          sum(k.n) AS n
        FROM keyed k LEFT JOIN fx ON fx.currency = k.currency AND fx.m = k.m
        WHERE k.mkey IS NULL
        GROUP BY 1
      )
    SELECT * FROM (
      SELECT 'row' AS kind, k1, k2, k3, k4, line_type, mb, ma, mv, mp, mfav, mflags,
        yb, ya, yv, yp, yfav, yflags, NULL::text AS n, 0 AS part, ord1, ordn, ord2
      FROM g ${flagged}
      UNION ALL
      SELECT 'total', NULL, NULL, NULL, NULL, line_type, ${figures('mb', 'ma', p, 'm')},
        ${figures('yb', 'ya', p, 'y')}, NULL, 1, NULL, 0, line_type
      FROM tot
      UNION ALL
      SELECT 'unmatched', k1, NULL, NULL, NULL, NULL, NULL, coalesce(ma, 0.00)::text, NULL, NULL, NULL, NULL,
        NULL, ya::text, NULL, NULL, NULL, NULL, n::text, 2, NULL, 0, k1
      FROM um
      UNION ALL
      SELECT 'fx', currency, to_char(m, 'YYYY-MM'), rate::text, to_char(rate_period, 'YYYY-MM'), NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3, m, 0, currency
      FROM fx
    ) out
    ORDER BY part, ord1, ordn, ord2, line_type`,
  );
}
