/** GET /budgets/:id/rolling-forecast: actuals year-to-date plus forecast, against the budget. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { uuidParam } from '../../shared/validation.ts';
import { rollingQuery, rollingResponse } from './rolling-forecast.schema.ts';
import type { RollingForecastService } from './rolling-forecast.service.ts';

/** Registers the rolling forecast route. */
export function rollingForecastRoutes(app: App, auth: Authenticator, service: RollingForecastService): void {
  app.get(
    '/budgets/:id/rolling-forecast',
    {
      onRequest: auth.require('forecasts:read'),
      schema: {
        tags: ['forecasting'],
        summary:
          'Rolling forecast: actuals to as_of plus the forecast of the remaining months, per category or line, with full-year outlook, gap vs budget and interval (needs budgets:read and actuals:read too)',
        params: z.strictObject({ id: uuidParam }),
        querystring: rollingQuery,
        response: { 200: rollingResponse, ...errorResponses },
      },
    },
    async (req) => service.outlook(ctxOf(req), req.params.id, req.query),
  );
}
