/**
 * Budget lines from a CSV or XLSX file through the import engine shared with actuals
 * (src/modules/imports): a column mapping (inline, saved, or header names with a confidence),
 * derived fields (department = first 3 characters of the program code), accounting amounts.
 * Every row is validated with the lines API's own rules; nothing is stored unless all pass, and
 * the rejection counts every failed row.
 */
import { bufferAccess, checkZip, NotAZipError } from '../../platform/files/zip-limits.ts';
import { type FieldError, ValidationError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import { Decimal } from '../../shared/money.ts';
import {
  type Cell,
  cellText,
  csvRows,
  type FileFormat,
  fieldValue,
  ImportRejectedError,
  type Mapping,
  parseAmountNumber,
  parseAmountText,
  type ResolvedColumns,
  RowErrors,
  resolveColumns,
  type SourceInfo,
  UnreadableFileError,
  xlsxRows,
} from '../imports/index.ts';
import { toNewLines } from './lines.input.ts';
import { type LineCreateInput, lineCreateSchema } from './lines.schema.ts';

/** Zip limits of a workbook read whole. */
export interface XlsxLimits {
  XLSX_MAX_ENTRIES: number;
  XLSX_MAX_IN_MEMORY_BYTES: number;
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'x']);
const FALSE = new Set(['false', 'no', 'n', '0', '']);
// Import field -> line field, where the names differ.
const TEXT_FIELDS: Record<string, keyof LineCreateInput> = {
  line_name: 'line_name',
  category: 'category',
  subcategory: 'subcategory',
  gl_account: 'gl_account_id',
  department: 'department_id',
  cost_centre: 'cost_center_id',
  description: 'description',
  notes: 'notes',
};

/** The rows of a file (header first), read whole: a line file is bounded by the body limit. */
export async function* fileRows(bytes: Buffer, format: FileFormat, mapping: Mapping, limits: XlsxLimits) {
  const info: SourceInfo = { format };
  if (format === 'xlsx') {
    try {
      await checkZip(bufferAccess(bytes), {
        maxEntries: { value: limits.XLSX_MAX_ENTRIES, setting: 'XLSX_MAX_ENTRIES' },
        maxInflatedBytes: { value: limits.XLSX_MAX_IN_MEMORY_BYTES, setting: 'XLSX_MAX_IN_MEMORY_BYTES' },
      });
    } catch (error) {
      if (error instanceof NotAZipError)
        throw new UnreadableFileError('the body is not a readable XLSX file');
      throw error;
    }
    yield* xlsxRows(bufferAccess(bytes), mapping, info);
  } else yield* csvRows([bytes], mapping, info);
}

/** One row to a line input, or its errors (paths `rows.<file row>.<field>`). */
export function readLineRow(
  n: number,
  cells: Cell[],
  columns: ResolvedColumns,
  mapping: Mapping,
): { ok: true; value: LineCreateInput } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, code: string, message: string) =>
    errors.push({ path: `rows.${n}.${field}`, code, message: `row ${n}: ${message}` });
  const text = (f: string) => cellText(fieldValue(columns, f, cells));
  const raw: Record<string, unknown> = {};
  for (const [f, to] of Object.entries(TEXT_FIELDS)) {
    if (!columns[f]) continue;
    const v = text(f);
    if (v !== '') raw[to] = v;
  }
  if (columns.line_type) raw.line_type = text('line_type').toLowerCase();
  if (columns.spread_method) {
    const v = text('spread_method').toLowerCase();
    if (v) raw.spread_method = v;
  }
  if (columns.fund) {
    const v = text('fund');
    if (v) raw.metadata = { fund: v };
  }
  const cell = fieldValue(columns, 'amount', cells);
  const a =
    typeof cell === 'number'
      ? parseAmountNumber(cell)
      : parseAmountText(cellText(cell), mapping.decimal_separator);
  if (a.ok) raw.amount = a.value;
  else err('amount', a.code, a.message);
  if (columns.is_contra) {
    const v = text('is_contra').toLowerCase();
    if (TRUE.has(v)) raw.is_contra = true;
    else if (FALSE.has(v)) raw.is_contra = false;
    else err('is_contra', 'invalid_boolean', `is_contra "${v.slice(0, 20)}" is not true/false/yes/no/1/0`);
  } else if (mapping.negative_is_contra && a.ok && new Decimal(a.value).lt(0)) raw.is_contra = true;
  const parsed = lineCreateSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const rule = (issue as { params?: { rule?: string } }).params?.rule;
      err(
        issue.path.join('.') || '(row)',
        issue.code === 'custom' && rule ? rule : issue.code,
        issue.message,
      );
    }
  }
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

