/** Query and response of the rolling forecast of a budget. */
import { z } from 'zod';
import { algorithmSchema, monthSchema } from './forecasting.schema.ts';

export const rollingQuery = z.strictObject({
  as_of: monthSchema('as_of').meta({ description: 'last month with actuals (year-to-date through it)' }),
  group_by: z.enum(['category', 'line']).default('category'),
  model: algorithmSchema.default('auto'),
  level: z.coerce.number().min(50).max(99.9).default(95),
});
export type RollingQuery = z.infer<typeof rollingQuery>;

const money = z.string().meta({ description: 'decimal string, 2 places' });
const outlook = {
  budget: money,
  budget_ytd: money,
  actual_ytd: money,
  forecast_remaining: money,
  outlook: money.meta({ description: 'full year: actual_ytd + forecast_remaining' }),
  outlook_lower: money,
  outlook_upper: money,
  gap: money.meta({ description: 'outlook - budget' }),
  gap_percent: z.string().nullable(),
};

export const rollingResponse = z.object({
  budget_id: z.uuid(),
  currency: z.string(),
  as_of: z.string(),
  group_by: z.enum(['category', 'line']),
  model: z.string(),
  confidence_level: z.number(),
  months: z.object({ first: z.string(), last: z.string(), elapsed: z.number(), remaining: z.number() }),
  groups: z.array(
    z.object({
      key: z.string(),
      line_id: z.uuid().nullable(),
      line_name: z.string().nullable(),
      matched_by: z.enum(['category', 'gl_account']),
      budget_phasing: z.enum(['periods', 'even']),
      model_used: z.string(),
      history_months: z.number(),
      ...outlook,
      monthly: z.array(
        z.object({
          period: z.string(),
          budget: money,
          actual: money.nullable(),
          forecast: money.nullable(),
          lower: money.nullable(),
          upper: money.nullable(),
        }),
      ),
    }),
  ),
  totals: z.object(outlook),
  excluded: z.object({ actual_rows_other_currency: z.number(), lines_other_currency: z.number() }),
});
