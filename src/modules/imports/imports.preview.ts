/**
 * The mapping step shared by both imports, before anything is stored: the file's header and first
 * rows, the suggested columns with their confidence (header names, then checked against the rows
 * shown: a suggested amount column whose values are not amounts is a low-confidence guess), and
 * where each field is read from under the mapping used.
 */
import { bufferAccess } from '../../platform/files/zip-limits.ts';
import type { FieldError } from '../../platform/http/errors.ts';
import { parseAmountNumber, parseAmountText } from './imports.amounts.ts';
import {
  cellText,
  describeField,
  type ResolvedColumns,
  resolveColumns,
  type Suggestion,
} from './imports.mapping.ts';
import { parsePeriodText } from './imports.periods.ts';
import {
  type Cell,
  csvRows,
  type FileFormat,
  type SourceInfo,
  UnreadableFileError,
  xlsxRows,
} from './imports.readers.ts';
import type { Mapping } from './imports.schema.ts';

/** What a preview read from the file. */
export interface FileHead {
  info: SourceInfo;
  header: string[];
  rows: { row_number: number; cells: string[] }[];
  raw: Cell[][];
}

/** Reads the header and the first `rows` non-blank rows; stops reading there. */
export async function readFileHead(
  format: FileFormat,
  bytes: AsyncIterable<Buffer> | Iterable<Buffer>,
  mapping: Mapping,
  count: number,
): Promise<{ ok: true; value: FileHead } | { ok: false; error: string }> {
  const info: SourceInfo = { format };
  let header: string[] | undefined;
  const rows: FileHead['rows'] = [];
  const raw: Cell[][] = [];
  const source =
    format === 'csv'
      ? csvRows(bytes, mapping, info)
      : xlsxRows(bufferAccess(Buffer.concat(Array.isArray(bytes) ? bytes : [])), mapping, info);
  try {
    for await (const row of source) {
      if (!header) {
        header = row.cells.map((c) => cellText(c));
        continue;
      }
      if (row.cells.every((c) => cellText(c) === '')) continue;
      rows.push({
        row_number: row.rowNumber,
        cells: row.cells.map((c) =>
          c === null ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c),
        ),
      });
      raw.push(row.cells);
      if (rows.length >= count) break;
    }
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    return { ok: false, error: error.message };
  } finally {
    await source.return(undefined);
  }
  if (!header) return { ok: false, error: 'the file is empty: no header row' };
  return { ok: true, value: { info, header, rows, raw } };
}

/** Lowers a suggestion whose sample values do not read as the field (amounts, periods). */
function checkValues(s: Suggestion, raw: Cell[][], mapping: Mapping): Suggestion {
  const values = raw.map((r) => r[s.column - 1] ?? null).filter((c) => cellText(c) !== '');
  if (values.length === 0) return s;
  let bad = 0;
  for (const v of values) {
    let ok = true;
    if (s.field === 'amount')
      ok = (
        typeof v === 'number' ? parseAmountNumber(v) : parseAmountText(cellText(v), mapping.decimal_separator)
      ).ok;
    else if (s.field === 'period' && !(v instanceof Date)) {
      const r = parsePeriodText(cellText(v), mapping.period_format, {}, 0);
      ok = r.ok || r.code === 'ambiguous_period';
    }
    if (!ok) bad++;
  }
  if (bad === 0) return s;
  return {
    ...s,
    confidence: Math.min(s.confidence, 0.3),
    level: 'low',
    rule: s.field === 'amount' ? 'values_not_amounts' : 'values_not_periods',
  };
}

/** The preview's mapping part: suggestions, columns under the mapping, its errors. */
export function previewColumns(head: FileHead, mapping: Mapping) {
  const strict = resolveColumns(head.header, mapping, true);
  const loose = resolveColumns(head.header, mapping, false);
  const suggestions = strict.suggestions.map((s) => checkValues(s, head.raw, mapping));
  const errors: FieldError[] = [...strict.errors];
  if (!mapping.columns)
    for (const s of suggestions)
      if (
        s.level === 'low' &&
        s.rule.startsWith('values_') &&
        !errors.some((e) => e.path === `mapping.columns.${s.field}`)
      )
        errors.push({
          path: `mapping.columns.${s.field}`,
          code: 'low_confidence_match',
          message: `${s.field}: the values of column "${s.source}" in the rows shown do not read as ${s.field === 'amount' ? 'amounts' : 'periods'}`,
        });
  return { suggestions, columns: loose.columns, errors };
}

/** Where a field is read from, on the wire. */
export interface ColumnOut {
  source: string | null;
  column: number | null;
  matched_by: 'mapping' | 'header_name' | 'derived';
  rule?: unknown;
}

/** Where each field is read from, for the response (null: not read). */
export function columnsOut<F extends string>(
  columns: ResolvedColumns,
  fields: readonly F[],
): Record<F, ColumnOut | null> {
  const out = {} as Record<F, ColumnOut | null>;
  for (const f of fields) {
    const c = columns[f];
    out[f] = c ? (describeField(c) as ColumnOut) : null;
  }
  return out;
}
