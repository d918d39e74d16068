/**
 * SQL of variance analysis. Everything is aggregated in PostgreSQL: actuals are summed per
 * (month, currency, GL account, category, department, cost centre), matched to the budget's lines
 * on the most specific key both carry (docs/variance.md), converted to the base currency, split
 * between the lines sharing that key, and grouped. One query returns the report rows, the
 * totals, the unmatched actuals, the amount matched per level and the FX rates used, tagged by
 * `kind`, so the actuals are scanned once.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../../platform/db/client.ts';
import { fxRateLateral } from '../fx/index.ts';
import type { ReportGrouping, ThresholdSettings } from './variance.schema.ts';

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
  by: ReportGrouping;
  /** The tenant's fiscal year start month (buckets of by=quarter|half|year). */
  fiscalYearStartMonth: number;
  thresholdAmount: string;
  thresholdPercent: string;
  lineType?: string | undefined;
  flaggedOnly: boolean;
  scope: ActualScope;
}

/** One tagged output row: a report row, a total, an unmatched group or an FX rate. */
export interface VarianceSqlRow {
  kind: 'row' | 'total' | 'unmatched' | 'fx' | 'level';
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

// Column of `cell` each grouping (other than line and period) groups by; fixed SQL, never input.
const GROUP_COLUMN: Record<'category' | 'department' | 'gl_account', string> = {
  category: 'c.category',
  department: 'c.department_id',
  gl_account: 'c.gl_account_id',
};

// How unmatched actuals are grouped: by the dimension asked for, by GL account for lines.
function unmatchedKey(p: VarianceParams): string {
  const keys: Record<string, string> = {
    line: 'k.gl_account_id',
    category: 'k.category',
    department: 'k.department_id',
    gl_account: 'k.gl_account_id',
    period: "to_char(k.m, 'YYYY-MM')",
  };
  return keys[p.by] ?? bucketSql('k.m', p).label;
}

const BUCKET_MONTHS = { quarter: 3, half: 6, year: 12 } as const;

/**
 * SQL of a month's fiscal bucket: its label (FY2027-Q1, FY2027-H2, FY2027; fiscal years named by
 * the calendar year they end in) and its first month. Only integers from the server go in.
 */
function bucketSql(m: string, p: VarianceParams): { label: string; start: string } {
  const s = Math.trunc(p.fiscalYearStartMonth);
  const size = BUCKET_MONTHS[p.by as keyof typeof BUCKET_MONTHS] ?? 1;
  const idx = `((extract(month from ${m})::int - ${s} + 12) % 12)`;
  const fy = `extract(year from (${m} + make_interval(months => ${(13 - s) % 12})))::int`;
  const label =
    p.by === 'year'
      ? `('FY' || ${fy})`
      : `('FY' || ${fy} || '-${p.by === 'quarter' ? 'Q' : 'H'}' || (${idx} / ${size} + 1))`;
  return { label, start: `(${m} - make_interval(months => ${idx} % ${size}))::date` };
}

/** First month of the fiscal bucket holding `month` (YYYY-MM-01). */
function bucketStart(month: string, p: VarianceParams): string {
  const size = BUCKET_MONTHS[p.by as keyof typeof BUCKET_MONTHS] ?? 1;
  const [y, m] = month.split('-').map(Number) as [number, number];
  const back = ((m - p.fiscalYearStartMonth + 12) % 12) % size;
  const d = new Date(Date.UTC(y, m - 1 - back, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** SQL computing variance, percent, favourability and flags from budget `b` and actual `a`. */
function figures(b: string, a: string, p: VarianceParams, prefix: string): SQL {
  const v = `(${a} - ${b})`;
  // Of the budget's size: a negative (contra) budget keeps the sign of the variance.
  const pct = `CASE WHEN ${b} = 0 THEN NULL ELSE round(${v} * 100 / abs(${b}), 2) END`;
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

/** Whole months from `from` to `to` (both first days of a month). */
function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}

/** Runs the variance query and returns its tagged rows. */
export async function varianceRows(tx: Queryable, p: VarianceParams): Promise<VarianceSqlRow[]> {
  // One analytical query: JIT compiling it costs more than it saves (seconds at 1M actuals),
  // and enough memory keeps its aggregates in hash tables instead of sorting on disk.
  await tx.execute(sql`SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
  const base = p.baseCurrency;
  const lineTypeFilter = p.lineType ? sql`AND line_type = ${p.lineType}` : sql``;
  const flagged = p.flaggedOnly
    ? sql`WHERE g.mflags = 'amount,percent' OR g.yflags = 'amount,percent'`
    : sql``;
  const monthSums = sql`coalesce(sum(c.budget) FILTER (WHERE c.m = ${p.asOf}::date), 0.00) AS mb,
    coalesce(sum(c.actual) FILTER (WHERE c.m = ${p.asOf}::date), 0.00) AS ma,
    sum(c.budget) AS yb, sum(c.actual) AS ya`;
  // The cells carry only line and month (narrow rows sort and window faster); the groupings other
  // than by line take the line's type and dimensions from \`lines\`.
  const cellDims = sql`(SELECT c.line_id, c.m, c.budget, c.actual, l.line_type::text AS line_type, l.category,
      l.department_id, l.gl_account_id FROM cell c JOIN lines l ON l.id = c.line_id) c`;
  const bucket = bucketSql('c.m', p);
  const grouped =
    p.by === 'quarter' || p.by === 'half' || p.by === 'year'
      ? sql`SELECT ${sql.raw(bucket.label)} AS k1, NULL::text AS k2, NULL::text AS k3, NULL::text AS k4,
            c.line_type, ${sql.raw(bucket.start)} AS ord1, 0::bigint AS ordn, ''::text AS ord2,
            sum(c.budget) AS mb, sum(c.actual) AS ma,
            sum(sum(c.budget)) OVER (PARTITION BY c.line_type ORDER BY ${sql.raw(bucket.start)}) AS yb,
            sum(sum(c.actual)) OVER (PARTITION BY c.line_type ORDER BY ${sql.raw(bucket.start)}) AS ya
          FROM ${cellDims} GROUP BY 1, ${sql.raw(bucket.start)}, c.line_type`
      : p.by === 'period'
        ? sql`SELECT to_char(c.m, 'YYYY-MM') AS k1, NULL::text AS k2, NULL::text AS k3, NULL::text AS k4,
            c.line_type, c.m AS ord1, 0::bigint AS ordn, ''::text AS ord2,
            sum(c.budget) AS mb, sum(c.actual) AS ma,
            sum(sum(c.budget)) OVER (PARTITION BY c.line_type ORDER BY c.m) AS yb,
            sum(sum(c.actual)) OVER (PARTITION BY c.line_type ORDER BY c.m) AS ya
          FROM ${cellDims} GROUP BY c.m, c.line_type`
        : p.by === 'line'
          ? sql`SELECT l.id::text AS k1, l.line_name AS k2, l.category AS k3, l.gl_account_id AS k4,
              l.line_type::text AS line_type, NULL::date AS ord1, l.line_order::bigint AS ordn, l.id::text AS ord2,
              x.mb, x.ma, x.yb, x.ya
            FROM (SELECT c.line_id, ${monthSums} FROM cell c GROUP BY c.line_id) x
            JOIN lines l ON l.id = x.line_id`
          : sql`SELECT ${sql.raw(GROUP_COLUMN[p.by as keyof typeof GROUP_COLUMN])} AS k1, NULL::text AS k2, NULL::text AS k3, NULL::text AS k4,
              c.line_type, NULL::date AS ord1, 0::bigint AS ordn, ${sql.raw(GROUP_COLUMN[p.by as keyof typeof GROUP_COLUMN])} AS ord2, ${monthSums}
            FROM ${cellDims} GROUP BY ${sql.raw(GROUP_COLUMN[p.by as keyof typeof GROUP_COLUMN])}, c.line_type`;
  // Totals per line type from the grouped rows (by period: the as_of month and its running total).
  const totals =
    p.by === 'period' || p.by in BUCKET_MONTHS
      ? sql`SELECT line_type, mb, ma, yb, ya FROM grp WHERE ord1 = ${bucketStart(p.asOf, p)}::date`
      : sql`SELECT line_type, sum(mb) AS mb, sum(ma) AS ma, sum(yb) AS yb, sum(ya) AS ya FROM grp GROUP BY line_type`;
  // Converts `amount` of `currency` in month `m` to the base currency with the rate found in `fx`.
  const toBase = (amount: string, currency: string, m: string) =>
    sql.raw(`CASE WHEN ${currency} = '${p.baseCurrency.replace(/[^A-Z]/g, '')}' THEN ${amount} ELSE round(${amount} *
      (SELECT f.rate FROM fx f WHERE f.currency = ${currency} AND f.m = ${m}), 2) END`);
  return queryRows<VarianceSqlRow>(
    tx,
    sql`WITH
      lines AS (
        SELECT l.id, l.line_type, l.line_name, l.line_order, l.category, l.department_id, l.gl_account_id,
          coalesce(l.currency, ${base}) AS currency,
          -- For matching, a line without a department / cost centre has the budget's.
          coalesce(l.department_id, ${p.scope.departmentId}::text) AS mdept,
          coalesce(l.cost_center_id, ${p.scope.costCenterId}::text) AS mcc
        FROM budget_lines l WHERE l.budget_id = ${p.budgetId} AND NOT l.is_deleted
      ),
      lk AS MATERIALIZED (
        -- Every match key a line carries, prefixed by its level (1 = most specific). Byte-wise ("C")
        -- collation: keys are only compared for equality, and sorting them with the locale's rules
        -- costs more than the rest of the query.
        SELECT l.id AS line_id, k.mkey COLLATE "C" AS mkey FROM lines l CROSS JOIN LATERAL (VALUES
          ('1:' || l.gl_account_id || chr(31) || l.mdept || chr(31) || l.mcc),
          ('2:' || l.gl_account_id || chr(31) || l.mdept),
          (CASE WHEN l.mdept IS NULL THEN '3:' || l.gl_account_id END),
          ('3*' || l.gl_account_id),
          (CASE WHEN l.gl_account_id IS NULL THEN '4:' || l.category || chr(31) || coalesce(l.mdept, '') END)
        ) k(mkey) WHERE k.mkey IS NOT NULL
      ),
      keys AS (SELECT DISTINCT mkey FROM lk),
      months AS MATERIALIZED (
        -- An integer series: the planner knows its size (a date series is guessed at 1,000 rows).
        -- Materialized, so each month's date is computed once, not once per line.
        SELECT (${p.from}::date + make_interval(months => i))::date AS m
        FROM generate_series(0, ${monthsBetween(p.from, p.asOf)}::int) i
      ),
      act AS MATERIALIZED (
        SELECT a.period AS m, a.currency, a.gl_account_id, a.category, a.department_id, a.cost_center_id,
          sum(a.amount) AS amount, count(*) AS n
        FROM actuals a
        WHERE a.period >= ${p.from}::date AND a.period <= ${p.asOf}::date ${scopeFilter(p.scope)}
        GROUP BY 1, 2, 3, 4, 5, 6
      ),
      keyed AS MATERIALIZED (
        -- The most specific key the actual and some line both carry (docs/variance.md):
        -- GL account + department + cost centre, GL account + department, GL account (only lines
        -- without a department when the actual names one), category + department (lines without a
        -- GL account). A NULL part makes the key NULL, so it matches nothing.
        SELECT a.*, coalesce(k1.mkey, k2.mkey, k3.mkey, k4.mkey) AS mkey FROM act a
        LEFT JOIN keys k1
          ON k1.mkey = ('1:' || a.gl_account_id || chr(31) || a.department_id || chr(31) || a.cost_center_id) COLLATE "C"
        LEFT JOIN keys k2 ON k2.mkey = ('2:' || a.gl_account_id || chr(31) || a.department_id) COLLATE "C"
        LEFT JOIN keys k3 ON k3.mkey = (CASE WHEN a.department_id IS NULL THEN '3*' ELSE '3:' END
          || a.gl_account_id) COLLATE "C"
        LEFT JOIN keys k4 ON k4.mkey = ('4:' || a.category || chr(31) || coalesce(a.department_id, '')) COLLATE "C"
      ),
      lm AS (
        SELECT l.id AS line_id, l.currency, mo.m, coalesce(bp.amount, 0.00) AS amount
        FROM lines l CROSS JOIN months mo
        LEFT JOIN budget_periods bp ON bp.budget_id = ${p.budgetId} AND bp.line_id = l.id AND bp.period_start = mo.m
      ),
      needs AS (
        SELECT DISTINCT currency, m FROM act WHERE currency <> ${base}
        UNION SELECT DISTINCT l.currency, mo.m FROM lines l CROSS JOIN months mo WHERE l.currency <> ${base}
      ),
      fx AS MATERIALIZED (
        -- The FX contract of the fx module: latest month <= m, direct pair or inverted reverse pair.
        SELECT n.currency, n.m, r.rate, r.rate_period, r.rate_inverted FROM needs n
        LEFT JOIN LATERAL ${fxRateLateral(sql`n.currency`, sql`n.m`, sql`${base}`)} r ON true
      ),
      lmb AS MATERIALIZED (
        SELECT x.line_id, x.m, ${toBase('x.amount', 'x.currency', 'x.m')} AS budget FROM lm x
      ),
      matched AS MATERIALIZED (
        SELECT k.mkey, k.m, sum(${toBase('k.amount', 'k.currency', 'k.m')}) AS actual
        FROM (SELECT mkey, m, currency, sum(amount) AS amount FROM keyed WHERE mkey IS NOT NULL GROUP BY 1, 2, 3) k
        GROUP BY 1, 2
      ),
      keylines AS MATERIALIZED (
        -- The lines of each matched key first (a few per key), then their month's budget: joined
        -- the other way round (every line-month to every key of the month) it is millions of rows.
        SELECT lk.mkey, ma.m, ma.actual AS key_actual, lk.line_id FROM matched ma JOIN lk ON lk.mkey = ma.mkey
      ),
      shares AS (
        SELECT b.*, sum(b.budget) OVER w AS key_budget, count(*) OVER w AS key_lines,
          sum(b.budget) OVER wc AS cum_budget, row_number() OVER wc AS cum_lines
        FROM (
          SELECT kl.mkey, kl.m, kl.key_actual, x.line_id, x.budget
          FROM keylines kl JOIN lmb x ON x.line_id = kl.line_id AND x.m = kl.m
        ) b
        WINDOW w AS (PARTITION BY b.mkey, b.m),
          wc AS (PARTITION BY b.mkey, b.m ORDER BY b.budget DESC, b.line_id ROWS UNBOUNDED PRECEDING)
      ),
      parts AS (
        -- A key's actual is split between its lines in proportion to their budget for the month
        -- (equally when their budgets add up to nothing). Each line gets the difference of the
        -- rounded running totals, so the parts add up to the key's actual to the cent.
        SELECT line_id, m, sum(
          CASE WHEN key_actual = 0 THEN 0.00
               WHEN key_budget <> 0 THEN round(key_actual * cum_budget / key_budget, 2)
                 - round(key_actual * (cum_budget - budget) / key_budget, 2)
               ELSE round(key_actual * cum_lines / key_lines, 2) - round(key_actual * (cum_lines - 1) / key_lines, 2)
          END) AS actual
        FROM shares GROUP BY 1, 2
      ),
      cell AS (
        SELECT x.line_id, x.m, x.budget, coalesce(pa.actual, 0.00) AS actual
        FROM lmb x LEFT JOIN parts pa ON pa.line_id = x.line_id AND pa.m = x.m
      ),
      lvl AS (
        -- How much matched at each level (the first character of the key).
        SELECT x.level, x.ma, x.ya, r.n FROM (
          SELECT left(mkey, 1) AS level, coalesce(sum(actual) FILTER (WHERE m = ${p.asOf}::date), 0.00) AS ma,
            sum(actual) AS ya
          FROM matched GROUP BY 1
        ) x JOIN (SELECT left(mkey, 1) AS level, sum(n) AS n FROM keyed WHERE mkey IS NOT NULL GROUP BY 1) r
          ON r.level = x.level
      ),
      grp AS MATERIALIZED (${grouped}),
      g AS (
        SELECT k1, k2, k3, k4, line_type, ord1, ordn, ord2,
          ${figures('mb', 'ma', p, 'm')}, ${figures('yb', 'ya', p, 'y')}
        FROM grp WHERE true ${lineTypeFilter}
      ),
      tot AS (SELECT * FROM (${totals}) t WHERE true ${lineTypeFilter}),
      um AS (
        SELECT ${sql.raw(unmatchedKey(p))} AS k1,
          sum(${toBase('k.amount', 'k.currency', 'k.m')}) FILTER (WHERE k.m = ${p.asOf}::date) AS ma,
          sum(${toBase('k.amount', 'k.currency', 'k.m')}) AS ya,
          sum(k.n) AS n
        FROM keyed k WHERE k.mkey IS NULL
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
      SELECT 'level', level, NULL, NULL, NULL, NULL, NULL, ma::text, NULL, NULL, NULL, NULL,
        NULL, ya::text, NULL, NULL, NULL, NULL, n::text, 4, NULL, 0, level
      FROM lvl
      UNION ALL
      SELECT 'fx', currency, to_char(m, 'YYYY-MM'), rate::text, to_char(rate_period, 'YYYY-MM'), NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, rate_inverted::text, 3, m, 0, currency
      FROM fx
    ) out
    ORDER BY part, ord1, ordn, ord2, line_type`,
  );
}
