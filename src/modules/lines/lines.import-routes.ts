/** POST /budgets/:id/lines/imports (and its preview): budget lines through the shared import engine. */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppConfig } from '../../config/env.ts';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { AppError, ValidationError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { rawUploadParser } from '../../platform/http/uploads.ts';
import { queryBoolean } from '../../shared/validation.ts';
import type { MappingService } from '../actuals/index.ts';
import { importQuery, previewQuery, suggestionOut, XLSX_TYPE } from '../actuals/index.ts';
import {
  columnsOut,
  type FileFormat,
  LINE_FIELDS,
  mappingSchema,
  previewColumns,
  readFileHead,
} from '../imports/index.ts';
import { fileRows, readLineFile, readLineRow, rejectionOf } from './lines.import.ts';
import { budgetParams } from './lines.schema.ts';
import type { LineService } from './lines.service.ts';

const tags = ['budget lines'];

export const lineImportsQuery = z.strictObject({
  mode: z
    .enum(['append', 'replace'])
    .default('append')
    .meta({ description: 'replace: the file replaces every line' }),
  format: importQuery.shape.format,
  mapping_name: importQuery.shape.mapping_name,
  mapping: importQuery.shape.mapping,
  create_missing_members: queryBoolean(false).meta({
    description:
      'true: codes that are not members of a dimension the tenant keeps a tree for are created as roots (otherwise they are row errors, unknown_member)',
  }),
});

const columnOut = z
  .object({
    source: z.string().nullable(),
    column: z.number().int().nullable(),
    matched_by: z.enum(['mapping', 'header_name', 'derived']),
    rule: z.unknown().optional(),
  })
  .nullable();
const fieldError = z.object({ path: z.string(), code: z.string(), message: z.string() });

export const lineImportsResponse = z.object({
  rows: z.number().int().meta({ description: 'line rows read from the file' }),
  blank_skipped: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  line_ids: z.array(z.uuid()),
  mapping_name: z.string().nullable(),
  columns: z.record(z.string(), columnOut).meta({ description: 'where each line field was read from' }),
});

export const lineImportsPreviewResponse = z.object({
  header: z.array(z.string()),
  rows: z.array(z.object({ row_number: z.number().int(), cells: z.array(z.string()) })),
  suggestions: z.array(suggestionOut),
  columns: z.record(z.string(), columnOut),
  errors: z.array(fieldError),
  read: z.array(
    z.object({
      row_number: z.number().int(),
      ok: z.boolean(),
      value: z.record(z.string(), z.unknown()).optional(),
      errors: z.array(fieldError).optional(),
    }),
  ),
  saved_mappings: z.array(z.object({ mapping_id: z.uuid(), name: z.string(), fits: z.boolean() })),
});

function formatOf(req: FastifyRequest, given: FileFormat | undefined): FileFormat {
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

async function readBody(body: unknown): Promise<Buffer> {
  const stream = body as AsyncIterable<Buffer> | undefined;
  if (!stream || typeof stream[Symbol.asyncIterator] !== 'function')
    throw new AppError(400, 'validation_failed', 'Request validation failed', [
      { path: 'body', code: 'required', message: 'send the file as the request body' },
    ]);
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Registers the mapped line import routes in their own scope (raw-body parsers). */
export function lineImportRoutes(
  app: App,
  auth: Authenticator,
  lines: LineService,
  mappings: MappingService,
  config: AppConfig,
): void {
  app.register(async (scope) => {
    const api = scope as unknown as App;
    api.addContentTypeParser(
      ['text/csv', XLSX_TYPE, 'application/octet-stream'],
      rawUploadParser(config.BODY_LIMIT_BYTES),
    );
    api.post(
      '/budgets/:id/lines/imports',
      {
        onRequest: auth.require('budgets:write'),
        schema: {
          tags,
          summary:
            'Import budget lines from CSV or XLSX with a column mapping (mapping, mapping_name, or header names; derived fields; accounting amounts) — the engine of POST /actuals/imports (docs/imports.md). All or nothing; 422 counts every failed row.',
          params: budgetParams,
          consumes: ['text/csv', XLSX_TYPE, 'application/octet-stream'],
          querystring: lineImportsQuery,
          response: { 200: lineImportsResponse, ...errorResponses },
        },
      },
      async (req) => {
        const ctx = ctxOf(req);
        const q = req.query;
        const format = formatOf(req, q.format);
        const { mapping, name } = await mappings.resolve(
          ctx,
          { json: q.mapping, name: q.mapping_name },
          'lines',
        );
        await lines.assertBudgetVisible(ctx, req.params.id);
        const bytes = await readBody(req.body);
        const file = await readLineFile(
          ctx,
          req.params.id,
          fileRows(bytes, format, mapping, config),
          mapping,
        );
        try {
          const result = await lines.addMany(ctx, req.params.id, file.inputs, q.mode, 'lines', {
            createMissing: q.create_missing_members || mapping.create_missing_members,
          });
          return {
            rows: file.inputs.length,
            blank_skipped: file.blank,
            ...result,
            mapping_name: name,
            columns: columnsOut(file.columns, LINE_FIELDS),
          };
        } catch (error) {
          if (error instanceof ValidationError) throw rejectionOf(error, file.fileRows, file.inputs.length);
          throw error;
        }
      },
    );

    api.post(
      '/budgets/:id/lines/imports/preview',
      {
        onRequest: auth.require('budgets:write'),
        schema: {
          tags,
          summary:
            'Preview a line import: header, first rows, suggested columns with their confidence, how the rows read under the mapping, which saved line mappings fit. Nothing is stored.',
          params: budgetParams,
          consumes: ['text/csv', XLSX_TYPE, 'application/octet-stream'],
          querystring: previewQuery,
          response: { 200: lineImportsPreviewResponse, ...errorResponses },
        },
      },
      async (req) => {
        const ctx = ctxOf(req);
        const q = req.query;
        const format = formatOf(req, q.format);
        const { mapping } = await mappings.resolve(ctx, { json: q.mapping, name: q.mapping_name }, 'lines');
        await lines.assertBudgetVisible(ctx, req.params.id);
        const bytes = await readBody(req.body);
        const head = await readFileHead(format, [bytes], mapping, q.rows);
        if (!head.ok)
          throw new AppError(422, 'unreadable_file', head.error, [
            { path: 'file', code: 'unreadable_file', message: head.error },
          ]);
        const { suggestions, columns, errors } = previewColumns(head.value, mapping);
        const read = errors.some((e) => e.code === 'column_not_found')
          ? []
          : head.value.rows.map((r, i) => {
              const x = readLineRow(r.row_number, head.value.raw[i]!, columns, mapping);
              return x.ok
                ? { row_number: r.row_number, ok: true, value: x.value as Record<string, unknown> }
                : { row_number: r.row_number, ok: false, errors: x.errors };
            });
        const saved = (await mappings.list(ctx)).items.flatMap((m) => {
          const parsed = mappingSchema.safeParse(m.mapping);
          if (!parsed.success || parsed.data.target !== 'lines') return [];
          return [
            {
              mapping_id: m.mapping_id,
              name: m.name,
              fits: previewColumns(head.value, parsed.data).errors.length === 0,
            },
          ];
        });
        return {
          header: head.value.header,
          rows: head.value.rows,
          suggestions,
          columns: columnsOut(columns, LINE_FIELDS),
          errors,
          read,
          saved_mappings: saved,
        };
      },
    );
  });
}
