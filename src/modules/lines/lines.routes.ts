/** REST routes of budget lines. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { withExample } from '../../platform/http/openapi.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import {
  budgetParams,
  bulkLinesSchema,
  lineCreateExample,
  lineCreateSchema,
  lineDeleteQuery,
  lineParams,
  lineResponse,
  linesListQuery,
  lineUpdateSchema,
} from './lines.schema.ts';
import type { LineService } from './lines.service.ts';

const tags = ['budget lines'];

/** Registers /budgets/:id/lines routes. */
export function lineRoutes(app: App, auth: Authenticator, lines: LineService): void {
  app.get(
    '/budgets/:id/lines',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: "List a budget's lines (ordered by line_order, cursor pagination)",
        params: budgetParams,
        querystring: linesListQuery,
        response: {
          200: z.object({ items: z.array(lineResponse), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => lines.list(ctxOf(req), req.params.id, req.query.limit, req.query.cursor),
  );

  app.post(
    '/budgets/:id/lines',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary: 'Add one line',
        params: budgetParams,
        body: withExample(lineCreateSchema, 'An expense line spread evenly', lineCreateExample),
        response: { 201: lineResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await lines.addOne(ctxOf(req), req.params.id, req.body)),
  );

  app.post(
    '/budgets/:id/lines/bulk',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary: 'Add many lines, or replace all lines (mode=replace); all or nothing',
        params: budgetParams,
        body: bulkLinesSchema,
        response: {
          200: z.object({ added: z.number().int(), removed: z.number().int(), line_ids: z.array(z.uuid()) }),
          ...errorResponses,
        },
      },
    },
    async (req) => lines.addMany(ctxOf(req), req.params.id, req.body.lines, req.body.mode, 'lines'),
  );

  app.put(
    '/budgets/:id/lines/:lineId',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary: "Update a line (send the line's version; a stale one gets 409)",
        params: lineParams,
        body: lineUpdateSchema,
        response: { 200: lineResponse, ...errorResponses },
      },
    },
    async (req) => lines.update(ctxOf(req), req.params.id, req.params.lineId, req.body),
  );

  app.delete(
    '/budgets/:id/lines/:lineId',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary: 'Delete a line (soft by default; soft_delete=false needs budgets:hard_delete)',
        params: lineParams,
        querystring: lineDeleteQuery,
        response: { 200: z.object({ message: z.string(), line_id: z.uuid() }), ...errorResponses },
      },
    },
    async (req) => {
      await lines.delete(
        ctxOf(req),
        req.params.id,
        req.params.lineId,
        req.query.soft_delete,
        req.query.version,
      );
      return { message: 'Budget line deleted successfully', line_id: req.params.lineId };
    },
  );
}
