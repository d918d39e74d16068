/**
 * Streaming row sources for CSV (papaparse) and XLSX (exceljs WorkbookReader). Neither holds
 * the file or its rows: rows are yielded one at a time with their row number as a person
 * counts it in the file (header = row 1).
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { Mapping } from './actuals.mapping.ts';

export type Cell = string | number | Date | null;
export interface SourceRow {
  /** 1-based: the header is row 1, the first data row is row 2. */
  rowNumber: number;
  cells: Cell[];
}
export type FileFormat = 'csv' | 'xlsx';
/** File bytes as they arrive (a request, a file stream, staged chunks, or chunks already read). */
export type ByteSource = AsyncIterable<Buffer> | Iterable<Buffer>;

/** How the file was read, for the report. */
export interface SourceInfo {
  format: FileFormat;
  delimiter?: string;
  delimiterDetected?: boolean;
  sheet?: string;
}

/** Thrown for a file that cannot be read at all (not CSV, not XLSX, no such sheet). */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter used most often outside quotes on the first line. */
function sniffDelimiter(firstText: string): string {
  const line = firstText.split(/\r?\n/, 1)[0] ?? '';
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    let count = 0;
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === d) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Text chunks of a UTF-8 byte stream, split safely between multi-byte characters, BOM removed. */
async function* utf8Chunks(bytes: ByteSource): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of bytes) {
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** CSV rows through papaparse's streaming parser (backpressure respected). */
export async function* csvRows(
  bytes: ByteSource,
  mapping: Pick<Mapping, 'delimiter'>,
  info: SourceInfo,
): AsyncGenerator<SourceRow> {
  const text = utf8Chunks(bytes);
  const head = await text.next();
  if (head.done) return;
  const delimiter = mapping.delimiter ?? sniffDelimiter(head.value);
  info.delimiter = delimiter;
  info.delimiterDetected = mapping.delimiter === undefined;
  async function* all() {
    yield head.value;
    yield* text;
  }
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter, header: false, skipEmptyLines: false });
  const input = Readable.from(all(), { objectMode: false });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let rowNumber = 0;
  for await (const row of parser as AsyncIterable<string[]>) {
    rowNumber++;
    yield { rowNumber, cells: row };
  }
}

type ExcelValue = ExcelJS.CellValue;

function cellOf(v: ExcelValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || v instanceof Date) return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellOf((v as { result?: ExcelValue }).result ?? null);
    if ('text' in v) return cellOf((v as { text: ExcelValue }).text);
    if ('error' in v) return `#ERROR ${(v as { error: string }).error}`;
  }
  return String(v);
}

/** Rows of one worksheet of an XLSX stream (the first, or `mapping.sheet`). */
export async function* xlsxRows(
  bytes: ByteSource,
  mapping: Mapping,
  info: SourceInfo,
): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // number formats tell dates from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let position = 0;
  let used = false;
  try {
    for await (const sheet of reader) {
      position++;
      const name = (sheet as unknown as { name?: string }).name ?? `Sheet${position}`;
      const wanted =
        mapping.sheet === undefined
          ? !used
          : typeof mapping.sheet === 'number'
            ? mapping.sheet === position
            : mapping.sheet.toLowerCase() === name.toLowerCase();
      if (!wanted || used) {
        // Drain the entry so that the zip stream moves on.
        for await (const _ of sheet) void _;
        continue;
      }
      used = true;
      info.sheet = name;
      for await (const row of sheet) {
        const values = row.values as ExcelValue[];
        const cells: Cell[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellOf(values[i]));
        yield { rowNumber: row.number, cells };
      }
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(
      `not a readable XLSX workbook: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!used)
    throw new UnreadableFileError(
      mapping.sheet === undefined
        ? 'the workbook has no worksheet'
        : `the workbook has no worksheet ${JSON.stringify(mapping.sheet)}`,
    );
}

/** Row source for the format. */
export function rowsOf(format: FileFormat, bytes: ByteSource, mapping: Mapping, info: SourceInfo) {
  return format === 'csv' ? csvRows(bytes, mapping, info) : xlsxRows(bytes, mapping, info);
}
