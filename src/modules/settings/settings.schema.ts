/** Request and response schemas of the tenant settings. */
import { z } from 'zod';

/** Whether `tag` is a well-formed BCP 47 tag that Intl supports (no silent fallback to another locale). */
function isKnownLocale(tag: string): boolean {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return !!canonical && Intl.NumberFormat.supportedLocalesOf([canonical]).length === 1;
  } catch {
    return false;
  }
}

/** `de-de` → `de-DE`. */
function canonicalLocale(tag: string): string {
  return Intl.getCanonicalLocales(tag)[0]!;
}

export const settingsResponse = z.object({
  fiscal_year_start_month: z.number().int().min(1).max(12).meta({
    description:
      'Month (1-12) in which the fiscal year starts. A fiscal year is named by the calendar year it ends in: with 4, fiscal year 2027 is April 2026 - March 2027.',
  }),
  allow_negative_lines: z.boolean().meta({
    description:
      'Whether budget lines marked is_contra may have negative amounts (vacancy discounts, credits, recoveries). Default false (the guide: amount >= 0)',
  }),
  fiscal_years_past: z.number().int().meta({
    description: "How many years before the current calendar year a budget's fiscal_year may be (default 5)",
  }),
  fiscal_years_future: z.number().int().meta({
    description: "How many years after the current calendar year a budget's fiscal_year may be (default 10)",
  }),
  locale: z.string().nullable().meta({
    description:
      "The locale the web interface shows numbers and dates in (a BCP 47 tag, e.g. de-DE: 1.234.567,00), for everyone in the tenant; null (default): each browser's own",
  }),
});
export type SettingsView = z.output<typeof settingsResponse>;

export const settingsUpdateSchema = z.strictObject({
  fiscal_year_start_month: z
    .number({ message: 'fiscal_year_start_month must be a month number 1-12' })
    .int()
    .min(1)
    .max(12)
    .optional(),
  allow_negative_lines: z.boolean({ message: 'allow_negative_lines must be true or false' }).optional(),
  fiscal_years_past: z
    .number({ message: 'fiscal_years_past must be a whole number of years 0-100' })
    .int()
    .min(0)
    .max(100)
    .optional(),
  fiscal_years_future: z
    .number({ message: 'fiscal_years_future must be a whole number of years 0-100' })
    .int()
    .min(0)
    .max(100)
    .optional(),
  locale: z
    .string({ message: 'locale must be a BCP 47 language tag such as en-US or de-DE, or null' })
    .trim()
    .max(64, 'locale must be at most 64 characters')
    .refine(isKnownLocale, {
      message: 'locale must be a BCP 47 language tag such as en-US or de-DE that this server knows',
      params: { rule: 'locale' },
    })
    .transform(canonicalLocale)
    .nullable()
    .optional(),
});
export type SettingsUpdateInput = z.output<typeof settingsUpdateSchema>;
