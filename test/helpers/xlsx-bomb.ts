/** Zip bombs for the XLSX limits: a sheet of many MB of repeated XML that deflates to almost nothing. */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';

// archiver (an exceljs dependency) streams entries through deflate; it ships no types.
interface Archive {
  on(event: 'data', fn: (b: Buffer) => void): void;
  on(event: 'end', fn: () => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  append(source: string | Buffer | Readable, options: { name: string }): void;
  finalize(): Promise<void>;
}
const archiver = createRequire(import.meta.url)('archiver') as (format: 'zip', o: object) => Archive;

/** A zip whose `xl/worksheets/sheet1.xml` inflates to `inflatedBytes` of repeated rows. */
export async function xlsxBomb(inflatedBytes: number, extraEntries = 0): Promise<Buffer> {
  const row = '<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>';
  const piece = row.repeat(Math.ceil((64 * 1024) / row.length));
  function* sheet() {
    yield '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
    for (let n = 0; n < inflatedBytes; n += piece.length) yield piece;
    yield '</sheetData></worksheet>';
  }
  const zip = archiver('zip', { zlib: { level: 9 } });
  const parts: Buffer[] = [];
  zip.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise<void>((resolve, reject) => {
    zip.on('end', () => resolve());
    zip.on('error', reject);
  });
  zip.append(
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    {
      name: '[Content_Types].xml',
    },
  );
  for (let i = 0; i < extraEntries; i++) zip.append('x', { name: `xl/media/image${i}.png` });
  zip.append(Readable.from(sheet()), { name: 'xl/worksheets/sheet1.xml' });
  await zip.finalize();
  await done;
  return Buffer.concat(parts);
}

/** A zip of the given entries, in the given order. */
export async function zipOf(entries: [name: string, content: Buffer | string][]): Promise<Buffer> {
  const zip = archiver('zip', {});
  const parts: Buffer[] = [];
  zip.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise<void>((resolve, reject) => {
    zip.on('end', () => resolve());
    zip.on('error', reject);
  });
  for (const [name, content] of entries) zip.append(content, { name });
  await zip.finalize();
  await done;
  return Buffer.concat(parts);
}
