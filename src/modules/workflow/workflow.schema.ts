/** Request and response schemas of the approval workflow. */
import { z } from 'zod';
import { BUDGET_STATUSES } from '../../shared/enums.ts';
import { lineResponse } from '../lines/index.ts';
import { WORKFLOW_ACTIONS } from './workflow.domain.ts';

const version = z.number({ message: 'version is required for optimistic locking' }).int().min(1);

/** Body of every transition but reject: the budget version and an optional comment. */
export const transitionSchema = z.strictObject({
  version,
  comment: z.string().trim().min(1).max(2000).optional(),
});

/** Body of reject: the reason is required (it is kept as the event's comment). */
export const rejectSchema = z.strictObject({
  version,
  reason: z
    .string({ message: 'reason is required to reject a budget' })
    .trim()
    .min(1, { message: 'reason must not be empty' })
    .max(2000),
});
export type TransitionInput = { version: number; comment?: string | undefined; reason?: string | undefined };

export const workflowEventResponse = z.object({
  event_id: z.uuid(),
  workflow_id: z.string().nullable(),
  action: z.enum(WORKFLOW_ACTIONS),
  from_status: z.enum(BUDGET_STATUSES),
  to_status: z.enum(BUDGET_STATUSES),
  actor: z.string(),
  comment: z.string().nullable(),
  occurred_at: z.string(),
});

export const workflowResponse = z.object({
  budget_id: z.uuid(),
  status: z.enum(BUDGET_STATUSES),
  approval_workflow_id: z.string().nullable(),
  allowed_actions: z.array(z.enum(WORKFLOW_ACTIONS)),
  items: z.array(workflowEventResponse),
});

export const approvalLinesResponse = z.object({
  budget_id: z.uuid(),
  items: z.array(
    lineResponse.extend({
      approval_reasons: z
        .array(z.enum(['requires_approval', 'above_threshold']))
        .meta({ description: 'Why the line is listed' }),
    }),
  ),
});
