/** Request and response schemas of the tenant settings. */
import { z } from 'zod';

export const settingsResponse = z.object({
  fiscal_year_start_month: z.number().int().min(1).max(12).meta({
    description:
      'Month (1-12) in which the fiscal year starts. A fiscal year is named by the calendar year it ends in: with 4, fiscal year 2027 is April 2026 - March 2027.',
  }),
});

export const settingsUpdateSchema = z.strictObject({
  fiscal_year_start_month: z
    .number({ message: 'fiscal_year_start_month must be a month number 1-12' })
    .int()
    .min(1)
    .max(12),
});
export type SettingsUpdateInput = z.output<typeof settingsUpdateSchema>;
