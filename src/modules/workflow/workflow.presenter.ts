/** Shapes workflow events and approval lines for the wire. */
import type { BudgetStatus } from '../../shared/enums.ts';
import { Decimal } from '../../shared/money.ts';
import type { LineRow } from '../lines/index.ts';
import { presentLine } from '../lines/index.ts';
import type { WorkflowAction } from './workflow.domain.ts';
import type { WorkflowEventRow } from './workflow.repository.ts';

/** A transition as the API returns it. */
export function presentEvent(e: WorkflowEventRow) {
  return {
    event_id: e.id,
    workflow_id: e.workflowId,
    action: e.action as WorkflowAction,
    from_status: e.fromStatus as BudgetStatus,
    to_status: e.toStatus as BudgetStatus,
    actor: e.actor,
    comment: e.comment,
    occurred_at: e.occurredAt.toISOString(),
  };
}

/** A line for the approver, with why it is listed. */
export function presentApprovalLine(l: LineRow) {
  const reasons: ('requires_approval' | 'above_threshold')[] = [];
  if (l.requiresApproval) reasons.push('requires_approval');
  if (l.approvalThreshold !== null && new Decimal(l.amount).gt(l.approvalThreshold))
    reasons.push('above_threshold');
  return { ...presentLine(l), approval_reasons: reasons };
}
