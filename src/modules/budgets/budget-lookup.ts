/**
 * The one way other modules find a budget they act on: the live row or a 404 naming the field.
 * A plain function over the transaction, so that services need no BudgetService to look one up.
 */
import type { Queryable } from '../../platform/db/client.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { BudgetAccess } from '../lines/index.ts';
import type { BudgetCache } from './budgets.cache.ts';
import { assertEditable } from './budgets.policy.ts';
import { type BudgetRow, findBudget } from './budgets.repository.ts';

/**
 * The live budget or 404 (also for another tenant's id: RLS hides it); `forUpdate` locks the
 * row, which serialises the writes of one budget.
 */
export async function mustFindBudget(
  tx: Queryable,
  id: string,
  forUpdate = false,
  path = 'params.id',
): Promise<BudgetRow> {
  const budget = await findBudget(tx, id, forUpdate);
  if (!budget) throw new NotFoundError('Budget', id, path);
  return budget;
}

/**
 * The lines module's BudgetAccess port (src/modules/lines/lines.budgets.ts): a line read finds
 * its budget; a line write locks it, checks it is editable and invalidates its cached views
 * after the commit. src/app/modules.ts passes it to linesModule.
 */
export function budgetAccess(cache: BudgetCache): BudgetAccess {
  return {
    find: (tx, id) => mustFindBudget(tx, id),
    async openForEdit(tx, tenantId, id) {
      const budget = await mustFindBudget(tx, id, true);
      assertEditable(budget);
      cache.invalidateAfterCommit(tx, tenantId, id);
      return budget;
    },
  };
}
