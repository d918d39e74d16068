/**
 * The mapping step of an import, before anything is stored: the file's header and first rows,
 * the columns the header names suggest, how the first rows read under a mapping (the importer's
 * own readRow, so a preview never disagrees with the import), and which saved mappings fit.
 */

import { bufferAccess } from '../../platform/files/zip-limits.ts';
import type { FieldError } from '../../platform/http/errors.ts';
import {
  type Mapping,
  mappingSchema,
  resolveColumns,
  TARGET_FIELDS,
  type TargetField,
} from './actuals.column-mapping.ts';
import {
  type Cell,
  csvRows,
  type FileFormat,
  type SourceInfo,
  UnreadableFileError,
  xlsxRows,
} from './actuals.readers.ts';
import type { ActualInsert } from './actuals.repository.ts';
import { isBlankRow, ReadStats, readRow } from './actuals.rows.ts';

/** Rows a preview shows at most. */
export const MAX_PREVIEW_ROWS = 50;

const textOf = (c: Cell) => (c === null ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c));

export interface PreviewInput {
  format: FileFormat;
  bytes: AsyncIterable<Buffer> | Iterable<Buffer>;
  /** The mapping to read the rows with (the header-name default when absent). */
  mapping: Mapping;
  mappingName: string | null;
  rows: number;
  saved: { mapping_id: string; name: string; mapping: unknown }[];
}

/** Reads the header and the first rows; stops reading there (the rest of the body is never read). */
export async function previewImport(p: PreviewInput) {
  const info: SourceInfo = { format: p.format };
  let header: string[] | undefined;
  const rows: { row_number: number; cells: string[] }[] = [];
  const raw: Cell[][] = [];
  // An XLSX arrives whole (the route reads it within the body limit and checks the zip first).
  const source =
    p.format === 'csv'
      ? csvRows(p.bytes, p.mapping, info)
      : xlsxRows(bufferAccess(Buffer.concat(Array.isArray(p.bytes) ? p.bytes : [])), p.mapping, info);
  try {
    for await (const row of source) {
      if (!header) {
        header = row.cells.map((c) => textOf(c).trim());
        continue;
      }
      if (isBlankRow(row.cells)) continue;
      rows.push({ row_number: row.rowNumber, cells: row.cells.map(textOf) });
      raw.push(row.cells);
      if (rows.length >= p.rows) break;
    }
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    return { ok: false as const, error: error.message };
  } finally {
    await source.return(undefined);
  }
  if (!header) return { ok: false as const, error: 'the file is empty: no header row' };

  // Header-name matching, whatever mapping is used: what the UI suggests for each field.
  const byName = resolveColumns(header, mappingSchema.parse({}));
  const suggested: Partial<Record<TargetField, string>> = {};
  for (const f of TARGET_FIELDS) {
    const c = byName.columns[f];
    if (c) suggested[f] = c.header;
  }
  const resolved = resolveColumns(header, p.mapping);
  type Column = { source: string; column: number; matched_by: 'mapping' | 'header_name' } | null;
  const columns = {} as Record<TargetField, Column>;
  for (const f of TARGET_FIELDS) {
    const c = resolved.columns[f];
    columns[f] = c ? { source: c.header, column: c.index + 1, matched_by: c.by } : null;
  }
  const read: ({ row_number: number } & (
    | { ok: true; value: Omit<ActualInsert, 'row_number'> }
    | { ok: false; errors: FieldError[] }
  ))[] = [];
  if (!resolved.errors.length) {
    const stats = new ReadStats(resolved.columns, p.mapping);
    for (const [i, r] of rows.entries()) {
      const result = readRow({ rowNumber: r.row_number, cells: raw[i]! }, stats);
      if (result.ok) {
        const { row_number, ...value } = result.value;
        read.push({ row_number, ok: true, value });
      } else read.push({ row_number: r.row_number, ok: false, errors: result.errors });
    }
  }
  const saved = p.saved.map((m) => {
    const parsed = mappingSchema.safeParse(m.mapping);
    const fits = parsed.success && resolveColumns(header, parsed.data).errors.length === 0;
    return { mapping_id: m.mapping_id, name: m.name, fits };
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
      columns,
      errors: resolved.errors,
      read,
      saved_mappings: saved,
    },
  };
}
