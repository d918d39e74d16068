/** Pure rules of a budget line: its amount from quantity x unit cost, and allocation consistency. */
import type { FieldError } from '../../platform/http/errors.ts';
import { Decimal, MAX_AMOUNT } from '../../shared/money.ts';

export interface LineAmounts {
  amount?: string | null | undefined;
  quantity?: string | null | undefined;
  unit_cost?: string | null | undefined;
  allocation_method?: string | undefined;
  allocation_percentage?: string | null | undefined;
}

/**
 * The sign rule of a line's amount: a contra line's amount is <= 0, any other line's >= 0. (Whether
 * the tenant allows negative amounts at all is checked with its settings: negativeLinesRefused.)
 */
export function lineSignErrors(amount: string, isContra: boolean, prefix = ''): FieldError[] {
  const a = new Decimal(amount);
  if (isContra && a.gt(0))
    return [
      {
        path: `${prefix}amount`,
        code: 'contra_amount_positive',
        message: `amount of a contra line (is_contra: true) must be at most 0, got ${amount}`,
      },
    ];
  if (!isContra && a.lt(0))
    return [
      {
        path: `${prefix}amount`,
        code: 'too_small',
        message: `amount must be at least 0 (got ${amount}); a negative amount needs is_contra: true on the line and the tenant setting allow_negative_lines`,
      },
    ];
  return [];
}

/**
 * The lines a tenant that does not allow negative lines refuses: one error per negative amount,
 * naming the field and the setting. Empty when allowed or when every amount is >= 0.
 */
export function negativeLinesRefused(
  lines: readonly { amount: string }[],
  allowed: boolean,
  pathOf: (i: number) => string,
): FieldError[] {
  if (allowed) return [];
  const errors: FieldError[] = [];
  lines.forEach((l, i) => {
    if (new Decimal(l.amount).lt(0))
      errors.push({
        path: pathOf(i),
        code: 'negative_lines_not_allowed',
        message: `amount must be at least 0 (got ${l.amount}): this tenant does not allow negative lines (setting allow_negative_lines, PUT /settings)`,
      });
  });
  return errors;
}

/**
 * Resolves a line's amount. Given quantity and unit_cost without amount, the amount is their
 * product rounded half-up to the cent; given all three, they must agree. Returns the amount or
 * the field errors (paths prefixed with `prefix`).
 */
export function resolveLineAmount(line: LineAmounts, prefix = ''): { amount?: string; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const at = (field: string) => `${prefix}${field}`;
  const hasQ = line.quantity != null;
  const hasU = line.unit_cost != null;
  if (hasQ !== hasU) {
    const missing = hasQ ? 'unit_cost' : 'quantity';
    errors.push({
      path: at(missing),
      code: 'required_with_pair',
      message: `${missing} is required when ${hasQ ? 'quantity' : 'unit_cost'} is given`,
    });
  }
  if (line.allocation_method === 'percentage' && line.allocation_percentage == null) {
    errors.push({
      path: at('allocation_percentage'),
      code: 'required_for_percentage_allocation',
      message: 'allocation_percentage is required when allocation_method is "percentage"',
    });
  }
  let amount = line.amount ?? undefined;
  if (hasQ && hasU) {
    const product = new Decimal(line.quantity!)
      .times(line.unit_cost!)
      .toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    if (product.gt(MAX_AMOUNT)) {
      errors.push({
        path: at('amount'),
        code: 'too_big',
        message: `quantity x unit_cost = ${product.toFixed(2)} exceeds 999999999999.99`,
      });
    } else if (amount === undefined) {
      amount = product.toFixed(2);
    } else if (!new Decimal(amount).eq(product)) {
      errors.push({
        path: at('amount'),
        code: 'amount_mismatch',
        message: `amount ${amount} does not equal quantity x unit_cost = ${product.toFixed(2)}`,
      });
    }
  }
  if (amount === undefined && !(hasQ && hasU)) {
    errors.push({
      path: at('amount'),
      code: 'required',
      message: 'amount is required (or give quantity and unit_cost)',
    });
  }
  return errors.length ? { errors } : { amount: amount!, errors };
}
