/**
 * Reading budget lines from a spreadsheet: CSV or the first sheet of an XLSX file, a header row
 * of line field names, one line per row. Each row is validated with the lines API's own schema;
 * every problem names its file row and field, and nothing is stored unless every row is valid.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { z } from 'zod';
import type { AppConfig } from '../../config/env.ts';
import { bufferAccess, checkZip, NotAZipError } from '../../platform/files/zip-limits.ts';
import { type FieldError, ValidationError } from '../../platform/http/errors.ts';
import { lineCreateSchema } from '../lines/index.ts';
import { columnKey, LINES_SHEET, READ_ONLY_COLUMNS, SNAPSHOT_SHEET, TOTAL_MARK } from './excel.columns.ts';

export type SheetFormat = 'csv' | 'xlsx';
/** The zip limits of a line import: the whole workbook is loaded, so it is bounded by the in-memory limit. */
export type SheetLimits = Pick<AppConfig, 'XLSX_MAX_ENTRIES' | 'XLSX_MAX_IN_MEMORY_BYTES'>;

/** A row of the file: its 1-based row number and its cells by header. */
export interface SheetRow {
  row: number;
  cells: Record<string, string>;
}

const MAX_REPORTED = 100;
export const FIELDS = new Set(Object.keys(lineCreateSchema.shape));
/** Columns beside the line fields: the line's identity, and read-only ones. */
const EXTRA_COLUMNS = new Set(['line_id', 'version', ...READ_ONLY_COLUMNS]);
const BOOLEAN_FIELDS = new Set(['requires_approval', 'is_contra']);
const INTEGER_FIELDS = new Set(['line_order']);
const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

const bad = (path: string, code: string, message: string) => new ValidationError([{ path, code, message }]);

/** The text of an XLSX cell; numbers in their shortest exact form (Excel stores doubles). */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
  if ('text' in value) return String(value.text);
  return '';
}

/** The sheet of lines: the one named `Lines`, else the only visible sheet, else the first whose header names a line. */
function linesSheet(wb: ExcelJS.Workbook): ExcelJS.Worksheet {
  const byName = wb.worksheets.find((w) => w.name.trim().toLowerCase() === LINES_SHEET.toLowerCase());
  if (byName) return byName;
  const visible = wb.worksheets.filter((w) => w.state === 'visible' || w.state === undefined);
  if (visible.length === 1) return visible[0]!;
  const named = visible.find((w) =>
    ((w.getRow(1).values ?? []) as ExcelJS.CellValue[]).some((v) => columnKey(cellText(v)) === 'line_name'),
  );
  if (named) return named;
  throw bad(
    'body',
    visible.length ? 'no_lines_sheet' : 'empty_file',
    visible.length
      ? `The workbook has no sheet named "${LINES_SHEET}" and no sheet whose row 1 names line_name (sheets: ${visible.map((w) => w.name).join(', ')})`
      : 'The workbook has no sheet',
  );
}

const gridOf = (sheet: ExcelJS.Worksheet): string[][] => {
  const grid: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const values = row.values as ExcelJS.CellValue[];
    grid[n - 1] = values.slice(1).map(cellText);
  });
  return Array.from(grid, (r) => r ?? []);
};

async function xlsxGrid(
  bytes: Buffer,
  limits: SheetLimits,
): Promise<{ grid: string[][]; snapshot?: Snapshot }> {
  try {
    // ExcelJS inflates and holds the whole workbook: refuse a zip bomb before it does.
    await checkZip(bufferAccess(bytes), {
      maxEntries: { value: limits.XLSX_MAX_ENTRIES, setting: 'XLSX_MAX_ENTRIES' },
      maxInflatedBytes: { value: limits.XLSX_MAX_IN_MEMORY_BYTES, setting: 'XLSX_MAX_IN_MEMORY_BYTES' },
    });
  } catch (error) {
    if (error instanceof NotAZipError)
      throw bad('body', 'unreadable_file', 'The body is not a readable XLSX file');
    throw error;
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw bad('body', 'unreadable_file', 'The body is not a readable XLSX file');
  }
  const grid = gridOf(linesSheet(wb));
  const snap = wb.getWorksheet(SNAPSHOT_SHEET);
  if (!snap) return { grid };
  const snapshot: Snapshot = new Map();
  for (const [id, version] of gridOf(snap).slice(1))
    if (id && /^\d+$/.test(version ?? '')) snapshot.set(id.trim().toLowerCase(), Number(version));
  return { grid, snapshot };
}

