/** Request and response schemas of the FX rate routes. */
import { z } from 'zod';
import { Decimal, decimalString } from '../../shared/money.ts';
import { currencySchema, pageQuery } from '../../shared/validation.ts';

/** A month: 2026-03 or 2026-03-01, normalised to the first day. */
export const monthSchema = (label = 'period') =>
  z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])(-01)?$/, {
      message: `${label} must be a month like 2026-03 (or 2026-03-01)`,
    })
    .transform((v) => `${v.slice(0, 7)}-01`);

const rateValue = decimalString({ scale: 10, max: new Decimal('9999999999'), label: 'rate' }).refine(
  (v) => !/^-|^0(\.0+)?$/.test(v),
  {
    message: 'rate must be greater than 0',
    params: { rule: 'too_small' },
  },
);

export const rateInput = z
  .strictObject({
    period: monthSchema(),
    from: currencySchema('from'),
    to: currencySchema('to'),
    rate: rateValue,
    source: z.string().trim().max(100).nullable().optional(),
  })
  .refine((r) => r.from !== r.to, {
    message: 'from and to must differ',
    path: ['to'],
    params: { rule: 'same_currency' },
  });
export type RateInput = z.output<typeof rateInput>;

export const putRatesBody = z.strictObject({ rates: z.array(rateInput).min(1).max(10_000) });

export const ratesQuery = z.strictObject({
  period: monthSchema().optional(),
  from: currencySchema('from').optional(),
  to: currencySchema('to').optional(),
  ...pageQuery,
});
export type RatesQuery = z.output<typeof ratesQuery>;

export const deleteRateQuery = z.strictObject({
  period: monthSchema(),
  from: currencySchema('from'),
  to: currencySchema('to'),
});

export const convertQuery = z.strictObject({
  amount: decimalString({ scale: 2, label: 'amount' }),
  from: currencySchema('from'),
  to: currencySchema('to'),
  period: monthSchema(),
});

export const rateResponse = z.object({
  period: z.string(),
  from: z.string(),
  to: z.string(),
  rate: z.string(),
  source: z.string().nullable(),
  created_at: z.string(),
  created_by: z.string(),
});
export const rateListResponse = z.object({
  items: z.array(rateResponse),
  next_cursor: z.string().nullable(),
});
export const putRatesResponse = z.object({ upserted: z.number().int() });
export const convertResponse = z.object({
  amount: z.string(),
  from: z.string(),
  to: z.string(),
  period: z.string(),
  converted_amount: z.string(),
  rate: z.string(),
  rate_period: z
    .string()
    .nullable()
    .meta({ description: 'the month whose rate was used (null for the same currency)' }),
  rate_inverted: z.boolean().meta({ description: 'true when the reverse pair was used as 1/rate' }),
});
