/**
 * The one import path (API inline, API job, CLI): stream rows from the file, validate each,
 * write valid rows in chunks into `actuals` inside the caller's transaction, and throw if any
 * row was bad, so that the transaction rolls back and nothing of the file is stored.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/client.ts';
import { emit } from '../../platform/events/outbox.ts';
import type { RandomAccess } from '../../platform/files/zip-reader.ts';
import type { FieldError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import { checkActualMembers } from '../dimensions/index.ts';
import {
  type ByteSource,
  csvRows,
  type FileFormat,
  ImportRejectedError,
  type Mapping,
  RowErrors,
  resolveColumns,
  type SourceInfo,
  UnreadableFileError,
  xlsxRows,
} from '../imports/index.ts';
import { fiscalYearStartMonth } from '../settings/index.ts';
import {
  type ActualInsert,
  type BatchRow,
  deleteBatch,
  findBatchByKey,
  finishBatch,
  insertActuals,
  insertBatch,
  lockBatchKey,
} from './actuals.repository.ts';
import { isBlankRow, ReadStats, readRow } from './actuals.rows.ts';

/** Data rows per file. */
export const MAX_IMPORT_ROWS = 2_000_000;
// Rows per INSERT: one JSON parameter of ~300 KB, few round trips.
const CHUNK_ROWS = 2_000;

export interface ImportOptions {
  batchKey: string;
  fileName: string | null;
  format: FileFormat;
  mapping: Mapping;
  mappingName?: string | null;
  /** Called as bytes are consumed (progress bars, job progress). Must not throw. */
  onBytes?: (bytesRead: number) => void;
  /** An XLSX is read through random access to the whole file (its zip directory is at the end). */
  access?: RandomAccess;
}

export { ImportRejectedError };

async function* counted(bytes: ByteSource, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of bytes) {
    read += chunk.length;
    onBytes?.(read);
    yield chunk;
  }
}

function requireAccess(opts: ImportOptions): RandomAccess {
  if (!opts.access) throw new Error('an XLSX import needs random access to the file');
  return opts.access;
}

/** Imports one file as batch `batchKey` (replacing a previous batch of that key) inside tx. */
export async function importActualsIn(
  tx: Tx,
  ctx: TenantContext,
  bytes: ByteSource,
  opts: ImportOptions,
): Promise<BatchRow> {
  await lockBatchKey(tx, opts.batchKey);
  const previous = await findBatchByKey(tx, opts.batchKey);
  if (previous) await deleteBatch(tx, previous.id);
  const batchId = uuidv7();
  await insertBatch(tx, {
    tenantId: ctx.tenantId,
    id: batchId,
    batchKey: opts.batchKey,
    fileName: opts.fileName,
    format: opts.format,
    mapping: opts.mapping,
    createdBy: ctx.userId,
  });

  const info: SourceInfo = { format: opts.format };
  const errors = new RowErrors();
  let dataRows = 0;
  let blankRows = 0;
  let stats: ReadStats | undefined;
  let chunk: ActualInsert[] = [];
  const reject = (e: FieldError[]) => new ImportRejectedError(e, e.length, 0);

  try {
    const rows =
      opts.format === 'csv'
        ? csvRows(counted(bytes, opts.onBytes), opts.mapping, info)
        : xlsxRows(requireAccess(opts), opts.mapping, info, opts.onBytes);
    for await (const row of rows) {
      if (!stats) {
        const header = row.cells.map((c) => (c instanceof Date ? c.toISOString() : String(c ?? '').trim()));
        const resolved = resolveColumns(header, opts.mapping);
        if (resolved.errors.length > 0) throw reject(resolved.errors);
        stats = new ReadStats(resolved.columns, opts.mapping, await fiscalYearStartMonth(tx, ctx.tenantId));
        continue;
      }
      if (isBlankRow(row.cells)) {
        blankRows++;
        continue;
      }
      dataRows++;
      if (dataRows > MAX_IMPORT_ROWS) {
        errors.add(row.rowNumber, [
          {
            path: `rows.${row.rowNumber}`,
            code: 'too_many_rows',
            message: `row ${row.rowNumber}: a file may have at most ${MAX_IMPORT_ROWS} data rows`,
          },
        ]);
        break;
      }
      const result = readRow(row, stats);
      if (!result.ok) {
        errors.add(row.rowNumber, result.errors);
        continue;
      }
      // After the first error nothing more is written: the transaction is going to roll back.
      if (errors.count > 0) continue;
      chunk.push(result.value);
      if (chunk.length >= CHUNK_ROWS) {
        await insertActuals(tx, ctx.tenantId, batchId, chunk);
        chunk = [];
      }
    }
  } catch (error) {
    if (error instanceof UnreadableFileError)
      throw reject([{ path: 'file', code: 'unreadable_file', message: error.message }]);
    throw error;
  }
  if (!stats) throw reject([{ path: 'file', code: 'empty_file', message: 'the file has no header row' }]);
  errors.throwIfAny(dataRows);
  if (chunk.length > 0) await insertActuals(tx, ctx.tenantId, batchId, chunk);
  // Codes must be members of the tenant's trees, where it keeps any (docs/dimensions.md).
  const created = await checkActualMembers(tx, ctx, batchId, dataRows, {
    createMissing: opts.mapping.create_missing_members,
  });

  const report = {
    batch_key: opts.batchKey,
    file_name: opts.fileName,
    format: opts.format,
    mapping_name: opts.mappingName ?? null,
    source: {
      delimiter: info.delimiter ?? null,
      delimiter_detected: info.delimiterDetected ?? null,
      sheet: info.sheet ?? null,
    },
    rows: { header_row: 1, data: dataRows, imported: dataRows, blank_skipped: blankRows },
    columns: stats.columnsReport(),
    period_range: stats.periodMin ? { from: stats.periodMin, to: stats.periodMax } : null,
    totals: stats.totalsReport(),
    replaced: previous ? { batch_id: previous.id, row_count: previous.rowCount } : null,
    members_created: created,
  };
  const batch = await finishBatch(tx, batchId, dataRows, report);
  await recordAudit(tx, ctx, {
    action: previous ? 'replace' : 'import',
    entityType: 'actual_batch',
    entityId: batchId,
    before: previous ? { batch_id: previous.id, row_count: previous.rowCount } : null,
    after: { batch_key: opts.batchKey, row_count: dataRows, totals: report.totals },
  });
  await emit(tx, ctx, {
    type: 'actuals.imported',
    subjectId: batchId,
    data: {
      batch_id: batchId,
      batch_key: opts.batchKey,
      file_name: batch.fileName,
      format: batch.format,
      row_count: dataRows,
      replaced_batch_id: previous?.id ?? null,
    },
  });
  return batch;
}
