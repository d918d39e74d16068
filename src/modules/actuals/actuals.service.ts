/** Actuals use cases: import (inline or as a job, one code path), batches, and reading actuals. */
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import type { AppConfig } from '../../config/env.ts';
import { analyzeAfterBulkWrite, type Db, type Tx } from '../../platform/db/client.ts';
import {
  bufferAccess,
  checkZip,
  NotAZipError,
  type RandomAccess,
  XlsxTooLargeError,
} from '../../platform/files/zip-limits.ts';
import { AppError, fieldError, NotFoundError } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { BodyTooLargeError } from '../../platform/http/uploads.ts';
import { type JobQueue, type JobRun, PermanentJobError } from '../../platform/queue/queue.ts';
import {
  findFile,
  findFileOf,
  presentFile,
  type StagedFile,
  type StoredFileRow,
  type StoredFiles,
} from '../../platform/storage/index.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import type { ByteSource, FileFormat, Mapping } from '../imports/index.ts';
import { fiscalYearStartMonth } from '../settings/index.ts';
import { type ImportOptions, ImportRejectedError, importActualsIn } from './actuals.importer.ts';
import { type BatchView, presentBatch, presentBatchSummary } from './actuals.presenter.ts';
import {
  actualsTotals,
  type BatchRow,
  deleteBatch,
  deleteUpload,
  findBatch,
  insertUploadChunk,
  listActuals,
  listBatches,
  stagedChunksSql,
  uploadChunk,
} from './actuals.repository.ts';
import { type ActualsQuery, XLSX_TYPE } from './actuals.schema.ts';
import { DEFAULT_XLSX_SETTINGS, stagedAccess, streamingZipLimits, type XlsxSettings } from './actuals.zip.ts';

