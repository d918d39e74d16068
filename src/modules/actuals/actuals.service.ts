/** Actuals use cases: import (inline or as a job, one code path), batches, and reading actuals. */
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import type { AppConfig } from '../../config/env.ts';
import type { Db, Tx } from '../../platform/db/client.ts';
import {
  bufferAccess,
  checkZip,
  NotAZipError,
  type RandomAccess,
  XlsxTooLargeError,
} from '../../platform/files/zip-limits.ts';
import { fieldError, NotFoundError } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { BodyTooLargeError } from '../../platform/http/uploads.ts';
import { type JobQueue, type JobRun, PermanentJobError } from '../../platform/queue/queue.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import type { Mapping } from './actuals.column-mapping.ts';
import { type ImportOptions, ImportRejectedError, importActualsIn } from './actuals.importer.ts';
import { type BatchView, presentBatch, presentBatchSummary } from './actuals.presenter.ts';
import type { ByteSource, FileFormat } from './actuals.readers.ts';
import {
  actualsTotals,
  deleteBatch,
  deleteUpload,
  findBatch,
  insertUploadChunk,
  listActuals,
  listBatches,
  uploadChunk,
} from './actuals.repository.ts';
import type { ActualsQuery } from './actuals.schema.ts';
import { DEFAULT_XLSX_SETTINGS, stagedAccess, streamingZipLimits, type XlsxSettings } from './actuals.zip.ts';

export const IMPORT_JOB = 'actuals.import';
/** Uploads larger than this run as a job. */
export const INLINE_MAX_BYTES = 1024 * 1024;
/** Largest accepted upload by default (413 above; ACTUALS_MAX_UPLOAD_BYTES). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

/** Settings of the service; absent ones take the defaults of src/config/env.ts. */
export type ActualsSettings = Partial<Pick<AppConfig, 'ACTUALS_MAX_UPLOAD_BYTES'> & XlsxSettings>;
const STAGE_CHUNK_BYTES = 1024 * 1024;

/** What an import job carries: where the bytes are staged and how to read them. */
interface ImportJobPayload {
  upload_id: string;
  upload_bytes: number;
  batch_key: string;
  file_name: string | null;
  format: FileFormat;
  mapping: Mapping;
  mapping_name: string | null;
}

export type ImportRequest = Omit<ImportOptions, 'onBytes'>;

/** Bytes of a staged upload, read chunk by chunk inside the import's own transaction. */
async function* stagedBytes(tx: Tx, uploadId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const chunk = await uploadChunk(tx, uploadId, seq);
    if (!chunk) {
      if (seq === 0) throw new PermanentJobError(`upload ${uploadId} is no longer staged`);
      return;
    }
    yield chunk;
  }
}

const cursorOf = (r: { period: string; batch_id: string; row_number: number }) =>
  Buffer.from(JSON.stringify([r.period, r.batch_id, r.row_number])).toString('base64url');

function decodeActualsCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  try {
    const [period, batchId, rowNumber] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as unknown[];
    if (
      typeof period === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(period) &&
      typeof batchId === 'string' &&
      isUuid(batchId) &&
      Number.isInteger(rowNumber)
    )
      return { period, batchId, rowNumber: rowNumber as number };
  } catch {
    // fall through to the 400 below
  }
  throw fieldError('query.cursor', 'invalid_cursor', 'cursor is not one this API returned');
}

