/** Spreadsheet routes: budget and variance workbooks (XLSX), and lines imported from XLSX or CSV. */
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { AppError, ValidationError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { varianceParams, varianceQuery } from '../variance/variance.schema.ts';
import type { SheetFormat } from './excel.import.ts';
import { lineImportQuery, lineImportResponse, XLSX_TYPE, xlsxResponse } from './excel.schema.ts';
import type { Download, ExcelService } from './excel.service.ts';

const tags = ['excel'];

function send(reply: FastifyReply, file: Download) {
  return reply
    .type(XLSX_TYPE)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .send(file.bytes);
}

function formatOf(req: FastifyRequest, given: SheetFormat | undefined): SheetFormat {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === XLSX_TYPE) return 'xlsx';
  if (given) return given;
  throw new ValidationError([
    {
      path: 'query.format',
      code: 'required',
      message: 'format (csv or xlsx) is required for application/octet-stream bodies',
    },
  ]);
}

/** Reads the whole body, refusing more than `max` bytes (a line file is at most 10,000 rows). */
async function readBody(body: unknown, max: number): Promise<Buffer> {
  if (!body || typeof (body as Readable)[Symbol.asyncIterator] !== 'function')
    throw new ValidationError([
      { path: 'body', code: 'required', message: 'send the file as the request body' },
    ]);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as Readable) {
    size += (chunk as Buffer).length;
    if (size > max)
      throw new AppError(413, 'body_too_large', `The file is larger than ${max} bytes`, [
        { path: 'body', code: 'body_too_large', message: `The file is larger than ${max} bytes` },
      ]);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Registers the XLSX export routes and POST /budgets/:id/lines/import (own scope for the raw-body parsers). */
export function excelRoutes(app: App, auth: Authenticator, excel: ExcelService, bodyLimit: number): void {
  app.get(
    '/budgets/:id/export.xlsx',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary: 'The budget as XLSX: a summary sheet and a sheet of lines x months, totals as formulas',
        params: varianceParams,
        produces: [XLSX_TYPE],
        response: { 200: xlsxResponse, ...errorResponses },
      },
    },
    async (req, reply) => send(reply, await excel.exportBudget(ctxOf(req), req.params.id)),
  );

  app.get(
    '/budgets/:id/variance/export.xlsx',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          'The variance report as XLSX (same query as GET /budgets/:id/variance; needs actuals:read too)',
        params: varianceParams,
        querystring: varianceQuery,
        produces: [XLSX_TYPE],
        response: { 200: xlsxResponse, ...errorResponses },
      },
    },
    async (req, reply) => send(reply, await excel.exportVariance(ctxOf(req), req.params.id, req.query)),
  );

  app.register(async (scope) => {
    const api = scope as unknown as App;
    // The body stays a stream here and is read with a size cap in the handler.
    api.addContentTypeParser(['text/csv', XLSX_TYPE, 'application/octet-stream'], (_req, payload, done) =>
      done(null, payload),
    );
    api.post(
      '/budgets/:id/lines/import',
      {
        onRequest: auth.require('budgets:write'),
        schema: {
          tags,
          summary:
            'Import lines into an editable budget from CSV (text/csv) or XLSX (first sheet); row 1 names the line fields; all or nothing; errors name row and field',
          params: varianceParams,
          consumes: ['text/csv', XLSX_TYPE, 'application/octet-stream'],
          querystring: lineImportQuery,
          response: { 200: lineImportResponse, ...errorResponses },
        },
      },
      async (req) => {
        const format = formatOf(req, req.query.format);
        const bytes = await readBody(req.body, bodyLimit);
        return excel.importLines(ctxOf(req), req.params.id, bytes, format, req.query);
      },
    );
  });
}