export const IMPORT_JOB = 'actuals.import';
/** The kind of a kept upload in stored_files (docs/storage.md). */
export const UPLOAD_KIND = 'actuals_upload';
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
  /** A re-import: the kept file the bytes came from (linked to the new batch, not stored again). */
  source_file_id?: string;
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
    /** Where imported files are kept for audit and re-import (none: they are not kept). */
    private readonly files?: StoredFiles,
  ) {
    this.maxUploadBytes = settings.ACTUALS_MAX_UPLOAD_BYTES ?? MAX_UPLOAD_BYTES;
    this.xlsx = { ...DEFAULT_XLSX_SETTINGS, ...settings };
  }

  /** The tenant's fiscal year start month (annual periods are booked in the fiscal year's last month). */
  fiscalYearStartMonth(ctx: TenantContext): Promise<number> {
    return withTenant(this.db, ctx.tenantId, (tx) => fiscalYearStartMonth(tx, ctx.tenantId));
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
    keptFrom?: StoredFileRow,
  ): Promise<BatchView> {
    let options = opts;
    if (opts.format === 'xlsx') {
      const source = access ?? (Array.isArray(bytes) ? bufferAccess(Buffer.concat(bytes)) : undefined);
      if (!source) throw new Error('an XLSX import needs random access to the file for its zip check');
      await this.checkXlsx(source);
      options = { ...opts, access: source };
    }
    // A file in memory is kept: its bytes are staged first, its row is written with the batch.
    const staged =
      this.files && !keptFrom && !access && Array.isArray(bytes)
        ? await this.files.stage(ctx, this.fileInput(opts), bytes)
        : undefined;
    try {
      const batch = await withTenant(this.db, ctx, async (tx) => {
        const b = await importActualsIn(tx, ctx, bytes, options);
        await this.keep(tx, ctx, b.id, staged, keptFrom);
        return b;
      });
      await analyzeAfterBulkWrite(this.db, ['actuals'], batch.rowCount);
      return presentBatch(batch);
    } catch (error) {
      if (staged) await this.files?.discard(ctx, staged);
      throw error;
    }
  }

  private fileInput(opts: Pick<ImportOptions, 'fileName' | 'batchKey' | 'format'>) {
    return {
      kind: UPLOAD_KIND,
      name: opts.fileName ?? `${opts.batchKey}.${opts.format}`,
      contentType: opts.format === 'csv' ? 'text/csv' : XLSX_TYPE,
    };
  }

  /** Writes the kept file's row for the batch, inside the import's transaction. */
  private async keep(
    tx: Tx,
    ctx: TenantContext,
    batchId: string,
    staged: StagedFile | undefined,
    keptFrom: StoredFileRow | undefined,
  ): Promise<void> {
    const ref = { type: 'actual_batch', id: batchId };
    if (staged) await this.files?.record(tx, ctx, staged, ref);
    else if (keptFrom) await this.files?.link(tx, ctx, keptFrom, ref);
  }

  /** The kept uploads, newest first (metadata; the bytes through batchFile). */
  async listFiles(ctx: TenantContext, limit: number, cursor?: string) {
    if (!this.files) return { items: [], next_cursor: null };
    const page = await this.files.list(ctx, { kind: UPLOAD_KIND }, limit, cursor);
    return { items: page.items.map(presentFile), next_cursor: page.nextCursor };
  }

  /** The kept upload a batch was imported from: 404 for an unknown (or another tenant's) batch or none kept. */
  async batchFile(ctx: TenantContext, batchId: string): Promise<{ row: StoredFileRow; batch: BatchRow }> {
    const found = await withTenant(this.db, ctx, async (tx) => {
      const batch = await findBatch(tx, batchId);
      return batch ? { batch, row: await findFileOf(tx, UPLOAD_KIND, batchId) } : undefined;
    });
    if (!found) throw new NotFoundError('Batch', batchId);
    if (!found.row || !this.files)
      throw new AppError(404, 'not_found', `batch ${batchId} has no kept upload`, [
        {
          path: 'params.id',
          code: 'no_kept_file',
          message: 'this batch was imported before files were kept, or from the CLI',
        },
      ]);
    return { row: found.row, batch: found.batch };
  }

  /** The bytes of a kept file (after batchFile has found it under RLS). */
  openFile(row: StoredFileRow): Promise<AsyncIterable<Buffer>> {
    if (!this.files) throw new Error('no file store');
    return this.files.open(row);
  }

  /**
   * Imports a batch's kept upload again under its batch key and mapping (replacing the batch):
   * now when it is small, as a job otherwise. The new batch's row links the same stored bytes.
   */
  async reimport(ctx: TenantContext, batchId: string) {
    const { row, batch } = await this.batchFile(ctx, batchId);
    const report = (batch.report ?? {}) as { mapping_name?: string | null };
    const request: ImportRequest = {
      batchKey: batch.batchKey,
      fileName: batch.fileName,
      format: batch.format as FileFormat,
      mapping: (batch.mapping ?? {}) as Mapping,
      mappingName: report.mapping_name ?? null,
    };
    if (row.size <= INLINE_MAX_BYTES) {
      const bytes = await this.files!.readAll(row);
      return {
        kind: 'imported' as const,
        batch: await this.importNow(ctx, [bytes], request, undefined, row),
      };
    }
    const upload = await this.stageUpload(ctx, [], await this.openFile(row));
    const job = await this.enqueueImport(ctx, upload, request, row.id);
    return { kind: 'queued' as const, job, uploadBytes: upload.bytes };
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
      await withTenant(this.db, ctx, (tx) => insertUploadChunk(tx, ctx.tenantId, uploadId, seq++, data));
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
      await withTenant(this.db, ctx, (tx) => deleteUpload(tx, uploadId)).catch(() => {});
      throw error;
    }
    return { uploadId, bytes: total };
  }

  /** Queues the import of a staged upload. */
  async enqueueImport(
    ctx: TenantContext,
    upload: { uploadId: string; bytes: number },
    req: ImportRequest,
    sourceFileId?: string,
  ) {
    const payload: ImportJobPayload = {
      upload_id: upload.uploadId,
      upload_bytes: upload.bytes,
      batch_key: req.batchKey,
      file_name: req.fileName,
      format: req.format,
      mapping: req.mapping,
      mapping_name: req.mappingName ?? null,
      ...(sourceFileId ? { source_file_id: sourceFileId } : {}),
    };
    try {
      return await this.queue.enqueue(ctx, IMPORT_JOB, payload);
    } catch (error) {
      // No job will read the staged bytes (e.g. 503 while Redis is down): do not keep them.
      await withTenant(this.db, ctx, (tx) => deleteUpload(tx, upload.uploadId)).catch(() => {});
      throw error;
    }
  }

  /** Runs an import job: the same importer, reading the staged bytes; bad rows fail it at once. */
  /** The import job's handler (registered by actuals.module.ts). */
  async runJob(run: JobRun<ImportJobPayload>): Promise<BatchView> {
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
    // The upload is kept. In the database store its staged chunks are copied inside the import's
    // transaction; in S3 they are uploaded first (short transactions of their own) and recorded in it.
    const input = this.fileInput({ fileName: p.file_name, batchKey: p.batch_key, format: p.format });
    const staged =
      this.files && this.files.store.kind !== 'db' && !p.source_file_id
        ? await this.files.stage(ctx, input, this.stagedChunks(run.tenantId, p.upload_id))
        : undefined;
    try {
      const batch = await withTenant(this.db, run, async (tx) => {
        const keptFrom = p.source_file_id ? await findFile(tx, p.source_file_id) : undefined;
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
        if (this.files && !staged && !keptFrom)
          await this.files.adoptChunks(tx, ctx, input, stagedChunksSql(p.upload_id), {
            type: 'actual_batch',
            id: b.id,
          });
        else await this.keep(tx, ctx, b.id, staged, keptFrom);
        await deleteUpload(tx, p.upload_id);
        return b;
      });
      await analyzeAfterBulkWrite(this.db, ['actuals'], batch.rowCount);
      return presentBatch(batch);
    } catch (error) {
      if (staged) await this.files?.discard(ctx, staged);
      if (!(error instanceof ImportRejectedError || error instanceof XlsxTooLargeError)) throw error;
      await withTenant(this.db, run, (tx) => deleteUpload(tx, p.upload_id));
      const lines = new Set([error.message, ...error.errors.map((e) => e.message)]);
      throw new PermanentJobError([...lines].join('\n'));
    }
  }

  /** A staged upload's chunks, each read in its own short transaction (outside any other). */
  private async *stagedChunks(tenantId: string, uploadId: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const chunk = await withTenant(this.db, tenantId, (tx) => uploadChunk(tx, uploadId, seq));
      if (!chunk) {
        if (seq === 0) throw new PermanentJobError(`upload ${uploadId} is no longer staged`);
        return;
      }
      yield chunk;
    }
  }

  /** Batches, newest first. */
  async listBatches(ctx: TenantContext, limit: number, cursor?: string) {
    const rows = await withTenant(this.db, ctx, (tx) => listBatches(tx, limit, decodeCursor(cursor)));
    const page = pageOf(rows, limit);
    return { items: page.items.map(presentBatchSummary), next_cursor: page.nextCursor };
  }

  /** One batch with its report. */
  async getBatch(ctx: TenantContext, id: string): Promise<BatchView> {
    const row = await withTenant(this.db, ctx, (tx) => findBatch(tx, id));
    if (!row) throw new NotFoundError('Batch', id);
    return presentBatch(row);
  }

  /** Deletes a batch and its rows. */
  async deleteBatch(ctx: TenantContext, id: string): Promise<void> {
    await withTenant(this.db, ctx, async (tx) => {
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
      ctx,
      async (tx) => [await listActuals(tx, filter, q.limit, after), await actualsTotals(tx, filter)] as const,
    );
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    return { items, next_cursor: rows.length > q.limit && last ? cursorOf(last) : null, totals };
  }
}
