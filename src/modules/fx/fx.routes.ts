/** REST routes of FX rates (permissions: actuals:read / actuals:write, as rates exist to convert actuals). */
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { fieldError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { rawUploadParser } from '../../platform/http/uploads.ts';
import {
  convertQuery,
  convertResponse,
  deleteRateQuery,
  putRatesBody,
  putRatesResponse,
  rateListResponse,
  ratesQuery,
} from './fx.schema.ts';
import type { FxService } from './fx.service.ts';

const tags = ['fx-rates'];

/** Registers /fx-rates routes. */
export function fxRoutes(app: App, auth: Authenticator, fx: FxService, bodyLimit: number): void {
  app.put(
    '/fx-rates',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary: 'Insert or replace monthly rates (1 from = rate to), all or nothing',
        body: putRatesBody,
        response: { 200: putRatesResponse, ...errorResponses },
      },
    },
    async (req) => fx.put(ctxOf(req), req.body.rates),
  );

  app.get(
    '/fx-rates',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary: 'Stored rates, newest month first',
        querystring: ratesQuery,
        response: { 200: rateListResponse, ...errorResponses },
      },
    },
    async (req) => fx.list(ctxOf(req), req.query),
  );

  app.delete(
    '/fx-rates',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary: 'Delete one stored rate',
        querystring: deleteRateQuery,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await fx.remove(ctxOf(req), req.query.period, req.query.from, req.query.to);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/fx-rates/convert',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary:
          'Convert an amount for a month, showing the rate used (latest month <= period; 422 fx_rate_missing otherwise)',
        querystring: convertQuery,
        response: { 200: convertResponse, ...errorResponses },
      },
    },
    async (req) => fx.convert(ctxOf(req), req.query),
  );

  app.register(async (scope) => {
    const api = scope as unknown as App;
    // Streamed, capped at the body limit; the rows are read as they arrive.
    api.addContentTypeParser('text/csv', rawUploadParser(bodyLimit));
    api.post(
      '/fx-rates/imports',
      {
        onRequest: auth.require('actuals:write'),
        schema: {
          tags,
          summary:
            'Import rates from a CSV body (text/csv; columns period, from, to, rate[, source]); a bad row stores nothing',
          consumes: ['text/csv'],
          response: { 200: putRatesResponse, ...errorResponses },
        },
      },
      async (req) => {
        const body = req.body as AsyncIterable<Buffer> | undefined;
        if (!body || typeof body[Symbol.asyncIterator] !== 'function')
          throw fieldError('body', 'required', 'send the CSV as a text/csv request body');
        return fx.importCsv(ctxOf(req), body);
      },
    );
  });
}
