/** REST routes of recommendations: generate and list per budget, read a bundle, act, benchmarks. */
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import {
  actSchema,
  benchmarksPutSchema,
  benchmarksResponse,
  budgetParams,
  bundleListQuery,
  bundleListResponse,
  bundleParams,
  bundleView,
  dismissSchema,
  generateAccepted,
  generateSchema,
  itemParams,
  recommendationView,
} from './recommendations.schema.ts';
import type { RecommendationService } from './recommendations.service.ts';

const tags = ['recommendations'];

/** Registers the recommendations routes. */
export function recommendationRoutes(app: App, auth: Authenticator, service: RecommendationService): void {
  app.post(
    '/budgets/:id/recommendations',
    {
      onRequest: auth.require('recommendations:read'),
      schema: {
        tags,
        summary:
          'Analyse the budget and generate ranked recommendations with their evidence (201 with the bundle; 202 with a job for large budgets)',
        params: budgetParams,
        body: generateSchema,
        response: { 201: bundleView, 202: generateAccepted, ...errorResponses },
      },
    },
    async (req, reply) => {
      const out = await service.generate(
        ctxOf(req),
        req.params.id,
        req.body ?? generateSchema.parse(undefined),
      );
      return out.kind === 'job' ? reply.status(202).send(out.job) : reply.status(201).send(out.bundle);
    },
  );

  app.get(
    '/budgets/:id/recommendations',
    {
      onRequest: auth.require('recommendations:read'),
      schema: {
        tags,
        summary: "List a budget's recommendation bundles (newest first, cursor pagination)",
        params: budgetParams,
        querystring: bundleListQuery,
        response: { 200: bundleListResponse, ...errorResponses },
      },
    },
    async (req) => service.list(ctxOf(req), req.params.id, req.query.limit, req.query.cursor),
  );

  // Registered before /recommendations/:bundleId so that "benchmarks" is never read as an id.
  app.get(
    '/recommendations/benchmarks',
    {
      onRequest: auth.require('recommendations:read'),
      schema: {
        tags,
        summary: "Benchmark figures: the tenant's own, then the built-in configurable defaults",
        response: { 200: benchmarksResponse, ...errorResponses },
      },
    },
    async (req) => service.benchmarks(ctxOf(req)),
  );

  app.put(
    '/recommendations/benchmarks',
    {
      onRequest: auth.require('recommendations:act'),
      schema: {
        tags,
        summary:
          "Replace the tenant's benchmark figures (each with a source, or marked as a configurable default)",
        body: benchmarksPutSchema,
        response: { 200: benchmarksResponse, ...errorResponses },
      },
    },
    async (req) => service.putBenchmarks(ctxOf(req), req.body),
  );

  app.get(
    '/recommendations/:bundleId',
    {
      onRequest: auth.require('recommendations:read'),
      schema: {
        tags,
        summary: 'A bundle: analysis, benchmarks, narrative and ranked recommendations with evidence',
        params: bundleParams,
        response: { 200: bundleView, ...errorResponses },
      },
    },
    async (req) => service.get(ctxOf(req), req.params.bundleId),
  );

  for (const action of ['accept', 'dismiss'] as const) {
    app.post(
      `/recommendations/:bundleId/items/:recommendationId/${action}`,
      {
        onRequest: auth.require('recommendations:act'),
        schema: {
          tags,
          summary:
            action === 'accept'
              ? 'Accept a recommendation (audited)'
              : 'Dismiss a recommendation with a reason (audited)',
          params: itemParams,
          body: action === 'accept' ? actSchema.default({}) : dismissSchema,
          response: { 200: recommendationView, ...errorResponses },
        },
      },
      async (req) =>
        service.decide(ctxOf(req), req.params.bundleId, req.params.recommendationId, action, req.body ?? {}),
    );
  }

  app.post(
    '/recommendations/:bundleId/items/:recommendationId/apply',
    {
      onRequest: auth.require('recommendations:act'),
      schema: {
        tags,
        summary:
          'Apply a recommendation: create a scenario on the budget with its adjustment (needs scenarios:write)',
        params: itemParams,
        body: actSchema.default({}),
        response: { 200: recommendationView, ...errorResponses },
      },
    },
    async (req) =>
      service.apply(ctxOf(req), req.params.bundleId, req.params.recommendationId, req.body ?? {}),
  );
}