function csvGrid(bytes: Buffer): string[][] {
  // Every value stays text: amounts never pass through a float.
  const parsed = Papa.parse<string[]>(bytes.toString('utf8').replace(/^\uFEFF/, ''), {
    skipEmptyLines: false,
  });
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal) throw bad(`rows.${(fatal.row ?? 0) + 1}`, 'unreadable_file', `CSV: ${fatal.message}`);
  return parsed.data;
}

/** The exported lines of a workbook's snapshot sheet: line id -> version at export. */
export type Snapshot = Map<string, number>;

/** A parsed file: its column keys (row 1, in order), its rows, and the export snapshot if any. */
export interface SheetData {
  columns: string[];
  rows: SheetRow[];
  snapshot?: Snapshot | undefined;
}

/**
 * Parses the file into rows keyed by column (line fields, `line_id`, `version`, `month:YYYY-MM`,
 * the read-only `currency` and `total`); blank rows and the export's total rows are skipped.
 */
export async function readSheet(bytes: Buffer, format: SheetFormat, limits: SheetLimits): Promise<SheetData> {
  const { grid, snapshot } =
    format === 'csv' ? { grid: csvGrid(bytes), snapshot: undefined } : await xlsxGrid(bytes, limits);
  const header = (grid[0] ?? []).map((h) => (h.trim() === '' ? '' : columnKey(h)));
  if (header.every((h) => h === '')) throw bad('rows.1', 'missing_header', 'Row 1 must name the line fields');
  const known = (h: string) => FIELDS.has(h) || EXTRA_COLUMNS.has(h) || h.startsWith('month:');
  const unknown = header.filter((h) => h !== '' && !known(h));
  if (unknown.length)
    throw new ValidationError(
      unknown.map((h) => ({
        path: `rows.1.${h}`,
        code: 'unknown_column',
        message: `row 1: unknown column "${h}"; columns are line fields such as ${[...FIELDS].slice(0, 5).join(', ')}, line_id, version or months (YYYY-MM)`,
      })),
    );
  const seen = new Set<string>();
  for (const h of header) {
    if (h && seen.has(h))
      throw bad(`rows.1.${h}`, 'duplicate_column', `row 1: column "${h}" appears more than once`);
    seen.add(h);
  }
  const rows: SheetRow[] = [];
  for (let i = 1; i < grid.length; i++) {
    const cells: Record<string, string> = {};
    for (const [c, name] of header.entries()) {
      const v = (grid[i]?.[c] ?? '').trim();
      if (name && v !== '') cells[name] = v;
    }
    if (cells.line_id?.toLowerCase() === TOTAL_MARK) continue;
    if (Object.keys(cells).length) rows.push({ row: i + 1, cells });
  }
  return { columns: header, rows, snapshot };
}

/** A cell's text as the JSON value the lines API expects for the field. */
export function toJsonValue(field: string, text: string): unknown {
  const lower = text.toLowerCase();
  if (BOOLEAN_FIELDS.has(field)) return TRUE.has(lower) ? true : FALSE.has(lower) ? false : text;
  if (INTEGER_FIELDS.has(field)) return /^\d+$/.test(text) ? Number(text) : text;
  if (field === 'spread_profile') return text.split(/[;|]/).map((w) => w.trim());
  if (field === 'metadata') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function issueCode(issue: z.core.$ZodIssue): string {
  const rule = (issue as { params?: { rule?: string } }).params?.rule;
  return issue.code === 'custom' && rule ? rule : issue.code;
}

const rowOf = (e: FieldError) => Number(/^rows\.(\d+)\./.exec(e.path)?.[1] ?? 0);

/** One 400 with every problem in file order (at most 100), or nothing when there is none. */
export function refuseIfAny(errors: FieldError[]): void {
  if (errors.length === 0) return;
  const sorted = errors.map((e, i) => ({ e, i })).sort((a, b) => rowOf(a.e) - rowOf(b.e) || a.i - b.i);
  throw new ValidationError(
    sorted.slice(0, MAX_REPORTED).map((x) => x.e),
    'Import refused: some rows are invalid',
  );
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
