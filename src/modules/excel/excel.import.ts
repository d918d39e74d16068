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
import { type LineCreateInput, lineCreateSchema } from '../lines/lines.schema.ts';

export type SheetFormat = 'csv' | 'xlsx';
/** The zip limits of a line import: the whole workbook is loaded, so it is bounded by the in-memory limit. */
export type SheetLimits = Pick<AppConfig, 'XLSX_MAX_ENTRIES' | 'XLSX_MAX_IN_MEMORY_BYTES'>;

/** A row of the file: its 1-based row number and its cells by header. */
export interface SheetRow {
  row: number;
  cells: Record<string, string>;
}

const MAX_REPORTED = 100;
const FIELDS = new Set(Object.keys(lineCreateSchema.shape));
const BOOLEAN_FIELDS = new Set(['requires_approval']);
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

async function xlsxGrid(bytes: Buffer, limits: SheetLimits): Promise<string[][]> {
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
  const sheet = wb.worksheets[0];
  if (!sheet) throw bad('body', 'empty_file', 'The workbook has no sheet');
  const grid: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const values = row.values as ExcelJS.CellValue[];
    grid[n - 1] = values.slice(1).map(cellText);
  });
  return Array.from(grid, (r) => r ?? []);
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

/** Parses the file into rows keyed by the header's field names (blank rows skipped). */
export async function readSheet(
  bytes: Buffer,
  format: SheetFormat,
  limits: SheetLimits,
): Promise<SheetRow[]> {
  const grid = format === 'csv' ? csvGrid(bytes) : await xlsxGrid(bytes, limits);
  const header = (grid[0] ?? []).map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  if (header.every((h) => h === '')) throw bad('rows.1', 'missing_header', 'Row 1 must name the line fields');
  const unknown = header.filter((h) => h !== '' && !FIELDS.has(h));
  if (unknown.length)
    throw new ValidationError(
      unknown.map((h) => ({
        path: `rows.1.${h}`,
        code: 'unknown_column',
        message: `row 1: unknown column "${h}"; columns are line fields such as ${[...FIELDS].slice(0, 5).join(', ')}`,
      })),
    );
  const rows: SheetRow[] = [];
  for (let i = 1; i < grid.length; i++) {
    const cells: Record<string, string> = {};
    for (const [c, name] of header.entries()) {
      const v = (grid[i]?.[c] ?? '').trim();
      if (name && v !== '') cells[name] = v;
    }
    if (Object.keys(cells).length) rows.push({ row: i + 1, cells });
  }
  return rows;
}

/** A cell's text as the JSON value the lines API expects for the field. */
function toJsonValue(field: string, text: string): unknown {
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

function issueCode(issue: z.core.$ZodIssue): string {
  const rule = (issue as { params?: { rule?: string } }).params?.rule;
  return issue.code === 'custom' && rule ? rule : issue.code;
}

/** Parsed rows: the valid inputs with their file rows, and the schema errors of the others. */
export interface ParsedLines {
  inputs: LineCreateInput[];
  fileRows: number[];
  errors: FieldError[];
}

/** Validates every row with the lines schema; problems name the file row and field. */
export function toLineInputs(rows: SheetRow[]): ParsedLines {
  const out: ParsedLines = { inputs: [], fileRows: [], errors: [] };
  if (rows.length === 0) throw bad('rows.2', 'no_rows', 'The file has a header but no line rows');
  for (const { row, cells } of rows) {
    const raw = Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, toJsonValue(k, v)]));
    const parsed = lineCreateSchema.safeParse(raw);
    if (parsed.success) {
      out.inputs.push(parsed.data);
      out.fileRows.push(row);
      continue;
    }
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.') || '(row)';
      out.errors.push({
        path: `rows.${row}.${field}`,
        code: issueCode(issue),
        message: `row ${row}: ${issue.message}`,
      });
    }
  }
  return out;
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
