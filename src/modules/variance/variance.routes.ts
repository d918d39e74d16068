/** REST routes of variance analysis: the report, its background job, the tenant thresholds. */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { wantsCsv } from '../../platform/http/csv.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { jobResponse, presentJob } from '../jobs/index.ts';
import { varianceCsv } from './variance.presenter.ts';
import {
  thresholdSettings,
  varianceJobBody,
  varianceParams,
  varianceReportQuery,
  varianceReportResponse,
} from './variance.schema.ts';
import type { VarianceService } from './variance.service.ts';

const tags = ['variance'];

/** Registers /budgets/:id/variance and /variance/thresholds routes. */
export function varianceRoutes(app: App, auth: Authenticator, variance: VarianceService): void {
  app.get(
    '/budgets/:id/variance',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          'Budget vs actual by line, category, department, GL account, month or fiscal quarter / half / year: the period and year-to-date (needs budgets:read and actuals:read). CSV with ?format=csv or Accept: text/csv',
        params: varianceParams,
        querystring: varianceReportQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: varianceReportResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const report = await variance.reportAny(ctxOf(req), req.params.id, req.query);
      if (!wantsCsv(req, req.query.format)) return report;
      // A download, not the JSON response: the untyped reply sends the bytes as they are.
      return (reply as FastifyReply)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="variance-${report.by}-${report.as_of}.csv"`)
        .send(Buffer.from(varianceCsv(report), 'utf8'));
    },
  );

  app.post(
    '/budgets/:id/variance/jobs',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: 'Run a variance report as a background job; the report is the job result (GET /jobs/:id)',
        params: varianceParams,
        body: varianceJobBody,
        response: { 202: jobResponse, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(202).send(presentJob(await variance.enqueue(ctxOf(req), req.params.id, req.body))),
  );

  app.get(
    '/variance/thresholds',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: "The tenant's default variance thresholds",
        response: { 200: thresholdSettings, ...errorResponses },
      },
    },
    async (req) => variance.thresholds(ctxOf(req)),
  );

  app.put(
    '/variance/thresholds',
    {
      onRequest: auth.require('users:manage'),
      schema: {
        tags,
        summary: "Set the tenant's default variance thresholds (needs users:manage; audited)",
        body: thresholdSettings,
        response: {
          200: z.object({ threshold_amount: z.string(), threshold_percent: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (req) => variance.setThresholds(ctxOf(req), req.body),
  );
}
