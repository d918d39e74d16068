/** REST routes of scenarios: /budgets/:id/scenarios[/:scenarioId], compare and promote. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { withExample } from '../../platform/http/openapi.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { budgetResponse } from '../budgets/index.ts';
import {
  budgetIdParams,
  compareQuery,
  compareResponse,
  promoteSchema,
  scenarioCreateExample,
  scenarioCreateSchema,
  scenarioDeleteQuery,
  scenarioListQuery,
  scenarioListResponse,
  scenarioParams,
  scenarioResponse,
  scenarioUpdateSchema,
} from './scenarios.schema.ts';
import type { ScenarioService } from './scenarios.service.ts';

const tags = ['scenarios'];

/** Registers /budgets/:id/scenarios routes. */
export function scenarioRoutes(app: App, auth: Authenticator, scenarios: ScenarioService): void {
  app.post(
    '/budgets/:id/scenarios',
    {
      onRequest: auth.require('scenarios:write'),
      schema: {
        tags,
        summary: 'Create a scenario: named adjustments computed on read, never written to the budget',
        params: budgetIdParams,
        body: withExample(scenarioCreateSchema, 'A hiring freeze and a travel cut', scenarioCreateExample),
        response: { 201: scenarioResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await scenarios.create(ctxOf(req), req.params.id, req.body)),
  );

  app.get(
    '/budgets/:id/scenarios',
    {
      onRequest: auth.require('scenarios:read'),
      schema: {
        tags,
        summary: "List a budget's scenarios (newest first, cursor pagination)",
        params: budgetIdParams,
        querystring: scenarioListQuery,
        response: { 200: scenarioListResponse, ...errorResponses },
      },
    },
    async (req) => scenarios.list(ctxOf(req), req.params.id, req.query.limit, req.query.cursor),
  );

  // Registered before /:scenarioId so that "compare" is never read as an id.
  app.get(
    '/budgets/:id/scenarios/compare',
    {
      onRequest: auth.require('scenarios:read'),
      schema: {
        tags,
        summary:
          'Base budget and scenarios side by side: totals by line type, category, department and period, with deltas',
        params: budgetIdParams,
        querystring: compareQuery,
        response: { 200: compareResponse, ...errorResponses },
      },
    },
    async (req) => scenarios.compare(ctxOf(req), req.params.id, req.query.scenario_ids),
  );

  app.get(
    '/budgets/:id/scenarios/:scenarioId',
    {
      onRequest: auth.require('scenarios:read'),
      schema: {
        tags,
        summary: 'Get a scenario',
        params: scenarioParams,
        response: { 200: scenarioResponse, ...errorResponses },
      },
    },
    async (req) => scenarios.get(ctxOf(req), req.params.id, req.params.scenarioId),
  );

  app.put(
    '/budgets/:id/scenarios/:scenarioId',
    {
      onRequest: auth.require('scenarios:write'),
      schema: {
        tags,
        summary: 'Update a scenario (send the version you read; a stale one gets 409)',
        params: scenarioParams,
        body: scenarioUpdateSchema,
        response: { 200: scenarioResponse, ...errorResponses },
      },
    },
    async (req) => scenarios.update(ctxOf(req), req.params.id, req.params.scenarioId, req.body),
  );

  app.delete(
    '/budgets/:id/scenarios/:scenarioId',
    {
      onRequest: auth.require('scenarios:write'),
      schema: {
        tags,
        summary: 'Soft-delete a scenario (optional version check)',
        params: scenarioParams,
        querystring: scenarioDeleteQuery,
        response: { 200: z.object({ message: z.string(), scenario_id: z.uuid() }), ...errorResponses },
      },
    },
    async (req) => {
      await scenarios.delete(ctxOf(req), req.params.id, req.params.scenarioId, req.query.version);
      return { message: 'Scenario deleted successfully', scenario_id: req.params.scenarioId };
    },
  );

  app.post(
    '/budgets/:id/scenarios/:scenarioId/promote',
    {
      onRequest: auth.require('scenarios:write'),
      schema: {
        tags,
        summary: 'Promote a scenario to a new draft budget with the adjusted lines (needs budgets:write too)',
        params: scenarioParams,
        body: promoteSchema,
        response: { 201: budgetResponse, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await scenarios.promote(ctxOf(req), req.params.id, req.params.scenarioId, req.body ?? {})),
  );
}
