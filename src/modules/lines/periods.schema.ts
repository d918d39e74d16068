/** Request and response schemas of budget periods. */
import { z } from 'zod';
import { LINE_TYPES, SPREAD_METHODS } from '../../shared/enums.ts';
import { Decimal, decimalString, signedAmountSchema } from '../../shared/money.ts';

/** One weight of a seasonal profile: a non-negative decimal (weights are proportions, any sum). */
export const weightSchema = decimalString({
  scale: 6,
  min: new Decimal(0),
  max: new Decimal('1000000000'),
  label: 'spread_profile weight',
});

/** Weights per period for the seasonal spread method. */
export const spreadProfileSchema = z
  .array(weightSchema)
  .min(1)
  .max(120)
  .meta({
    description: 'Seasonal weights, one per budget period; proportions (need not sum to 1)',
    example: ['1', '1', '2'],
  });

export const periodsUpdateSchema = z.strictObject({
  version: z.number({ message: 'version is required for optimistic locking' }).int().min(1),
  periods: z
    .array(
      z.strictObject({
        period_index: z.number().int().min(0).max(119),
        amount: signedAmountSchema('amount').meta({
          description:
            "the period's amount: >= 0, or <= 0 on a contra line (is_contra) of a tenant allowing negative lines",
        }),
      }),
    )
    .min(1)
    .max(120)
    .meta({ description: 'The periods to set (one, some or all); the others keep their amounts' }),
});
export type PeriodsUpdateInput = z.output<typeof periodsUpdateSchema>;

/** At most this many lines in one bulk periods request (a budget's line limit by default). */
export const MAX_BULK_PERIOD_LINES = 10_000;

export const bulkPeriodsUpdateSchema = z.strictObject({
  lines: z
    .array(
      z.strictObject({
        line_id: z.uuid(),
        version: z.number({ message: 'version is required for optimistic locking' }).int().min(1),
        periods: periodsUpdateSchema.shape.periods,
      }),
    )
    .min(1)
    .max(MAX_BULK_PERIOD_LINES)
    .meta({
      description:
        "Lines and the periods to set on each, each with the line's version; all or nothing (one transaction)",
    }),
});
export type BulkPeriodsUpdateInput = z.output<typeof bulkPeriodsUpdateSchema>;

const money = z.string().meta({ example: '1000.00' });

export const linePeriodsResponse = z.object({
  line_id: z.uuid(),
  budget_id: z.uuid(),
  amount: money,
  spread_method: z.enum(SPREAD_METHODS),
  version: z.number().int(),
  periods: z.array(z.object({ period_index: z.number().int(), period_start: z.string(), amount: money })),
});

export const bulkPeriodsResponse = z.object({
  budget_id: z.uuid(),
  updated: z.number().int().meta({ description: 'How many lines were updated' }),
  lines: z.array(
    z.object({
      line_id: z.uuid(),
      amount: money,
      spread_method: z.enum(SPREAD_METHODS),
      version: z.number().int(),
      updated_at: z.string(),
      periods: z.array(money).meta({ description: 'All amounts of the line in period order' }),
    }),
  ),
});

export const PERIOD_GROUPINGS = ['month', 'quarter', 'half', 'year'] as const;
export type PeriodGrouping = (typeof PERIOD_GROUPINGS)[number];

/** The most lines a budget can have (the largest MAX_BUDGET_LINES): the bound of offset and limit. */
const MAX_GRID_LINES = 1_000_000;

export const periodGridQuery = z.strictObject({
  by: z.enum(PERIOD_GROUPINGS).default('month').meta({
    description:
      "month (default), or fiscal quarter / half / year counted from the tenant's fiscal_year_start_month (PUT /settings)",
  }),
  format: z
    .enum(['json', 'csv'])
    .optional()
    .meta({ description: 'csv: the grid as CSV (as Accept: text/csv)' }),
  offset: z.coerce.number().int().min(0).max(MAX_GRID_LINES).default(0).meta({
    description: 'Skip this many lines (display order: line_order, then line_id)',
  }),
  limit: z.coerce.number().int().min(1).max(MAX_GRID_LINES).optional().meta({
    description:
      "At most this many lines (default: all). With offset or limit, the totals (periods' revenue ... total, and total) are those of the lines returned; line_count is the budget's",
  }),
});

export const periodGridResponse = z.object({
  budget_id: z.uuid(),
  by: z.enum(PERIOD_GROUPINGS),
  period_start: z.string(),
  period_end: z.string(),
  periods: z.array(
    z.object({
      period_index: z.number().int(),
      period_start: z
        .string()
        .meta({ description: 'first month of the period (or bucket) the budget covers' }),
      label: z.string().meta({ description: 'YYYY-MM, FY2027-Q1, FY2027-H1 or FY2027' }),
      revenue: money,
      expense: money,
      asset: money,
      liability: money,
      total: money.meta({ description: 'net: revenue - expense (assets and liabilities are not in it)' }),
    }),
  ),
  lines: z.array(
    z.object({
      line_id: z.uuid(),
      line_name: z.string(),
      line_type: z.enum(LINE_TYPES),
      category: z.string(),
      spread_method: z.enum(SPREAD_METHODS),
      amount: money,
      version: z.number().int().meta({ description: "The line's version (send it with an edit)" }),
      gl_account_id: z.string().nullable(),
      department_id: z.string().nullable(),
      cost_center_id: z.string().nullable(),
      quantity: z.string().nullable(),
      unit_cost: z.string().nullable(),
      updated_by: z.string().meta({ description: 'Who changed the line last (or created it)' }),
      updated_at: z.string().meta({ description: 'When the line was changed last (or created)' }),
      periods: z.array(money).meta({ description: 'Amounts in period order' }),
    }),
  ),
  total: money.meta({ description: 'net of the whole budget (or of the lines returned): revenue - expense' }),
  line_count: z
    .number()
    .int()
    .meta({ description: "The budget's number of lines (all of them, whatever offset and limit)" }),
});
