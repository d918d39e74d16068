/** Spreadsheet routes: budget and variance workbooks (XLSX), and lines imported from XLSX or CSV. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { ValidationError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { rawUploadParser } from '../../platform/http/uploads.ts';
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

/** Reads the whole body (the parser caps it at the body limit: a line file is at most 10,000 rows). */
async function readBody(body: unknown): Promise<Buffer> {
  const stream = body as AsyncIterable<Buffer> | undefined;
  if (!stream || typeof stream[Symbol.asyncIterator] !== 'function')
    throw new ValidationError([
      { path: 'body', code: 'required', message: 'send the file as the request body' },
    ]);
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
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
    // The body stays a stream, capped at the body limit (413 from content-length at once).
    api.addContentTypeParser(['text/csv', XLSX_TYPE, 'application/octet-stream'], rawUploadParser(bodyLimit));
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
        const bytes = await readBody(req.body);
        return excel.importLines(ctxOf(req), req.params.id, bytes, format, req.query);
      },
    );
  });
}
