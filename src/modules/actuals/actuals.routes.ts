/** REST routes of actuals: file imports (raw body, streamed), batches, actuals, saved mappings. */

import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Authenticator, ctxOf } from '../../platform/auth/authenticate.ts';
import { AppError, ValidationError } from '../../platform/http/errors.ts';
import { type App, errorResponses } from '../../platform/http/types.ts';
import { BodyTooLargeError, rawUploadParser } from '../../platform/http/uploads.ts';
import { sendStoredFile } from '../../platform/storage/index.ts';
import { pageQuery } from '../../shared/validation.ts';
import type { FileFormat } from '../imports/index.ts';
import { previewImport } from './actuals.preview.ts';
import type { MappingService } from './actuals.saved-mappings.ts';
import {
  actualsListResponse,
  actualsQuery,
  batchListResponse,
  batchParams,
  batchResponse,
  importAcceptedResponse,
  importQuery,
  mappingCreateSchema,
  mappingListResponse,
  mappingParams,
  mappingResponse,
  previewQuery,
  previewResponse,
  storedFileListResponse,
  uploadFileResponse,
  XLSX_TYPE,
} from './actuals.schema.ts';
import type { ActualsService } from './actuals.service.ts';
import { readHead, submitImport } from './actuals.submission.ts';

const tags = ['actuals'];

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

/** Registers /actuals routes (in their own scope: the raw-body parsers apply to them only). */
export function actualsRoutes(
  app: App,
  auth: Authenticator,
  actuals: ActualsService,
  mappings: MappingService,
): void {
  app.register(async (scope) => {
    const api = scope as unknown as App;
    previewRoute(api, auth, actuals, mappings);
    // The upload stays a stream, capped at the upload limit: it is never buffered whole (only the
    // first MiB, to decide inline or job: actuals.submission.ts). Auth (onRequest) has run before it is touched.
    api.addContentTypeParser(
      ['text/csv', XLSX_TYPE, 'application/octet-stream'],
      rawUploadParser(actuals.maxUploadBytes),
    );

    api.post(
      '/actuals/imports',
      {
        onRequest: auth.require('actuals:write'),
        schema: {
          tags,
          summary:
            'Import a CSV or XLSX file (raw body: text/csv, the XLSX type, or application/octet-stream with ?format=). Up to 1 MiB runs now (201 with the report); larger, or async=true, runs as a job (202). All or nothing; the same batch_key replaces its batch.',
          consumes: ['text/csv', XLSX_TYPE, 'application/octet-stream'],
          querystring: importQuery,
          response: { 201: batchResponse, 202: importAcceptedResponse, ...errorResponses },
        },
      },
      async (req, reply) => {
        const ctx = ctxOf(req);
        const q = req.query;
        const format = formatOf(req, q.format);
        const batchKey = q.batch_key ?? q.file_name;
        if (!batchKey)
          throw new ValidationError([
            { path: 'query.batch_key', code: 'required', message: 'batch_key (or file_name) is required' },
          ]);
        const body = req.body as AsyncIterable<Buffer> | undefined;
        if (!body || typeof body[Symbol.asyncIterator] !== 'function')
          throw new AppError(400, 'validation_failed', 'Request validation failed', [
            { path: 'body', code: 'required', message: 'send the file as the request body' },
          ]);
        const outcome = await submitImport({ actuals, mappings }, ctx, body, {
          batchKey,
          fileName: q.file_name ?? null,
          format,
          mapping: { json: q.mapping, name: q.mapping_name },
          async: q.async ?? false,
        });
        if (outcome.kind === 'imported') return reply.status(201).send(outcome.batch);
        const { job, uploadBytes } = outcome;
        const url = `${req.url.split('/actuals/')[0]}/jobs/${job.id}`;
        return reply
          .status(202)
          .header('location', url)
          .send({ job_id: job.id, status: job.status, upload_bytes: uploadBytes, job_url: url });
      },
    );
  });

  app.get(
    '/actuals/batches',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary: 'Imported batches, newest first',
        querystring: z.strictObject(pageQuery),
        response: { 200: batchListResponse, ...errorResponses },
      },
    },
    async (req) => actuals.listBatches(ctxOf(req), req.query.limit, req.query.cursor),
  );

  app.get(
    '/actuals/batches/:id',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary: 'One batch with its import report',
        params: batchParams,
        response: { 200: batchResponse, ...errorResponses },
      },
    },
    async (req) => actuals.getBatch(ctxOf(req), req.params.id),
  );

  app.delete(
    '/actuals/batches/:id',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary: 'Delete a batch and its rows',
        params: batchParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await actuals.deleteBatch(ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  filesRoutes(app, auth, actuals);

  app.get(
    '/actuals',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary:
          'Actuals (filters: period range, GL account, department, category, currency, batch), with totals per currency',
        querystring: actualsQuery,
        response: { 200: actualsListResponse, ...errorResponses },
      },
    },
    async (req) => actuals.list(ctxOf(req), req.query),
  );

  app.post(
    '/actuals/mappings',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary: 'Save a column mapping for reuse (?mapping_name= on imports)',
        body: mappingCreateSchema,
        response: { 201: mappingResponse, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await mappings.create(ctxOf(req), req.body)),
  );

  app.get(
    '/actuals/mappings',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary: 'Saved column mappings',
        response: { 200: mappingListResponse, ...errorResponses },
      },
    },
    async (req) => mappings.list(ctxOf(req)),
  );

  app.get(
    '/actuals/mappings/:id',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary: 'One saved mapping',
        params: mappingParams,
        response: { 200: mappingResponse, ...errorResponses },
      },
    },
    async (req) => mappings.get(ctxOf(req), req.params.id),
  );

  app.put(
    '/actuals/mappings/:id',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary: 'Replace a saved mapping',
        params: mappingParams,
        body: mappingCreateSchema,
        response: { 200: mappingResponse, ...errorResponses },
      },
    },
    async (req) => mappings.update(ctxOf(req), req.params.id, req.body),
  );

  app.delete(
    '/actuals/mappings/:id',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary: 'Delete a saved mapping',
        params: mappingParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await mappings.remove(ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}

/** POST /actuals/imports/preview: the mapping step (header, first rows, suggestions), nothing stored. */
function previewRoute(api: App, auth: Authenticator, actuals: ActualsService, mappings: MappingService) {
  api.post(
    '/actuals/imports/preview',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary:
          'Preview an import: the header and first rows of a CSV or XLSX file (raw body, as for POST /actuals/imports), the columns suggested by header names, how the rows read under a mapping (mapping_name, mapping, or the header-name default) and which saved mappings fit. Nothing is stored; a CSV is read only as far as the rows shown, an XLSX must fit BODY_LIMIT_BYTES.',
        consumes: ['text/csv', XLSX_TYPE, 'application/octet-stream'],
        querystring: previewQuery,
        response: { 200: previewResponse, ...errorResponses },
      },
    },
    async (req) => {
      const ctx = ctxOf(req);
      const q = req.query;
      const format = formatOf(req, q.format);
      const body = req.body as AsyncIterable<Buffer> | undefined;
      if (!body || typeof body[Symbol.asyncIterator] !== 'function')
        throw new AppError(400, 'validation_failed', 'Request validation failed', [
          { path: 'body', code: 'required', message: 'send the file as the request body' },
        ]);
      const { mapping, name } = await mappings.resolve(ctx, { json: q.mapping, name: q.mapping_name });
      let bytes: AsyncIterable<Buffer> | Buffer[] = body;
      if (format === 'xlsx') {
        // A workbook is a zip: read it whole (within the JSON body limit) and check it first.
        const { head, ended } = await readHead(body, api.initialConfig.bodyLimit ?? 8 * 1024 * 1024);
        if (!ended) throw new BodyTooLargeError(api.initialConfig.bodyLimit ?? 8 * 1024 * 1024);
        await actuals.checkXlsxBuffer(Buffer.concat(head));
        bytes = head;
      }
      const saved = (await mappings.list(ctx)).items;
      const result = await previewImport({
        format,
        bytes,
        mapping,
        mappingName: name,
        rows: q.rows,
        saved,
        fiscalYearStartMonth: await actuals.fiscalYearStartMonth(ctx),
      });
      if (!result.ok)
        throw new AppError(422, 'unreadable_file', result.error, [
          { path: 'file', code: 'unreadable_file', message: result.error },
        ]);
      return result.value;
    },
  );
}

