import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { zipOf } from '../../../test/helpers/xlsx-bomb.ts';
import { bufferAccess } from '../../platform/files/zip-limits.ts';
import { openEntry, openZip, readEntries } from '../../platform/files/zip-reader.ts';
import { type SourceInfo, UnreadableFileError, xlsxRows } from './imports.readers.ts';
import { mappingSchema } from './imports.schema.ts';

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const first = wb.addWorksheet('GL');
  first.addRow(['period', 'amount']);
  first.addRow(['2026-01', 5]);
  const second = wb.addWorksheet('Notes');
  second.addRow(['note']);
  second.addRow(['shared string']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same zip with its entries in another order (Excel's own files differ from ExcelJS' order). */
async function reordered(xlsx: Buffer, order: (names: string[]) => string[]): Promise<Buffer> {
  const zip = await openZip(bufferAccess(xlsx));
  const entries = await readEntries(zip);
  const contents = new Map<string, Buffer>();
  for (const e of entries) {
    const chunks: Buffer[] = [];
    for await (const c of await openEntry(zip, e)) chunks.push(c as Buffer);
    contents.set(e.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return zipOf(order([...contents.keys()]).map((name) => [name, contents.get(name)!]));
}

async function read(xlsx: Buffer, sheet?: string | number) {
  const info: SourceInfo = { format: 'xlsx' };
  const rows: unknown[][] = [];
  for await (const r of xlsxRows(
    bufferAccess(xlsx),
    mappingSchema.parse(sheet === undefined ? {} : { sheet }),
    info,
  ))
    rows.push(r.cells);
  return { rows, sheet: info.sheet };
}

describe('XLSX rows read through the zip directory', () => {
  it('reads the first tab whether xl/workbook.xml comes last (ExcelJS), first or in between', async () => {
    const xlsx = await workbook();
    const expected = {
      rows: [
        ['period', 'amount'],
        ['2026-01', 5],
      ],
      sheet: 'GL',
    };
    expect(await read(xlsx)).toEqual(expected);
    const workbookFirst = await reordered(xlsx, (n) => [
      ...n.filter((x) => !x.includes('worksheets/sheet')),
      ...n.filter((x) => x.includes('worksheets/sheet')).reverse(),
    ]);
    expect(await read(workbookFirst)).toEqual(expected);
    expect(await read(await reordered(xlsx, (n) => [...n].reverse()))).toEqual(expected);
  });

  it('finds a sheet by name or by 1-based tab position, with shared strings', async () => {
    const xlsx = await workbook();
    expect(await read(xlsx, 'notes')).toEqual({ rows: [['note'], ['shared string']], sheet: 'Notes' });
    expect((await read(xlsx, 2)).sheet).toBe('Notes');
  });

  it('a missing sheet and a zip without a workbook are unreadable files, not crashes', async () => {
    const xlsx = await workbook();
    await expect(read(xlsx, 'Budget')).rejects.toThrow(/no worksheet "Budget"/);
    await expect(read(xlsx, 3)).rejects.toThrow(UnreadableFileError);
    const noBook = await reordered(xlsx, (n) => n.filter((x) => x !== 'xl/workbook.xml'));
    await expect(read(noBook)).rejects.toThrow(/not a readable XLSX workbook: it has no xl\/workbook.xml/);
    await expect(read(Buffer.from('period,amount\n'))).rejects.toThrow(UnreadableFileError);
  });

  it('the same workbook read 300 times never loses an entry (the stream reader it replaces did, under load)', async () => {
    const xlsx = await workbook();
    const results = await Promise.all(Array.from({ length: 300 }, () => read(xlsx)));
    expect(results.every((r) => r.sheet === 'GL' && r.rows.length === 2)).toBe(true);
  });
});
