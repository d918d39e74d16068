/** Request and response schemas of budget periods. */
import { z } from 'zod';
import { LINE_TYPES, SPREAD_METHODS } from '../../shared/enums.ts';
import { amountSchema, Decimal, decimalString } from '../../shared/money.ts';

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
        amount: amountSchema('amount'),
      }),
    )
    .min(1)
    .max(120)
    .meta({ description: 'The periods to set (one, some or all); the others keep their amounts' }),
});
export type PeriodsUpdateInput = z.output<typeof periodsUpdateSchema>;

const money = z.string().meta({ example: '1000.00' });

export const linePeriodsResponse = z.object({
  line_id: z.uuid(),
  budget_id: z.uuid(),
  amount: money,
  spread_method: z.enum(SPREAD_METHODS),
  version: z.number().int(),
  periods: z.array(z.object({ period_index: z.number().int(), period_start: z.string(), amount: money })),
});

export const periodGridResponse = z.object({
  budget_id: z.uuid(),
  period_start: z.string(),
  period_end: z.string(),
  periods: z.array(
    z.object({
      period_index: z.number().int(),
      period_start: z.string(),
      revenue: money,
      expense: money,
      asset: money,
      liability: money,
      total: money,
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
      periods: z.array(money).meta({ description: 'Amounts in period order' }),
    }),
  ),
  total: money,
});
