/**
 * The approval workflow as a table: which action moves a budget from which statuses to which.
 * Unlock returns a budget to the status it had when it was locked (approved or active), read
 * from the lock's workflow event, so locking is a pause and not a way to skip or undo approval.
 */
import type { BudgetStatus } from '../../shared/enums.ts';

export const WORKFLOW_ACTIONS = [
  'submit',
  'approve',
  'reject',
  'reopen',
  'activate',
  'lock',
  'unlock',
  'archive',
] as const;
export type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

/** Statuses each action may start from. */
export const FROM: Record<WorkflowAction, readonly BudgetStatus[]> = {
  submit: ['draft'],
  approve: ['under_review'],
  reject: ['under_review'],
  reopen: ['rejected'],
  activate: ['approved'],
  lock: ['approved', 'active'],
  unlock: ['locked'],
  archive: ['draft', 'under_review', 'approved', 'active', 'locked', 'rejected'],
};

/** Where each action leads; `previous` is the status before the lock. */
export const TO: Record<WorkflowAction, BudgetStatus | 'previous'> = {
  submit: 'under_review',
  approve: 'approved',
  reject: 'rejected',
  reopen: 'draft',
  activate: 'active',
  lock: 'locked',
  unlock: 'previous',
  archive: 'archived',
};

/** Past tense of an action, for audit entries (`budget.submitted`). */
export const PAST: Record<WorkflowAction, string> = {
  submit: 'submitted',
  approve: 'approved',
  reject: 'rejected',
  reopen: 'reopened',
  activate: 'activated',
  lock: 'locked',
  unlock: 'unlocked',
  archive: 'archived',
};

/** The actions allowed from a status, in table order. */
export function allowedActions(status: BudgetStatus): WorkflowAction[] {
  return WORKFLOW_ACTIONS.filter((a) => FROM[a].includes(status));
}

/** The status an allowed action leads to; `lockedFrom` is the status the budget was locked from. */
export function targetStatus(action: WorkflowAction, lockedFrom: BudgetStatus | undefined): BudgetStatus {
  const to = TO[action];
  if (to !== 'previous') return to;
  // A lock always comes from approved or active; without its event, active is the safe guess (no approver needed).
  return lockedFrom === 'approved' || lockedFrom === 'active' ? lockedFrom : 'active';
}