/** The kept uploads (docs/storage.md): list them, download a batch's, import it again. */
function filesRoutes(app: App, auth: Authenticator, actuals: ActualsService) {
  app.get(
    '/actuals/files',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary:
          'Uploaded actuals files kept for audit and re-import (metadata: size, sha256, batch), newest first',
        querystring: z.strictObject(pageQuery),
        response: { 200: storedFileListResponse, ...errorResponses },
      },
    },
    async (req) => actuals.listFiles(ctxOf(req), req.query.limit, req.query.cursor),
  );

  app.get(
    '/actuals/batches/:id/file',
    {
      onRequest: auth.require('actuals:read'),
      schema: {
        tags,
        summary:
          'The file a batch was imported from, byte for byte (ETag and x-content-sha256: its SHA-256); 404 for a batch without a kept file',
        params: batchParams,
        produces: ['text/csv', XLSX_TYPE],
        response: { 200: uploadFileResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { row } = await actuals.batchFile(ctxOf(req), req.params.id);
      return sendStoredFile(reply, row, await actuals.openFile(row));
    },
  );

  app.post(
    '/actuals/batches/:id/reimport',
    {
      onRequest: auth.require('actuals:write'),
      schema: {
        tags,
        summary:
          "Import a batch's kept file again, under its batch key and mapping (the batch is replaced): 201 with the report up to 1 MiB, else 202 and a job",
        params: batchParams,
        response: { 201: batchResponse, 202: importAcceptedResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const outcome = await actuals.reimport(ctxOf(req), req.params.id);
      if (outcome.kind === 'imported') return reply.status(201).send(outcome.batch);
      const url = `${req.url.split('/actuals/')[0]}/jobs/${outcome.job.id}`;
      return reply.status(202).header('location', url).send({
        job_id: outcome.job.id,
        status: outcome.job.status,
        upload_bytes: outcome.uploadBytes,
        job_url: url,
      });
    },
  );
}
