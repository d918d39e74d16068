/** REST routes of the model registry: models, training jobs and forecasts. */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { withExample } from '../../platform/http/openapi.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import {
  forecastCreateSchema,
  forecastListQuery,
  forecastListResponse,
  forecastResponse,
  modelCreateExample,
  modelCreateSchema,
  modelListQuery,
  modelListResponse,
  modelParams,
  modelResponse,
  trainResponse,
  trainSchema,
} from './forecasting.schema.ts';
import type { ForecastingService } from './forecasting.service.ts';

const tags = ['forecasting'];

/** Registers /forecasting/models routes. */
export function forecastingRoutes(app: App, auth: Authenticator, service: ForecastingService): void {
  app.post(
    '/forecasting/models',
    {
      onRequest: auth.require('forecasts:run'),
      schema: {
        tags,
        summary: 'Create a forecasting model: algorithm, hyperparameters, target, features, training config',
        body: withExample(
          modelCreateSchema,
          'Gradient boosting with lags and seasonality',
          modelCreateExample,
        ),
        response: { 201: modelResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await service.create(ctxOf(req), req.body)),
  );

  app.get(
    '/forecasting/models',
    {
      onRequest: auth.require('forecasts:read'),
      schema: {
        tags,
        summary: 'List models, newest first (filters status, algorithm; cursor pagination)',
        querystring: modelListQuery,
        response: { 200: modelListResponse, ...errorResponses },
      },
    },
    async (req) => service.list(ctxOf(req), req.query),
  );

  app.get(
    '/forecasting/models/:id',
    {
      onRequest: auth.require('forecasts:read'),
      schema: {
        tags,
        summary: 'A model with its status and training results (CV MAE, backtests, coverage, importance)',
        params: modelParams,
        response: { 200: modelResponse, ...errorResponses },
      },
    },
    async (req) => service.get(ctxOf(req), req.params.id),
  );

  app.delete(
    '/forecasting/models/:id',
    {
      onRequest: auth.require('forecasts:run'),
      schema: {
        tags,
        summary: 'Delete a model (soft delete; its forecasts are no longer readable)',
        params: modelParams,
        response: { 200: z.object({ message: z.string(), model_id: z.uuid() }), ...errorResponses },
      },
    },
    async (req) => {
      await service.delete(ctxOf(req), req.params.id);
      return { message: 'Model deleted successfully', model_id: req.params.id };
    },
  );

  app.post(
    '/forecasting/models/:id/train',
    {
      onRequest: auth.require('forecasts:run'),
      schema: {
        tags,
        summary:
          'Train on tenant actuals per month (by gl_account, category or department) or an uploaded series; a background job (202)',
        params: modelParams,
        body: trainSchema,
        response: { 202: trainResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(202).send(await service.train(ctxOf(req), req.params.id, req.body)),
  );

  app.post(
    '/forecasting/models/:id/forecasts',
    {
      onRequest: auth.require('forecasts:run'),
      schema: {
        tags,
        summary:
          'Forecast with a trained model: scenario name, start period, horizon, level → predictions with intervals',
        params: modelParams,
        body: forecastCreateSchema,
        response: { 201: forecastResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await service.forecast(ctxOf(req), req.params.id, req.body)),
  );

  app.get(
    '/forecasting/models/:id/forecasts',
    {
      onRequest: auth.require('forecasts:read'),
      schema: {
        tags,
        summary: "A model's forecasts, newest first",
        params: modelParams,
        querystring: forecastListQuery,
        response: { 200: forecastListResponse, ...errorResponses },
      },
    },
    async (req) => service.forecasts(ctxOf(req), req.params.id, req.query.limit, req.query.cursor),
  );
}
