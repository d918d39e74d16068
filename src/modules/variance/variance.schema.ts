/** Request and response schemas of variance analysis (budget vs actual). */
import { z } from 'zod';
import { LINE_TYPES } from '../../shared/enums.ts';
import { Decimal, decimalString } from '../../shared/money.ts';
import { queryBoolean, uuidParam } from '../../shared/validation.ts';

export const VARIANCE_GROUPINGS = ['line', 'category', 'department', 'gl_account', 'period'] as const;
export type VarianceGrouping = (typeof VARIANCE_GROUPINGS)[number];
/** Groupings of GET /budgets/:id/variance: also fiscal quarter, half and year buckets of months. */
export const REPORT_GROUPINGS = [...VARIANCE_GROUPINGS, 'quarter', 'half', 'year'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

const thresholdAmount = decimalString({
  scale: 2,
  min: new Decimal(0),
  max: new Decimal('999999999999.99'),
  label: 'threshold_amount',
});
const thresholdPercent = decimalString({
  scale: 2,
  min: new Decimal(0),
  max: new Decimal('1000000'),
  label: 'threshold_percent',
});

const varianceFields = {
  by: z.enum(VARIANCE_GROUPINGS).default('line'),
  as_of: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'as_of must be a month YYYY-MM, like "2027-03"' })
    .optional()
    .meta({ description: 'Month of the report; default: the latest month of the budget with actuals' }),
  threshold_amount: thresholdAmount
    .optional()
    .meta({ description: 'Flag when |variance| is above this (default: the tenant setting, else 0.00)' }),
  threshold_percent: thresholdPercent
    .optional()
    .meta({ description: 'Flag when |variance %| is above this (default: the tenant setting, else 10.00)' }),
  line_type: z.enum(LINE_TYPES).optional(),
  flagged_only: queryBoolean(false),
};

export const varianceQuery = z.strictObject(varianceFields);
export type VarianceQuery = z.output<typeof varianceQuery>;

/** The report's query: the groupings by fiscal bucket, and a CSV download. */
export const varianceReportQuery = z.strictObject({
  ...varianceFields,
  by: z.enum(REPORT_GROUPINGS).default('line').meta({
    description:
      "line, category, department, gl_account, period (month), or fiscal quarter / half / year from the tenant's fiscal_year_start_month: each bucket's figures are in `month`, the running total in `ytd`",
  }),
  format: z
    .enum(['json', 'csv'])
    .optional()
    .meta({ description: 'csv: the rows and totals as CSV (as Accept: text/csv)' }),
});
export type VarianceReportQuery = z.output<typeof varianceReportQuery>;

/** Body of POST /budgets/:id/variance/jobs: the same options as the GET query (booleans as JSON). */
export const varianceJobBody = z.strictObject({
  ...varianceFields,
  flagged_only: z.boolean().default(false),
});

export const varianceParams = z.strictObject({ id: uuidParam });

export const thresholdSettings = z.strictObject({
  threshold_amount: thresholdAmount,
  threshold_percent: thresholdPercent,
});
export type ThresholdSettings = z.output<typeof thresholdSettings>;

const money = z.string().meta({ example: '1250.00' });

const figures = z.object({
  budget: money,
  actual: money,
  variance: money.meta({ description: 'actual - budget' }),
  variance_percent: z
    .string()
    .nullable()
    .meta({ description: 'variance / budget x 100, 2 decimals; null when the budget is 0' }),
  favourability: z.enum(['favourable', 'unfavourable', 'on_budget']),
  flags: z.array(z.enum(['amount', 'percent'])).meta({ description: 'thresholds exceeded' }),
  flagged: z.boolean().meta({ description: 'both thresholds exceeded' }),
});

export const varianceRow = z.object({
  key: z.record(z.string(), z.string().nullable()),
  line_type: z.enum(LINE_TYPES),
  month: figures,
  ytd: figures,
});

export const unmatchedRow = z.object({
  key: z.record(z.string(), z.string().nullable()),
  month_actual: money,
  ytd_actual: money,
  actual_rows: z.number().int(),
});

/** Matching levels, most specific first (docs/variance.md). */
export const MATCH_LEVELS = [
  'gl_account_department_cost_center',
  'gl_account_department',
  'gl_account',
  'category_department',
] as const;
export type MatchLevel = (typeof MATCH_LEVELS)[number];

export const matchedLevel = z.object({
  level: z.enum(MATCH_LEVELS),
  month_actual: money.meta({
    description: 'actuals of the as_of month matched at this level (base currency)',
  }),
  ytd_actual: money.meta({ description: 'year-to-date actuals matched at this level (base currency)' }),
  actual_rows: z.number().int().meta({ description: 'year-to-date actual rows matched at this level' }),
});

export const fxRateUsed = z.object({
  from_currency: z.string(),
  to_currency: z.string(),
  period: z.string().meta({ description: 'month converted, YYYY-MM' }),
  rate: z.string(),
  rate_period: z
    .string()
    .meta({ description: 'month of the rate used (the same or the latest earlier one)' }),
  rate_inverted: z.boolean().meta({ description: 'true when the reverse pair was stored and inverted' }),
});

export const varianceResponse = z.object({
  budget_id: z.uuid(),
  base_currency: z.string(),
  by: z.enum(VARIANCE_GROUPINGS),
  as_of: z.string(),
  period_from: z.string(),
  thresholds: z.object({ amount: money, percent: z.string() }),
  rows: z.array(varianceRow),
  totals: z.array(varianceRow.omit({ key: true })),
  unmatched: z.object({
    month_actual: money,
    ytd_actual: money,
    actual_rows: z.number().int(),
    groups: z.array(unmatchedRow),
  }),
  matched_by_level: z.array(matchedLevel).meta({
    description:
      'how the actuals were matched: one entry per level, most specific first (zeros when none); with `unmatched` they add up to every actual in scope',
  }),
  fx_rates: z.array(fxRateUsed),
});
export type VarianceResult = z.output<typeof varianceResponse>;
export const varianceReportResponse = varianceResponse.extend({ by: z.enum(REPORT_GROUPINGS) });
export type VarianceReport = z.output<typeof varianceReportResponse>;
