/** Spreadsheet routes: budget and variance workbooks (XLSX), and lines imported from XLSX or CSV. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { ValidationError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { rawUploadParser } from '../../platform/http/uploads.ts';
import { sendStoredFile, storedFileListResponse } from '../../platform/storage/index.ts';
import { pageQuery, queryBoolean, uuidParam } from '../../shared/validation.ts';
import { varianceParams, varianceQuery } from '../variance/index.ts';
import type { SheetFormat } from './excel.import.ts';
import { lineImportQuery, lineImportResponse, XLSX_TYPE, xlsxResponse } from './excel.schema.ts';
import type { Download, ExcelService } from './excel.service.ts';

const tags = ['excel'];

function send(reply: FastifyReply, file: Download, kept?: { file_id: string }) {
  if (kept) reply.header('x-stored-file-id', kept.file_id);
  return reply
    .type(XLSX_TYPE)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .send(file.bytes);
}

const keepQuery = {
  keep: queryBoolean(false).meta({
    description:
      'Also keep this workbook in the file store, under the budget (needs budgets:write): listed by GET /budgets/{id}/workbooks; its id in the x-stored-file-id header',
  }),
};
const workbookParams = z.strictObject({ id: uuidParam, fileId: uuidParam });

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
        summary:
          'The budget as XLSX: a summary sheet and the Lines sheet (lines x months, totals as formulas), importable back with POST /budgets/{id}/lines/import',
        params: varianceParams,
        querystring: z.strictObject(keepQuery),
        produces: [XLSX_TYPE],
        response: { 200: xlsxResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const file = await excel.exportBudget(ctx, req.params.id);
      const kept = req.query.keep
        ? await excel.keepWorkbook(ctx, req.params.id, 'budget_workbook', file)
        : undefined;
      return send(reply, file, kept);
    },
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
        querystring: varianceQuery.extend(keepQuery),
        produces: [XLSX_TYPE],
        response: { 200: xlsxResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const { keep, ...query } = req.query;
      const file = await excel.exportVariance(ctx, req.params.id, query);
      const kept = keep ? await excel.keepWorkbook(ctx, req.params.id, 'variance_workbook', file) : undefined;
      return send(reply, file, kept);
    },
  );

  app.get(
    '/budgets/:id/workbooks',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          "The budget's kept workbooks (exported with keep=true), newest first: kind, name, size, sha256, who and when",
        params: varianceParams,
        querystring: z.strictObject(pageQuery),
        response: { 200: storedFileListResponse, ...errorResponses },
      },
    },
    async (req) => excel.listWorkbooks(ctxOf(req), req.params.id, req.query.limit, req.query.cursor),
  );

  app.get(
    '/budgets/:id/workbooks/:fileId',
    {
      onRequest: auth.require('budgets:read'),
      schema: {
        tags,
        summary:
          "A kept workbook, byte for byte as it was exported (ETag and x-content-sha256: its SHA-256); 404 for another budget's file",
        params: workbookParams,
        produces: [XLSX_TYPE],
        response: { 200: xlsxResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { row, body } = await excel.workbook(ctxOf(req), req.params.id, req.params.fileId);
      return sendStoredFile(reply, row, body);
    },
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
            'Import lines into an editable budget from CSV (text/csv) or XLSX (the sheet named Lines); row 1 names the line fields; an exported workbook updates its lines in place (mode=update: ids kept, versions checked, months as manual phasing); all or nothing; errors name row and field',
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
