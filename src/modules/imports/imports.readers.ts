/**
 * Streaming row sources for CSV (papaparse) and XLSX (exceljs' worksheet reader over yauzl). Neither holds
 * the file or its rows: rows are yielded one at a time with their row number as a person
 * counts it in the file (header = row 1).
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type yauzl from 'yauzl';
import { openEntry, openZip, type RandomAccess, readEntries } from '../../platform/files/zip-reader.ts';
import type { Mapping } from './imports.schema.ts';

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

/** The ExcelJS WorkbookReader parts we drive entry by entry (exceljs 4.4, `lib/stream/xlsx/workbook-reader.js`). */
interface WorkbookParts {
  model?: { sheets?: { name?: string; rId?: string }[] };
  workbookRels?: { Id: string; Target: string }[];
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(
    iterator: AsyncIterable<unknown>,
    sheetNo: string,
  ): Generator<{ eventType: string; value: ExcelJS.stream.xlsx.WorksheetReader }>;
}

/** The workbook's worksheets in tab order, each with its zip entry. */
function worksheetsInOrder(parts: WorkbookParts, entries: Map<string, yauzl.Entry>) {
  const byId = new Map((parts.workbookRels ?? []).map((r) => [r.Id, r.Target]));
  const out: { name: string; entry: yauzl.Entry; sheetNo: string }[] = [];
  const seen = new Set<string>();
  for (const [i, sheet] of (parts.model?.sheets ?? []).entries()) {
    const target = sheet.rId ? byId.get(sheet.rId) : undefined;
    if (!target) continue;
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
    const entry = entries.get(path);
    const sheetNo = /sheet(\d+)\.xml$/.exec(path)?.[1];
    if (!entry || !sheetNo || seen.has(path)) continue;
    seen.add(path);
    out.push({ name: sheet.name ?? `Sheet${i + 1}`, entry, sheetNo });
  }
  return out;
}

/**
 * Rows of one worksheet of an XLSX (the first tab, or `mapping.sheet` by name or 1-based tab
 * position). The zip is read from its central directory (random access), so the workbook, its
 * relationships, styles and shared strings are parsed first, whatever order the entries have in
 * the file, and the worksheet is then streamed row by row without a temporary file.
 */
export async function* xlsxRows(
  access: RandomAccess,
  mapping: Mapping,
  info: SourceInfo,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<SourceRow> {
  let read = 0;
  const counted: RandomAccess = {
    size: access.size,
    async read(start, end) {
      const bytes = await access.read(start, end);
      read += bytes.length;
      onBytes?.(Math.min(read, access.size));
      return bytes;
    },
  };
  const unreadable = (error: unknown) =>
    new UnreadableFileError(
      `not a readable XLSX workbook: ${error instanceof Error ? error.message : String(error)}`,
    );
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(counted);
  } catch (error) {
    throw unreadable(error);
  }
  try {
    let sheets: ReturnType<typeof worksheetsInOrder>;
    let parts: WorkbookParts;
    try {
      const entries = new Map((await readEntries(zip)).map((e) => [e.fileName, e]));
      const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
        worksheets: 'emit',
        sharedStrings: 'cache',
        styles: 'cache', // number formats tell dates from numbers
        hyperlinks: 'ignore',
        entries: 'ignore',
      });
      parts = reader as unknown as WorkbookParts;
      const open = (name: string) => {
        const entry = entries.get(name);
        return entry ? openEntry(zip, entry) : undefined;
      };
      const rels = await open('xl/_rels/workbook.xml.rels');
      const book = await open('xl/workbook.xml');
      if (!rels || !book) throw new Error('it has no xl/workbook.xml or its relationships');
      await parts._parseRels(rels);
      await parts._parseWorkbook(book);
      const styles = await open('xl/styles.xml');
      if (styles) await parts._parseStyles(styles);
      const strings = await open('xl/sharedStrings.xml');
      if (strings) for await (const _ of parts._parseSharedStrings(strings)) void _;
      sheets = worksheetsInOrder(parts, entries);
    } catch (error) {
      throw unreadable(error);
    }
    const chosen =
      mapping.sheet === undefined
        ? sheets[0]
        : typeof mapping.sheet === 'number'
          ? sheets[mapping.sheet - 1]
          : sheets.find((s) => s.name.toLowerCase() === String(mapping.sheet).toLowerCase());
    if (!chosen)
      throw new UnreadableFileError(
        mapping.sheet === undefined
          ? 'the workbook has no worksheet'
          : `the workbook has no worksheet ${JSON.stringify(mapping.sheet)}`,
      );
    info.sheet = chosen.name;
    try {
      const stream = await openEntry(zip, chosen.entry);
      for (const { value: sheet } of parts._parseWorksheet(stream, chosen.sheetNo)) {
        for await (const row of sheet) {
          const values = row.values as ExcelValue[];
          const cells: Cell[] = [];
          for (let i = 1; i < values.length; i++) cells.push(cellOf(values[i]));
          yield { rowNumber: row.number, cells };
        }
      }
    } catch (error) {
      if (error instanceof UnreadableFileError) throw error;
      throw unreadable(error);
    }
  } finally {
    zip.close();
  }
}
