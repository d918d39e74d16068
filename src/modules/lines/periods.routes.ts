/** REST routes of budget periods (phasing). */
import type { FastifyReply } from 'fastify';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { toCsv, wantsCsv } from '../../platform/http/csv.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { budgetParams, lineParams } from './lines.schema.ts';
import {
  bulkPeriodsResponse,
  bulkPeriodsUpdateSchema,
  linePeriodsResponse,
  periodGridQuery,
  periodGridResponse,
  periodsUpdateSchema,
} from './periods.schema.ts';
import type { PeriodService } from './periods.service.ts';

const tags = ['periods'];

/** Registers /budgets/:id/periods routes. */
export function periodRoutes(app: App, auth: Authenticator, periods: PeriodService): void {
  app.get(
    '/budgets/:id/periods',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          "The budget's lines x periods grid, with totals per period and line type; a page of lines with offset and limit. CSV with ?format=csv or Accept: text/csv",
        params: budgetParams,
        querystring: periodGridQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: periodGridResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { by, offset, limit } = req.query;
      const page = offset > 0 || limit !== undefined ? { offset, limit } : undefined;
      const grid = await periods.grid(ctxOf(req), req.params.id, by, page);
      if (!wantsCsv(req, req.query.format)) return grid;
      // One row per line, one column per period; then the totals per line type and the net.
      const labels = grid.periods.map((p) => p.label);
      const rows: (string | null)[][] = [
        ['line_id', 'line_name', 'line_type', 'category', 'amount', ...labels],
      ];
      for (const l of grid.lines)
        rows.push([l.line_id, l.line_name, l.line_type, l.category, l.amount, ...l.periods]);
      for (const t of ['revenue', 'expense', 'asset', 'liability', 'total'] as const)
        rows.push([
          null,
          t === 'total' ? 'TOTAL (net: revenue - expense)' : `TOTAL ${t}`,
          t === 'total' ? null : t,
          null,
          t === 'total' ? grid.total : null,
          ...grid.periods.map((p) => p[t]),
        ]);
      // A download, not the JSON response: the untyped reply sends the bytes as they are.
      return (reply as FastifyReply)
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="periods-${grid.by}.csv"`)
        .send(Buffer.from(toCsv(rows), 'utf8'));
    },
  );

  app.put(
    '/budgets/:id/periods',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary:
          "Set many lines' period amounts at once (a pasted block): each line with its version, all or nothing; errors name lines.N.periods.M",
        params: budgetParams,
        body: bulkPeriodsUpdateSchema,
        response: { 200: bulkPeriodsResponse, ...errorResponses },
      },
    },
    async (req) => periods.setManyPeriods(ctxOf(req), req.params.id, req.body),
  );

  app.put(
    '/budgets/:id/lines/:lineId/periods',
    {
      onRequest: auth.require('budgets:write'),
      schema: {
        tags,
        summary:
          "Set a line's period amounts (one, some or all; send the line's version): the amount becomes their sum, the method manual",
        params: lineParams,
        body: periodsUpdateSchema,
        response: { 200: linePeriodsResponse, ...errorResponses },
      },
    },
    async (req) => periods.setPeriods(ctxOf(req), req.params.id, req.params.lineId, req.body),
  );
}
