/**
 * Zip-bomb guard for XLSX uploads, run before any spreadsheet library sees the file. The zip's
 * central directory is read with yauzl: the entry count and the total declared uncompressed size
 * must be within limits, every entry is then inflated once into nothing with
 * `validateEntrySizes` (so an entry that inflates past what it declares is refused as soon as it
 * does, and the work is bounded by the limit), and no bytes may hide between the entries where
 * a streaming reader (ExcelJS' WorkbookReader reads local headers in order) would find them.
 */
import { open } from 'node:fs/promises';
import type yauzl from 'yauzl';
import { AppError } from '../http/errors.ts';
import type { RandomAccess } from './zip-reader.ts';
import { openZip, readEntries } from './zip-reader.ts';

export type { RandomAccess };

/** What an XLSX may inflate to; each limit is named after the setting that holds it. */
export interface ZipLimits {
  maxEntries: { value: number; setting: string };
  maxInflatedBytes: { value: number; setting: string };
  /** Entries held in memory while reading (e.g. shared strings) and their own ceiling. */
  maxEntryBytes?: { names: string[]; value: number; setting: string };
}

/** 413: the workbook breaks a zip limit; names the limit and its setting. */
export class XlsxTooLargeError extends AppError {
  override name = 'XlsxTooLargeError';
  constructor(message: string, setting: string, limit: number) {
    super(413, 'xlsx_too_large', message, [{ path: 'body', code: 'xlsx_too_large', message }], {
      limit: setting,
      limit_value: limit,
    });
  }
}

/** The file is not a zip at all (or a broken one): the caller reports it as unreadable. */
export class NotAZipError extends Error {
  override name = 'NotAZipError';
}

/** RandomAccess over a buffer. */
export function bufferAccess(buffer: Buffer): RandomAccess {
  return { size: buffer.length, read: async (start, end) => buffer.subarray(start, end) };
}

/** Runs fn with random access to a file (kept open meanwhile). */
export async function withFileAccess<T>(path: string, fn: (access: RandomAccess) => Promise<T>): Promise<T> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return await fn({
      size,
      async read(start, end) {
        const buffer = Buffer.alloc(Math.max(0, Math.min(end, size) - start));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
        return buffer.subarray(0, bytesRead);
      },
    });
  } finally {
    await file.close();
  }
}

const DESCRIPTOR_MAX = 24; // data descriptor with signature and zip64 sizes
const LOCAL_HEADER = 30;

function toNotAZip(error: unknown): NotAZipError {
  return new NotAZipError(error instanceof Error ? error.message : String(error));
}

/** Checks an XLSX (zip) against the limits; throws XlsxTooLargeError or NotAZipError. */
export async function checkZip(source: RandomAccess, limits: ZipLimits): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(source);
  } catch (error) {
    throw toNotAZip(error);
  }
  const centralDirectory = zip.readEntryCursor as unknown as number;
  try {
    const { maxEntries, maxInflatedBytes, maxEntryBytes } = limits;
    if (zip.entryCount > maxEntries.value)
      throw new XlsxTooLargeError(
        `The workbook has ${zip.entryCount} zip entries; at most ${maxEntries.value} are accepted (${maxEntries.setting})`,
        maxEntries.setting,
        maxEntries.value,
      );
    const entries = await readEntries(zip).catch((e: unknown) => {
      throw toNotAZip(e);
    });
    let declared = 0;
    for (const e of entries) {
      declared += e.uncompressedSize;
      if (maxEntryBytes?.names.includes(e.fileName) && e.uncompressedSize > maxEntryBytes.value)
        throw new XlsxTooLargeError(
          `${e.fileName} inflates to ${e.uncompressedSize} bytes; at most ${maxEntryBytes.value} are accepted (${maxEntryBytes.setting})`,
          maxEntryBytes.setting,
          maxEntryBytes.value,
        );
    }
    if (declared > maxInflatedBytes.value)
      throw new XlsxTooLargeError(
        `The workbook inflates to ${declared} bytes; at most ${maxInflatedBytes.value} are accepted (${maxInflatedBytes.setting})`,
        maxInflatedBytes.setting,
        maxInflatedBytes.value,
      );
    await refuseHiddenBytes(source, entries, centralDirectory);
    for (const e of entries) await inflateAndDiscard(zip, e, maxInflatedBytes);
  } finally {
    zip.close();
  }
}

/** Entries must follow each other from offset 0 up to the central directory, with no gap to hide data in. */
async function refuseHiddenBytes(source: RandomAccess, entries: yauzl.Entry[], centralDirectory: number) {
  const sorted = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  let end = 0;
  for (const e of sorted) {
    const at = e.relativeOffsetOfLocalHeader;
    if (at < end || at > end + DESCRIPTOR_MAX) throw new NotAZipError('the zip has data outside its entries');
    const header = await source.read(at, at + LOCAL_HEADER);
    if (header.length < LOCAL_HEADER || header.readUInt32LE(0) !== 0x04034b50)
      throw new NotAZipError('the zip has a broken local header');
    end = at + LOCAL_HEADER + header.readUInt16LE(26) + header.readUInt16LE(28) + e.compressedSize;
  }
  if (centralDirectory < end || centralDirectory > end + DESCRIPTOR_MAX)
    throw new NotAZipError('the zip has data outside its entries');
}

function inflateAndDiscard(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: ZipLimits['maxInflatedBytes']) {
  return new Promise<void>((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(toNotAZip(error));
      stream.on('data', () => {});
      stream.once('end', () => resolve());
      stream.once('error', (e: Error) =>
        reject(
          /too many bytes/i.test(e.message)
            ? new XlsxTooLargeError(
                `${entry.fileName} inflates to more than the ${entry.uncompressedSize} bytes it declares; at most ${limit.value} bytes are accepted in all (${limit.setting})`,
                limit.setting,
                limit.value,
              )
            : toNotAZip(e),
        ),
      );
    });
  });
}
