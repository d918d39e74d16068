/**
 * The mapping step of an actuals import, before anything is stored: the file's header and first
 * rows, the suggested columns with their confidence, how the first rows read under a mapping (the
 * importer's own readRow, so a preview never disagrees with the import), and which saved mappings fit.
 */
import type { FieldError } from '../../platform/http/errors.ts';
import type { FileFormat, Mapping } from '../imports/index.ts';
import { ACTUAL_FIELDS, columnsOut, mappingSchema, previewColumns, readFileHead } from '../imports/index.ts';
import type { ActualInsert } from './actuals.repository.ts';
import { ReadStats, readRow } from './actuals.rows.ts';

/** Rows a preview shows at most. */
export const MAX_PREVIEW_ROWS = 50;

export interface PreviewInput {
  format: FileFormat;
  bytes: AsyncIterable<Buffer> | Iterable<Buffer>;
  /** The mapping to read the rows with (the header-name default when absent). */
  mapping: Mapping;
  mappingName: string | null;
  rows: number;
  saved: { mapping_id: string; name: string; mapping: unknown }[];
  fiscalYearStartMonth: number;
}

/** Reads the header and the first rows; stops reading there (the rest of the body is never read). */
export async function previewImport(p: PreviewInput) {
  const head = await readFileHead(p.format, p.bytes, p.mapping, p.rows);
  if (!head.ok) return head;
  const { header, rows, raw, info } = head.value;
  const { suggestions, columns, errors } = previewColumns(head.value, p.mapping);
  const suggested: Record<string, string> = {};
  for (const s of suggestions) suggested[s.field] = s.source;
  const read: ({ row_number: number } & (
    | { ok: true; value: Omit<ActualInsert, 'row_number'> }
    | { ok: false; errors: FieldError[] }
  ))[] = [];
  // Rows are read once every required field has a column (a mapping being built may lack some).
  if (!errors.some((e) => e.code === 'column_not_found' || e.code === 'required')) {
    const stats = new ReadStats(columns, p.mapping, p.fiscalYearStartMonth);
    for (const [i, r] of rows.entries()) {
      const result = readRow({ rowNumber: r.row_number, cells: raw[i]! }, stats);
      if (result.ok) {
        const { row_number, ...value } = result.value;
        read.push({ row_number, ok: true, value });
      } else read.push({ row_number: r.row_number, ok: false, errors: result.errors });
    }
  }
  const saved = p.saved.flatMap((m) => {
    const parsed = mappingSchema.safeParse(m.mapping);
    if (parsed.success && parsed.data.target !== 'actuals') return [];
    const fits = parsed.success && previewColumns(head.value, parsed.data).errors.length === 0;
    return [{ mapping_id: m.mapping_id, name: m.name, fits }];
  });
  return {
    ok: true as const,
    value: {
      format: p.format,
      source: {
        delimiter: info.delimiter ?? null,
        delimiter_detected: info.delimiterDetected ?? null,
        sheet: info.sheet ?? null,
      },
      mapping_name: p.mappingName,
      header,
      rows,
      suggested_columns: suggested,
      suggestions,
      columns: columnsOut(columns, ACTUAL_FIELDS),
      errors,
      read,
      saved_mappings: saved,
    },
  };
}
