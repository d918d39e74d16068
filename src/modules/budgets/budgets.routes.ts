/** REST routes of budgets: thin (parse, authorize, call the service, reply). */
import { z } from 'zod';
import type { Authenticator } from '../../platform/auth/authenticate.ts';
import { ctxOf } from '../../platform/auth/authenticate.ts';
import { withExample } from '../../platform/http/openapi.ts';
import { acceptsGzip, sendJson } from '../../platform/http/precompressed.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import {
  budgetCreateExample,
  budgetCreateSchema,
  budgetDeleteQuery,
  budgetGetQuery,
  budgetListQuery,
  budgetListResponse,
  budgetParams,
  budgetResponse,
  budgetUpdateSchema,
} from './budgets.schema.ts';
import type { BudgetService } from './budgets.service.ts';

const tags = ['budgets'];

/** Registers /budgets routes. */
export function budgetRoutes(app: App, auth: Authenticator, budgets: BudgetService): void {
  app.post(
    '/budgets',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary: 'Create a budget, optionally with its lines (one transaction)',
        body: withExample(budgetCreateSchema, 'An annual budget with two lines', budgetCreateExample),
        response: { 201: budgetResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await budgets.create(ctxOf(req), req.body)),
  );

  app.get(
    '/budgets',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: 'List budgets (filters, cursor pagination, newest first)',
        querystring: budgetListQuery,
        response: { 200: budgetListResponse, ...errorResponses },
      },
    },
    async (req) => budgets.list(ctxOf(req), req.query),
  );

  app.get(
    '/budgets/:id',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: 'Get a budget, with its lines when include_lines=true',
        params: budgetParams,
        querystring: budgetGetQuery,
        response: { 200: budgetResponse, ...errorResponses },
      },
    },
    async (req, reply) =>
      // Already JSON text or its gzip (cached, or built by PostgreSQL): sent as it is.
      sendJson(
        reply,
        await budgets.read(ctxOf(req), req.params.id, req.query.include_lines, acceptsGzip(req)),
      ),
  );

  app.put(
    '/budgets/:id',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary: 'Update a budget (send the version you read; a stale one gets 409)',
        params: budgetParams,
        body: budgetUpdateSchema,
        response: { 200: budgetResponse, ...errorResponses },
      },
    },
    async (req) => budgets.update(ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/budgets/:id/restore',
    {
      onRequest: auth.require('budgets:delete'),
      schema: {
        tags,
        summary: 'Restore a soft-deleted budget (409 not_deleted when it is live)',
        params: budgetParams,
        response: { 200: budgetResponse, ...errorResponses },
      },
    },
    async (req) => budgets.restore(ctxOf(req), req.params.id),
  );

  app.delete(
    '/budgets/:id',
    {
      onRequest: auth.require('budgets:delete'),
      schema: {
        tags,
        summary: 'Delete a budget (soft by default; soft_delete=false needs budgets:hard_delete)',
        params: budgetParams,
        querystring: budgetDeleteQuery,
        response: {
          200: z.object({ message: z.string(), budget_id: z.uuid(), soft_delete: z.boolean() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await budgets.delete(ctxOf(req), req.params.id, req.query.soft_delete);
      return {
        message: 'Budget deleted successfully',
        budget_id: req.params.id,
        soft_delete: req.query.soft_delete,
      };
    },
  );
}
