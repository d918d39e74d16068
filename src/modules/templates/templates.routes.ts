/** REST routes of budget templates, their versions, and budgets created from them. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { withExample } from '../../platform/http/openapi.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import {
  budgetFromTemplateSchema,
  budgetResponse,
  templateCreateExample,
  templateCreateSchema,
  templateDeleteQuery,
  templateListQuery,
  templateListResponse,
  templateParams,
  templateResponse,
  templateUpdateSchema,
  templateVersionParams,
  versionListQuery,
  versionListResponse,
  versionResponse,
} from './templates.schema.ts';
import type { TemplateService } from './templates.service.ts';

const tags = ['templates'];

/** Registers /templates routes. */
export function templateRoutes(app: App, auth: Authenticator, templates: TemplateService): void {
  app.post(
    '/templates',
    {
      onRequest: auth.require('templates:write'),
      schema: {
        tags,
        summary: 'Create a template (its version 1): default budget fields and lines',
        body: withExample(
          templateCreateSchema,
          'A department template with a seasonal line',
          templateCreateExample,
        ),
        response: { 201: templateResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await templates.create(ctxOf(req), req.body)),
  );

  app.get(
    '/templates',
    {
      onRequest: auth.require('templates:read'),
      schema: {
        tags,
        summary: 'List templates (newest first, cursor pagination; no lines)',
        querystring: templateListQuery,
        response: { 200: templateListResponse, ...errorResponses },
      },
    },
    async (req) => templates.list(ctxOf(req), req.query),
  );

  app.get(
    '/templates/:id',
    {
      onRequest: auth.require('templates:read'),
      schema: {
        tags,
        summary: "Get a template with its current version's defaults and lines",
        params: templateParams,
        response: { 200: templateResponse, ...errorResponses },
      },
    },
    async (req) => templates.get(ctxOf(req), req.params.id),
  );

  app.put(
    '/templates/:id',
    {
      onRequest: auth.require('templates:write'),
      schema: {
        tags,
        summary: 'Change a template: saves a new immutable version (send the version you read)',
        params: templateParams,
        body: templateUpdateSchema,
        response: { 200: templateResponse, ...errorResponses },
      },
    },
    async (req) => templates.update(ctxOf(req), req.params.id, req.body),
  );

  app.delete(
    '/templates/:id',
    {
      onRequest: auth.require('templates:write'),
      schema: {
        tags,
        summary: 'Soft-delete a template (frees its name; optional version check)',
        params: templateParams,
        querystring: templateDeleteQuery,
        response: {
          200: z.object({ message: z.string(), template_id: z.uuid() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await templates.delete(ctxOf(req), req.params.id, req.query.version);
      return { message: 'Template deleted successfully', template_id: req.params.id };
    },
  );

  app.get(
    '/templates/:id/versions',
    {
      onRequest: auth.require('templates:read'),
      schema: {
        tags,
        summary: "List a template's versions, newest first (no lines)",
        params: templateParams,
        querystring: versionListQuery,
        response: { 200: versionListResponse, ...errorResponses },
      },
    },
    async (req) => templates.versions(ctxOf(req), req.params.id, req.query.limit, req.query.cursor),
  );

  app.get(
    '/templates/:id/versions/:version',
    {
      onRequest: auth.require('templates:read'),
      schema: {
        tags,
        summary: 'Get one immutable version of a template, with its defaults and lines',
        params: templateVersionParams,
        response: { 200: versionResponse, ...errorResponses },
      },
    },
    async (req) => templates.version(ctxOf(req), req.params.id, req.params.version),
  );

  app.post(
    '/templates/:id/budgets',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary:
          'Create a draft budget from a template version (default current), overriding its defaults; needs templates:read too',
        params: templateParams,
        body: budgetFromTemplateSchema,
        response: { 201: budgetResponse, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await templates.createBudget(ctxOf(req), req.params.id, req.body)),
  );
}
