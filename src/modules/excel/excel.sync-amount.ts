/** The new amount of a line updated from a workbook row: typed, from its months, or quantity x unit cost. */
import { Decimal } from '../../shared/money.ts';
import type { LineRow } from '../lines/index.ts';
import { resolveLineAmount } from '../lines/index.ts';

type Err = (row: number, field: string, code: string, message: string) => void;

/**
 * The amount a row gives its line. Changed months decide it (their sum; a changed Amount cell
 * must agree); else a changed Amount cell; else, when quantity or unit cost changed, their
 * product; else the stored amount. Quantity x unit cost must agree with the result, as in the API.
 */
export function resolveAmount(
  row: number,
  before: LineRow,
  changed: Record<string, unknown>,
  fileAmount: string | undefined,
  months: string[] | undefined,
  err: Err,
): string | undefined {
  const has = (f: string) => Object.hasOwn(changed, f);
  const amountChanged = fileAmount !== undefined && !new Decimal(fileAmount).eq(before.amount);
  let amount: string | undefined;
  if (months) {
    const sum = months.reduce((s, m) => s.plus(m), new Decimal(0)).toFixed(2);
    if (amountChanged && !new Decimal(fileAmount!).eq(sum)) {
      err(
        row,
        'amount',
        'amount_not_sum_of_months',
        `amount ${fileAmount} is not the sum of the months (${sum})`,
      );
      return undefined;
    }
    amount = sum;
  } else if (amountChanged) amount = fileAmount;
  else amount = has('quantity') || has('unit_cost') ? undefined : before.amount;
  const resolved = resolveLineAmount({
    amount,
    quantity: (has('quantity') ? changed.quantity : before.quantity) as string | null,
    unit_cost: (has('unit_cost') ? changed.unit_cost : before.unitCost) as string | null,
    allocation_method: (changed.allocation_method as string | undefined) ?? before.allocationMethod,
    allocation_percentage: (has('allocation_percentage')
      ? changed.allocation_percentage
      : before.allocationPercentage) as string | null,
  });
  for (const e of resolved.errors) err(row, e.path, e.code, e.message);
  return resolved.errors.length ? undefined : new Decimal(resolved.amount!).toFixed(2);
}
