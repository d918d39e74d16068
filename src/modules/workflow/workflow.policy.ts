/** Who may move a budget through the workflow, and which moves are legal. */
import type { Permission } from '../../platform/auth/permissions.ts';
import { BusinessRuleError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import type { BudgetStatus } from '../../shared/enums.ts';
import { allowedActions, type WorkflowAction } from './workflow.domain.ts';

/** The permission each action needs: planners submit and reopen; approvers decide; archiving is a deletion right. */
export const ACTION_PERMISSION: Record<WorkflowAction, Permission> = {
  submit: 'budgets:write',
  reopen: 'budgets:write',
  approve: 'budgets:approve',
  reject: 'budgets:approve',
  activate: 'budgets:approve',
  lock: 'budgets:approve',
  unlock: 'budgets:approve',
  archive: 'budgets:delete',
};

/** Throws 422 naming the allowed actions unless the action may start from the status. */
export function assertTransition(status: BudgetStatus, action: WorkflowAction): void {
  const allowed = allowedActions(status);
  if (allowed.includes(action)) return;
  throw new BusinessRuleError(
    'illegal_transition',
    `Cannot ${action} a budget that is ${status}; allowed from ${status}: ${allowed.length ? allowed.join(', ') : 'nothing (archived budgets are final)'}`,
    'status',
    { status, allowed_actions: allowed },
  );
}

/** Throws 422 if the approver submitted this run: four eyes, for admins too. */
export function assertNotSubmitter(ctx: TenantContext, submitter: string | undefined): void {
  if (submitter !== undefined && submitter === ctx.userId) {
    throw new BusinessRuleError(
      'approver_is_submitter',
      'The approver may not be the user who submitted the budget',
      'approved_by',
    );
  }
}