/** Reads and validates every line of a file; throws ImportRejectedError (422) listing bad rows. */
export async function readLineFile(
  ctx: TenantContext,
  budgetId: string,
  rows: AsyncIterable<{ rowNumber: number; cells: Cell[] }>,
  mapping: Mapping,
): Promise<{ inputs: LineCreateInput[]; fileRows: number[]; columns: ResolvedColumns; blank: number }> {
  let columns: ResolvedColumns | undefined;
  const errors = new RowErrors();
  const inputs: LineCreateInput[] = [];
  const fileRows: number[] = [];
  let dataRows = 0;
  let blank = 0;
  try {
    for await (const row of rows) {
      if (!columns) {
        const resolved = resolveColumns(
          row.cells.map((c) => cellText(c)),
          mapping,
        );
        if (resolved.errors.length) throw new ImportRejectedError(resolved.errors, resolved.errors.length, 0);
        columns = resolved.columns;
        continue;
      }
      if (row.cells.every((c) => cellText(c) === '')) {
        blank++;
        continue;
      }
      dataRows++;
      const r = readLineRow(row.rowNumber, row.cells, columns, mapping);
      if (!r.ok) {
        errors.add(row.rowNumber, r.errors);
        continue;
      }
      // The lines API's own rules (amount, sign, spread), row by row so that every row is counted.
      try {
        toNewLines(ctx, budgetId, [r.value], 'lines');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors.add(row.rowNumber, toFileRowErrors(error.errors, [row.rowNumber]));
        continue;
      }
      inputs.push(r.value);
      fileRows.push(row.rowNumber);
    }
  } catch (error) {
    if (error instanceof UnreadableFileError)
      throw new ImportRejectedError(
        [{ path: 'file', code: 'unreadable_file', message: error.message }],
        1,
        0,
      );
    throw error;
  }
  if (!columns)
    throw new ImportRejectedError(
      [{ path: 'file', code: 'empty_file', message: 'the file has no header row' }],
      1,
      0,
    );
  errors.throwIfAny(dataRows);
  if (dataRows === 0)
    throw new ImportRejectedError(
      [{ path: 'rows.2', code: 'no_rows', message: 'the file has a header but no line rows' }],
      1,
      0,
    );
  return { inputs, fileRows, columns, blank };
}

/** Rewrites `lines.<index>.<field>` paths of the lines service's errors to `rows.<file row>.<field>`. */
export function toFileRowErrors(errors: FieldError[], fileRows: number[]): FieldError[] {
  return errors.map((e) => {
    const m = /^lines\.(\d+)\.(.*)$/.exec(e.path);
    const row = m ? fileRows[Number(m[1])] : undefined;
    return row === undefined
      ? e
      : { ...e, path: `rows.${row}.${m![2]}`, message: `row ${row}: ${e.message}` };
  });
}

/** The response of a lines import. */
export interface LineImportResult {
  rows: number;
  blank_skipped: number;
  added: number;
  removed: number;
  line_ids: string[];
  mapping_name: string | null;
  columns: Record<string, unknown>;
}

/** Maps a lines-service rejection (tenant rules checked in the write) to file rows. */
export function rejectionOf(
  error: ValidationError,
  fileRows: number[],
  dataRows: number,
): ImportRejectedError {
  const mapped = toFileRowErrors(error.errors, fileRows);
  return new ImportRejectedError(mapped, mapped.length, dataRows);
}
