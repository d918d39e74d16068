/** REST routes of the approval workflow: one POST per action, the history, the lines to approve. */
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { budgetParams, budgetResponse } from '../budgets/index.ts';
import { FROM, TO, WORKFLOW_ACTIONS } from './workflow.domain.ts';
import { ACTION_PERMISSION } from './workflow.policy.ts';
import {
  approvalLinesResponse,
  rejectSchema,
  transitionSchema,
  workflowResponse,
} from './workflow.schema.ts';
import type { WorkflowService } from './workflow.service.ts';

const tags = ['workflow'];

/** Registers /budgets/:id/{submit,approve,...}, /budgets/:id/workflow and /budgets/:id/approval-lines. */
export function workflowRoutes(app: App, auth: Authenticator, workflow: WorkflowService): void {
  for (const action of WORKFLOW_ACTIONS) {
    const to = TO[action] === 'previous' ? 'the status it was locked from' : TO[action];
    app.post(
      `/budgets/:id/${action}`,
      {
        onRequest: auth.require(ACTION_PERMISSION[action]),
        schema: {
          tags,
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} a budget: ${FROM[action].join(' | ')} -> ${to} (needs ${ACTION_PERMISSION[action]}; send the budget version)`,
          params: budgetParams,
          body: action === 'reject' ? rejectSchema : transitionSchema,
          response: { 200: budgetResponse, ...errorResponses },
        },
      },
      async (req) => workflow.transition(ctxOf(req), req.params.id, action, req.body),
    );
  }

  app.get(
    '/budgets/:id/workflow',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: "The budget's workflow transitions (who, when, from, to, comment, run id), oldest first",
        params: budgetParams,
        response: { 200: workflowResponse, ...errorResponses },
      },
    },
    async (req) => workflow.history(ctxOf(req), req.params.id),
  );

  app.get(
    '/budgets/:id/approval-lines',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: 'Lines an approver must review: requires_approval, or amount above approval_threshold',
        params: budgetParams,
        response: { 200: approvalLinesResponse, ...errorResponses },
      },
    },
    async (req) => workflow.linesToApprove(ctxOf(req), req.params.id),
  );
}
