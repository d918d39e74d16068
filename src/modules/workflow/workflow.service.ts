/** Workflow use cases: move a budget through its statuses, list its history, list lines to approve. */
import { v7 as uuidv7 } from 'uuid';
import { emit } from '../../platform/events/outbox.ts';
import { VersionConflictError } from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import type { BudgetStatus } from '../../shared/enums.ts';
import { recordAudit } from '../audit/index.ts';
import type { BudgetCache, NewBudget } from '../budgets/index.ts';
import { type BudgetView, mustFindBudget, presentBudget, totalsFor, updateBudget } from '../budgets/index.ts';
import { allowedActions, PAST, targetStatus, type WorkflowAction } from './workflow.domain.ts';
import { assertNotSubmitter, assertTransition } from './workflow.policy.ts';
import { presentApprovalLine, presentEvent } from './workflow.presenter.ts';
import { approvalLines, insertEvent, lastEvent, listEvents } from './workflow.repository.ts';
import type { TransitionInput } from './workflow.schema.ts';

type TransitionEvent =
  | 'budget.submitted'
  | 'budget.approved'
  | 'budget.rejected'
  | 'budget.reopened'
  | 'budget.activated'
  | 'budget.locked'
  | 'budget.unlocked'
  | 'budget.archived';

export class WorkflowService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgetCache: BudgetCache,
  ) {}

  /**
   * Applies one action if the budget's version is current (409) and the move is legal (422),
   * with its event and audit entry in the same transaction; the cache is invalidated after commit.
   */
  async transition(
    ctx: TenantContext,
    budgetId: string,
    action: WorkflowAction,
    input: TransitionInput,
  ): Promise<BudgetView> {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const before = await mustFindBudget(tx, budgetId, true);
      if (before.version !== input.version) {
        throw new VersionConflictError('Budget', input.version, before.version);
      }
      this.budgetCache.invalidateAfterCommit(tx, ctx.tenantId, budgetId);
      assertTransition(before.status, action);
      if (action === 'approve') {
        const submitted = await lastEvent(tx, budgetId, 'submit', before.approvalWorkflowId);
        assertNotSubmitter(ctx, submitted?.actor);
      }
      const lockedFrom =
        action === 'unlock'
          ? ((await lastEvent(tx, budgetId, 'lock'))?.fromStatus as BudgetStatus)
          : undefined;
      const to = targetStatus(action, lockedFrom);
      // Each submit starts a new approval run; every later event belongs to it.
      const workflowId = action === 'submit' ? uuidv7() : before.approvalWorkflowId;
      const patch: Partial<NewBudget> = { status: to, approvalWorkflowId: workflowId, updatedBy: ctx.userId };
      if (action === 'submit') Object.assign(patch, { approvedBy: null, approvedAt: null });
      if (action === 'approve') Object.assign(patch, { approvedBy: ctx.userId, approvedAt: new Date() });
      const after = await updateBudget(tx, budgetId, patch);
      const comment = input.reason ?? input.comment ?? null;
      const event = await insertEvent(tx, {
        id: uuidv7(),
        tenantId: ctx.tenantId,
        budgetId,
        workflowId,
        action,
        fromStatus: before.status,
        toStatus: to,
        actor: ctx.userId,
        comment,
      });
      await recordAudit(tx, ctx, {
        action: `budget.${PAST[action]}`,
        entityType: 'budget',
        entityId: budgetId,
        before: { status: before.status, version: before.version },
        after: { status: to, version: after.version, workflow_id: workflowId, event_id: event.id, comment },
      });
      await emit(tx, ctx, {
        type: `budget.${PAST[action]}` as TransitionEvent,
        subjectId: budgetId,
        data: {
          budget_id: budgetId,
          from_status: before.status,
          to_status: to,
          workflow_id: workflowId,
          comment,
          version: after.version,
        },
      });
      const totals = await totalsFor(tx, [budgetId]);
      const view = presentBudget(after, totals);
      // Open collaboration sessions see the new status (logged here, published after commit).
      await this.deps.changes?.record(tx, ctx, {
        budgetId,
        kind: 'budget_updated',
        targetType: 'budget',
        targetId: budgetId,
        before: presentBudget(before, totals),
        after: view,
      });
      return view;
    });
  }

  /** The budget's transitions, oldest first, with the actions allowed now. */
  async history(ctx: TenantContext, budgetId: string) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const budget = await mustFindBudget(tx, budgetId);
      return {
        budget_id: budget.id,
        status: budget.status,
        approval_workflow_id: budget.approvalWorkflowId,
        allowed_actions: allowedActions(budget.status),
        items: (await listEvents(tx, budgetId)).map(presentEvent),
      };
    });
  }

  /** Lines with requires_approval or an amount above their approval_threshold. */
  async linesToApprove(ctx: TenantContext, budgetId: string) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      return { budget_id: budgetId, items: (await approvalLines(tx, budgetId)).map(presentApprovalLine) };
    });
  }
}
