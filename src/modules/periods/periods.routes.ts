/** REST routes of budget periods (phasing). */
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { budgetParams } from '../budgets/budgets.schema.ts';
import { lineParams } from '../lines/lines.schema.ts';
import { linePeriodsResponse, periodGridResponse, periodsUpdateSchema } from './periods.schema.ts';
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
        summary: "The budget's lines x periods grid, with totals per period and line type",
        params: budgetParams,
        response: { 200: periodGridResponse, ...errorResponses },
      },
    },
    async (req) => periods.grid(ctxOf(req), req.params.id),
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
