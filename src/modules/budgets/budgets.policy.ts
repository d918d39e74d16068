/** Who may do what to a budget, and in which states a budget may change. */
import { authorize } from '../../platform/auth/policy.ts';
import { AppError, BusinessRuleError } from '../../platform/http/errors.ts';
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

/** Statuses in which a budget may be deleted with budgets:delete alone. */
const FREELY_DELETABLE: readonly BudgetStatus[] = ['draft', 'rejected'];
/** Statuses in which nobody may delete a budget (read-only to everyone). */
const NEVER_DELETABLE: readonly BudgetStatus[] = ['locked', 'archived'];

/**
 * Who may delete a budget in its status (docs/api.md, "Deleting budgets"):
 * draft and rejected need budgets:delete; under_review, approved and active need
 * budgets:approve as well (403 otherwise); locked and archived are refused for everyone (422
 * naming the status); a hard delete needs budgets:hard_delete (admins) on top.
 */
export function assertDeletable(ctx: TenantContext, budget: BudgetRow): void {
  if (NEVER_DELETABLE.includes(budget.status)) {
    const hint = budget.status === 'locked' ? ': unlock it before deleting it' : ' and read-only to everyone';
    throw new BusinessRuleError(
      budget.status === 'locked' ? 'budget_locked' : 'budget_archived',
      `Budget is ${budget.status}${hint}; it cannot be deleted`,
      'status',
      { status: budget.status },
    );
  }
  if (!FREELY_DELETABLE.includes(budget.status) && !ctx.permissions.has('budgets:approve')) {
    const message = `Deleting a budget that is ${budget.status} needs permission 'budgets:approve'`;
    throw new AppError(
      403,
      'forbidden',
      message,
      [{ path: 'permissions', code: 'missing_permission', message }],
      {
        status: budget.status,
      },
    );
  }
}

/** Deleting: soft needs budgets:delete, hard needs budgets:hard_delete as well. */
export function authorizeDelete(ctx: TenantContext, soft: boolean): void {
  authorize(ctx, 'budgets:delete');
  if (!soft) authorize(ctx, 'budgets:hard_delete');
}
