/** REST routes of roll-ups along dimension trees (budget, and variance). */
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { fieldError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { budgetParams } from '../budgets/index.ts';
import {
  rollupQuery,
  rollupResponse,
  varianceRollupQuery,
  varianceRollupResponse,
} from './rollups.schema.ts';
import type { RollupService } from './rollups.service.ts';

const tags = ['dimensions'];

const oneSelection = (q: { level?: number | undefined; node?: string | undefined }) => {
  if (q.level !== undefined && q.node !== undefined)
    throw fieldError('query.node', 'exclusive', 'give either level or node, not both');
};

/** Registers GET /budgets/:id/rollup and GET /budgets/:id/variance/rollup. */
export function rollupRoutes(app: App, auth: Authenticator, rollups: RollupService): void {
  app.get(
    '/budgets/:id/rollup',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          "The budget rolled up along a dimension tree at a level (or a node's children): per node the amounts by line type and net, per period with by=month|quarter|half|year; codes not in the tree under 'unassigned'. Exact: the nodes add up to the total",
        params: budgetParams,
        querystring: rollupQuery,
        response: { 200: rollupResponse, ...errorResponses },
      },
    },
    async (req) => {
      oneSelection(req.query);
      return rollups.budget(ctxOf(req), req.params.id, req.query);
    },
  );

  app.get(
    '/budgets/:id/variance/rollup',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          "The variance report's per-line figures rolled up along a dimension tree (budget, actual, variance, percent, favourability and flags per node and line type); unmatched actuals are on no line and reported apart",
        params: budgetParams,
        querystring: varianceRollupQuery,
        response: { 200: varianceRollupResponse, ...errorResponses },
      },
    },
    async (req) => {
      oneSelection(req.query);
      return rollups.varianceRollup(ctxOf(req), req.params.id, req.query);
    },
  );
}
