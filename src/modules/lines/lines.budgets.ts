/**
 * The lines module's port to the budget a line belongs to. Budgets import lines (a budget is
 * created with its lines and its view embeds them), so lines never import budgets: the budgets
 * module implements this port (`budgetAccess`, src/modules/budgets/budget-lookup.ts) and
 * src/app/modules.ts passes it to `linesModule`.
 */
import type { Queryable, Tx } from '../../platform/db/client.ts';
import type { budgets } from '../../platform/db/schema.ts';

/** A budget row as the lines module reads it. */
export type ParentBudget = typeof budgets.$inferSelect;

/** What lines need of their budget: find it, and open it for a write of its lines. */
export interface BudgetAccess {
  /** The live budget or 404 naming `params.id` (RLS hides another tenant's). */
  find(tx: Queryable, id: string): Promise<ParentBudget>;
  /**
   * The live budget, its row locked (which serialises the line writes of one budget), or 404;
   * 422 when its status forbids edits; its cached views are invalidated after `tx` commits.
   */
  openForEdit(tx: Tx, tenantId: string, id: string): Promise<ParentBudget>;
}
