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
