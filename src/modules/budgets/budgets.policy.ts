/** Who may do what to a budget, and in which states a budget may change. */
import { authorize } from '../../platform/auth/policy.ts';
import { BusinessRuleError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import type { BudgetStatus } from '../../shared/enums.ts';
import type { BudgetRow } from './budgets.repository.ts';

/** Statuses in which a budget and its lines may be edited. */
export const EDITABLE_STATUSES: readonly BudgetStatus[] = ['draft', 'rejected'];

/** Throws 422 if the budget's status forbids edits. */
export function assertEditable(budget: BudgetRow): void {
  if (!EDITABLE_STATUSES.includes(budget.status)) {
    throw new BusinessRuleError(
      'budget_not_editable',
      `Budget is ${budget.status}: only ${EDITABLE_STATUSES.join(' and ')} budgets can be edited`,
      'status',
      { status: budget.status },
    );
  }
}

/** Throws 422 for a locked budget: locked budgets are read-only to everyone, deletion included. */
export function assertDeletable(budget: BudgetRow): void {
  if (budget.status === 'locked') {
    throw new BusinessRuleError('budget_locked', 'Budget is locked: unlock it before deleting it', 'status', {
      status: budget.status,
    });
  }
}

/** Deleting: soft needs budgets:delete, hard needs budgets:hard_delete as well. */
export function authorizeDelete(ctx: TenantContext, soft: boolean): void {
  authorize(ctx, 'budgets:delete');
  if (!soft) authorize(ctx, 'budgets:hard_delete');
}
