/**
 * Zip entries read with yauzl from the central directory over random access (a buffer, a file,
 * an upload staged in chunks). Used by the zip-bomb guard and by the XLSX row reader: a reader
 * that walks local headers in stream order (unzipper, under ExcelJS' WorkbookReader) can end its
 * entry stream before the last entry is emitted, and then silently misses e.g. `xl/workbook.xml`.
 */
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** Bytes that can be read at any offset: a buffer, a file, an upload staged in chunks. */
export interface RandomAccess {
  size: number;
  read(start: number, end: number): Promise<Buffer>;
}

// In windows: an entry's compressed data may be hundreds of MiB.
const WINDOW = 1024 * 1024;

class Reader extends yauzl.RandomAccessReader {
  constructor(private readonly source: RandomAccess) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    const source = this.source;
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; at += WINDOW) yield await source.read(at, Math.min(end, at + WINDOW));
      })(),
    );
  }
}

/** Opens the zip's central directory (entries are then read with `readEntries`). Throws on a non-zip. */
export function openZip(source: RandomAccess): Promise<yauzl.ZipFile> {
  return yauzl.fromRandomAccessReaderPromise(new Reader(source), source.size, {
    lazyEntries: true,
    autoClose: false,
    validateEntrySizes: true,
    decodeStrings: true,
  });
}

/** Every entry of the central directory, in its order. */
export function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(out));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/** The inflated bytes of one entry, as a stream. */
export function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream)));
  });
}