export class ActualsService {
  /** Largest upload accepted (413 above). */
  readonly maxUploadBytes: number;
  private readonly xlsx: XlsxSettings;

  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    settings: ActualsSettings = {},
  ) {
    this.maxUploadBytes = settings.ACTUALS_MAX_UPLOAD_BYTES ?? MAX_UPLOAD_BYTES;
    this.xlsx = { ...DEFAULT_XLSX_SETTINGS, ...settings };
    queue.register<ImportJobPayload>(IMPORT_JOB, (run) => this.runJob(run));
  }

  /**
   * Imports a file now, in one transaction; throws ImportRejectedError (422) if any row is bad.
   * An XLSX is checked against the zip limits first (413 xlsx_too_large): from the chunks when
   * they are all in memory, otherwise through `access` (a file).
   */
  async importNow(
    ctx: TenantContext,
    bytes: ByteSource,
    opts: ImportOptions,
    access?: RandomAccess,
  ): Promise<BatchView> {
    let options = opts;
    if (opts.format === 'xlsx') {
      const source = access ?? (Array.isArray(bytes) ? bufferAccess(Buffer.concat(bytes)) : undefined);
      if (!source) throw new Error('an XLSX import needs random access to the file for its zip check');
      await this.checkXlsx(source);
      options = { ...opts, access: source };
    }
    const batch = await withTenant(this.db, ctx.tenantId, (tx) => importActualsIn(tx, ctx, bytes, options));
    return presentBatch(batch);
  }

  /** The zip check of an XLSX held in memory (the import preview): 413 / 422 as for an import. */
  async checkXlsxBuffer(buffer: Buffer): Promise<void> {
    await this.checkXlsx(bufferAccess(buffer));
  }

  /** 413 xlsx_too_large past a zip limit; 422 unreadable_file for what is not a zip. */
  private async checkXlsx(source: RandomAccess): Promise<void> {
    try {
      await checkZip(source, streamingZipLimits(this.xlsx));
    } catch (error) {
      if (!(error instanceof NotAZipError)) throw error;
      const message = `not a readable XLSX workbook: ${error.message}`;
      throw new ImportRejectedError([{ path: 'file', code: 'unreadable_file', message }], 1, 0);
    }
  }

  /** Stores an upload's bytes (already-read head, then the rest) for a job; 413 beyond the limit. */
  async stageUpload(
    ctx: TenantContext,
    head: Buffer[],
    rest: ByteSource,
  ): Promise<{ uploadId: string; bytes: number }> {
    const uploadId = uuidv7();
    let seq = 0;
    let total = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    // Short transactions per chunk: a slow client must not hold one open (PGlite has one connection).
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      await withTenant(this.db, ctx.tenantId, (tx) =>
        insertUploadChunk(tx, ctx.tenantId, uploadId, seq++, data),
      );
    };
    async function* all() {
      yield* head;
      yield* rest;
    }
    try {
      for await (const chunk of all()) {
        total += chunk.length;
        if (total > this.maxUploadBytes) throw new BodyTooLargeError(this.maxUploadBytes);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= STAGE_CHUNK_BYTES) await flush();
      }
      await flush();
    } catch (error) {
      await withTenant(this.db, ctx.tenantId, (tx) => deleteUpload(tx, uploadId)).catch(() => {});
      throw error;
    }
    return { uploadId, bytes: total };
  }

  /** Queues the import of a staged upload. */
  async enqueueImport(ctx: TenantContext, upload: { uploadId: string; bytes: number }, req: ImportRequest) {
    const payload: ImportJobPayload = {
      upload_id: upload.uploadId,
      upload_bytes: upload.bytes,
      batch_key: req.batchKey,
      file_name: req.fileName,
      format: req.format,
      mapping: req.mapping,
      mapping_name: req.mappingName ?? null,
    };
    try {
      return await this.queue.enqueue(ctx, IMPORT_JOB, payload);
    } catch (error) {
      // No job will read the staged bytes (e.g. 503 while Redis is down): do not keep them.
      await withTenant(this.db, ctx.tenantId, (tx) => deleteUpload(tx, upload.uploadId)).catch(() => {});
      throw error;
    }
  }

  /** Runs an import job: the same importer, reading the staged bytes; bad rows fail it at once. */
  private async runJob(run: JobRun<ImportJobPayload>): Promise<BatchView> {
    const p = run.payload;
    const ctx: TenantContext = {
      tenantId: run.tenantId,
      tenantKey: run.tenantId,
      userId: run.userId,
      roles: [],
      permissions: new Set(),
      requestId: run.jobId,
    };
    // Progress is written by its own transaction; not awaited, so that on PGlite (one connection) it
    // simply lands after the import's transaction instead of waiting for it.
    const onBytes = (n: number) =>
      void run.progress(Math.min(99, (n / Math.max(1, p.upload_bytes)) * 100)).catch(() => {});
    try {
      const batch = await withTenant(this.db, run.tenantId, async (tx) => {
        const access = p.format === 'xlsx' ? await stagedAccess(tx, p.upload_id) : undefined;
        if (access) await this.checkXlsx(access);
        const b = await importActualsIn(tx, ctx, access ? [] : stagedBytes(tx, p.upload_id), {
          access,
          batchKey: p.batch_key,
          fileName: p.file_name,
          format: p.format,
          mapping: p.mapping,
          mappingName: p.mapping_name,
          onBytes,
        });
        await deleteUpload(tx, p.upload_id);
        return b;
      });
      return presentBatch(batch);
    } catch (error) {
      if (!(error instanceof ImportRejectedError || error instanceof XlsxTooLargeError)) throw error;
      await withTenant(this.db, run.tenantId, (tx) => deleteUpload(tx, p.upload_id));
      const lines = new Set([error.message, ...error.errors.map((e) => e.message)]);
      throw new PermanentJobError([...lines].join('\n'));
    }
  }

  /** Batches, newest first. */
  async listBatches(ctx: TenantContext, limit: number, cursor?: string) {
    const rows = await withTenant(this.db, ctx.tenantId, (tx) =>
      listBatches(tx, limit, decodeCursor(cursor)),
    );
    const page = pageOf(rows, limit);
    return { items: page.items.map(presentBatchSummary), next_cursor: page.nextCursor };
  }

  /** One batch with its report. */
  async getBatch(ctx: TenantContext, id: string): Promise<BatchView> {
    const row = await withTenant(this.db, ctx.tenantId, (tx) => findBatch(tx, id));
    if (!row) throw new NotFoundError('Batch', id);
    return presentBatch(row);
  }

  /** Deletes a batch and its rows. */
  async deleteBatch(ctx: TenantContext, id: string): Promise<void> {
    await withTenant(this.db, ctx.tenantId, async (tx) => {
      const row = await findBatch(tx, id);
      if (!row || !(await deleteBatch(tx, id))) throw new NotFoundError('Batch', id);
      await recordAudit(tx, ctx, {
        action: 'delete',
        entityType: 'actual_batch',
        entityId: id,
        before: { batch_key: row.batchKey, row_count: row.rowCount },
      });
    });
  }

  /** Actuals in (period, batch, row) order with totals per currency over the whole filter. */
  async list(ctx: TenantContext, q: ActualsQuery) {
    const filter = {
      periodFrom: q.period_from,
      periodTo: q.period_to,
      glAccount: q.gl_account,
      department: q.department,
      category: q.category,
      currency: q.currency,
      batchId: q.batch_id,
    };
    const after = decodeActualsCursor(q.cursor);
    const [rows, totals] = await withTenant(
      this.db,
      ctx.tenantId,
      async (tx) => [await listActuals(tx, filter, q.limit, after), await actualsTotals(tx, filter)] as const,
    );
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    return { items, next_cursor: rows.length > q.limit && last ? cursorOf(last) : null, totals };
  }
}
