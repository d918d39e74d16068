/**
 * Money is exact: decimal strings on the wire, NUMERIC in the database, decimal.js in code.
 * JSON numbers are accepted only when their shortest text form is itself a valid amount
 * (what the sender typed, for up to 15 significant digits); they are turned into strings at once.
 */
import { Decimal } from 'decimal.js';
import { z } from 'zod';

export { Decimal };

export const MAX_AMOUNT = new Decimal('999999999999.99');
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

interface DecimalRule {
  /** Digits allowed after the point. */
  scale: number;
  min?: Decimal;
  max?: Decimal;
  label: string;
}

/** A zod type for an exact decimal with the given scale and bounds, normalised to a string. */
export function decimalString(rule: DecimalRule) {
  return z
    .union([z.string(), z.number()], { message: `${rule.label} must be a decimal string like "1234.50"` })
    .transform((raw, ctx) => {
      const text = typeof raw === 'number' ? String(raw) : raw.trim();
      if (!DECIMAL_TEXT.test(text)) {
        ctx.addIssue({
          code: 'custom',
          message: `${rule.label} must be a decimal number like "1234.50", got "${String(raw).slice(0, 40)}"`,
          params: { rule: 'invalid_decimal' },
        });
        return z.NEVER;
      }
      const decimals = text.split('.')[1]?.length ?? 0;
      if (decimals > rule.scale) {
        ctx.addIssue({
          code: 'custom',
          message: `${rule.label} may have at most ${rule.scale} decimal places`,
          params: { rule: 'too_many_decimals' },
        });
        return z.NEVER;
      }
      const value = new Decimal(text);
      if (rule.min && value.lt(rule.min)) {
        ctx.addIssue({
          code: 'too_small',
          origin: 'number',
          minimum: rule.min.toNumber(),
          inclusive: true,
          input: text,
          message: `${rule.label} must be at least ${rule.min.toFixed()}`,
        });
        return z.NEVER;
      }
      if (rule.max && value.gt(rule.max)) {
        ctx.addIssue({
          code: 'too_big',
          origin: 'number',
          maximum: rule.max.toNumber(),
          inclusive: true,
          input: text,
          message: `${rule.label} must be at most ${rule.max.toFixed()}`,
        });
        return z.NEVER;
      }
      return value.toFixed(rule.scale);
    });
}

/** A non-negative amount with two decimals, at most 999,999,999,999.99. */
export const amountSchema = (label = 'amount') =>
  decimalString({ scale: 2, min: new Decimal(0), max: MAX_AMOUNT, label }).meta({
    description: `${label}: decimal string, 2 decimal places, 0 to 999999999999.99`,
    example: '1234.50',
  });

/**
 * A signed amount with two decimals, |amount| at most 999,999,999,999.99 (budget lines: whether a
 * negative one may be stored is the lines module's rule, see docs/api.md "Negative lines").
 */
export const signedAmountSchema = (label = 'amount') =>
  decimalString({ scale: 2, min: MAX_AMOUNT.negated(), max: MAX_AMOUNT, label }).meta({
    description: `${label}: decimal string, 2 decimal places, -999999999999.99 to 999999999999.99`,
    example: '1234.50',
  });

/** Sums decimal strings exactly. */
export function sumAmounts(values: Iterable<string>): Decimal {
  let total = new Decimal(0);
  for (const v of values) total = total.plus(v);
  return total;
}

/** Formats a Decimal as a money string with two decimals. */
export function toMoney(value: Decimal): string {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
}
