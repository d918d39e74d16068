/** Reusable zod building blocks for request schemas. */
import { z } from 'zod';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 currency code (the runtime's list of ISO currencies). */
export const currencySchema = (label = 'base_currency') =>
  z
    .string()
    .regex(/^[A-Z]{3}$/, { message: `${label} must be a 3-letter ISO 4217 code in capitals, like "USD"` })
    .refine((c) => CURRENCIES.has(c), {
      message: `${label} is not an ISO 4217 currency code`,
      params: { rule: 'unknown_currency' },
    });

/** A trimmed string with length bounds checked after trimming. */
export const trimmed = (min: number, max: number, label: string) =>
  z
    .string()
    .trim()
    .min(min, {
      message:
        min <= 1
          ? `${label} must not be empty`
          : `${label} must be at least ${min} characters after trimming`,
    })
    .max(max, { message: `${label} must be at most ${max} characters` });

/** An optional, nullable free-text field. */
export const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/** Whether JSON nests containers deeper than `max`. Iterative: 100,000 levels cannot overflow the stack. */
function deeperThan(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Free-form metadata: an object, at most 10 levels deep and 16 KiB as JSON. */
export const metadataSchema = z.record(z.string().max(100), z.unknown()).superRefine((m, ctx) => {
  // The depth check comes first and alone: JSON.stringify of very deep input throws RangeError.
  if (deeperThan(m, 10)) {
    ctx.addIssue({
      code: 'custom',
      message: 'metadata may be at most 10 levels deep',
      params: { rule: 'too_deep' },
    });
  } else if (JSON.stringify(m).length > 16_384) {
    ctx.addIssue({
      code: 'custom',
      message: 'metadata may be at most 16 KiB as JSON',
      params: { rule: 'too_big' },
    });
  }
});

export const tagsSchema = z.array(z.string().trim().min(1).max(50)).max(50);

/**
 * Fiscal year YYYY. The window it must lie in (the guide's current year -5 ... +10 by default)
 * is a tenant setting, checked where budgets are dated (periods.spreading.ts resolveBudgetRange).
 */
export const fiscalYearSchema = z
  .string()
  .regex(/^\d{4}$/, { message: 'fiscal_year must be a 4-digit year like "2026"' });

export const uuidParam = z.uuid({ message: 'must be a UUID' });

/** Cursor pagination query parameters. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
};

/**
 * A boolean query parameter: "true" or "false" on the wire (a query string has no booleans),
 * a boolean to the handler and in the OpenAPI document (so generated clients send booleans).
 */
export const queryBoolean = (fallback: boolean) =>
  z.preprocess(
    (v) => (v === 'true' ? true : v === 'false' ? false : v),
    z.boolean({ error: 'must be true or false' }).default(fallback),
  );
