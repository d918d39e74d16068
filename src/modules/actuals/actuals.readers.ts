/**
 * Streaming row sources for CSV (papaparse) and XLSX (exceljs WorkbookReader). Neither holds
 * the file or its rows: rows are yielded one at a time with their row number as a person
 * counts it in the file (header = row 1).
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { Mapping } from './actuals.column-mapping.ts';

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

/** Papaparse's chunk-level parser (what its own streamers use; not in @types/papaparse). */
interface ParserHandle {
  parse(
    input: string,
    baseIndex: number,
    ignoreLastRow: boolean,
  ): { data: string[][]; meta: { cursor: number } };
}
type PapaInternals = { ParserHandle: new (config: Papa.ParseConfig) => ParserHandle };

/** Text is parsed in slices of this many characters (about 1,000 ledger rows). */
const SLICE_CHARS = 64 * 1024;
/** A row longer than this is not a ledger row; refusing it keeps the carried partial row small. */
const MAX_ROW_CHARS = 4 * 1024 * 1024;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The text in slices of at most SLICE_CHARS (a split surrogate pair is rejoined with the carried row). */
async function* slices(first: string, rest: AsyncIterable<string>): AsyncGenerator<string> {
  async function* all() {
    yield first;
    yield* rest;
  }
  for await (const text of all())
    for (let at = 0; at < text.length; at += SLICE_CHARS) yield text.slice(at, at + SLICE_CHARS);
}

/**
 * CSV rows, parsed slice by slice with papaparse, the unfinished last row carried to the next
 * slice (as papaparse's own streamers do). Cost is linear in the file: papaparse's stream mode
 * re-cuts its whole input chunk each time backpressure pauses it (every 16 rows), which made
 * 1 MiB chunks quadratic. Between slices the event loop gets a turn, so a large import never
 * holds the API up for more than one slice's work.
 */
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
  const { ParserHandle } = Papa as unknown as PapaInternals;
  const parser = new ParserHandle({ delimiter, header: false, skipEmptyLines: false });
  let partial = '';
  let base = 0;
  let rowNumber = 0;
  for await (const slice of slices(head.value, { [Symbol.asyncIterator]: () => text })) {
    const aggregate = partial + slice;
    const { data, meta } = parser.parse(aggregate, base, true);
    partial = aggregate.slice(meta.cursor - base);
    base = meta.cursor;
    for (const cells of data) yield { rowNumber: ++rowNumber, cells };
    if (partial.length > MAX_ROW_CHARS)
      throw new UnreadableFileError(
        `row ${rowNumber + 1} is longer than ${MAX_ROW_CHARS} characters (an unclosed quote?)`,
      );
    await nextTurn();
  }
  if (partial)
    for (const cells of parser.parse(partial, base, false).data) yield { rowNumber: ++rowNumber, cells };
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
