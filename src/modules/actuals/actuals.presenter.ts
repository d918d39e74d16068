/** Wire shapes of batches, mappings and actuals (snake_case; never raw rows). */
import type { BatchRow, MappingRow } from './actuals.repository.ts';

type BatchSummaryRow = Pick<
  BatchRow,
  'id' | 'batchKey' | 'fileName' | 'format' | 'rowCount' | 'createdAt' | 'createdBy'
>;

/** A batch in a list. */
export function presentBatchSummary(b: BatchSummaryRow) {
  return {
    batch_id: b.id,
    batch_key: b.batchKey,
    file_name: b.fileName,
    format: b.format,
    row_count: b.rowCount,
    created_at: b.createdAt.toISOString(),
    created_by: b.createdBy,
  };
}

/** A batch with its mapping and import report. */
export function presentBatch(b: BatchRow) {
  return {
    ...presentBatchSummary(b),
    mapping: b.mapping,
    report: (b.report ?? null) as Record<string, unknown> | null,
  };
}
export type BatchView = ReturnType<typeof presentBatch>;

/** A saved column mapping. */
export function presentMapping(m: MappingRow) {
  return {
    mapping_id: m.id,
    name: m.name,
    mapping: m.mapping,
    created_at: m.createdAt.toISOString(),
    created_by: m.createdBy,
    updated_at: m.updatedAt?.toISOString() ?? null,
  };
}
