import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { xlsxBomb } from '../../../test/helpers/xlsx-bomb.ts';
import { bufferAccess, checkZip, NotAZipError, XlsxTooLargeError, type ZipLimits } from './zip-limits.ts';

const MB = 1024 * 1024;
const limits = (inflated: number, entries = 1000, entry?: ZipLimits['maxEntryBytes']): ZipLimits => ({
  maxEntries: { value: entries, setting: 'XLSX_MAX_ENTRIES' },
  maxInflatedBytes: { value: inflated, setting: 'XLSX_MAX_INFLATED_BYTES' },
  ...(entry ? { maxEntryBytes: entry } : {}),
});

/** Rewrites the central directory's uncompressed size of the entry named like `name`. */
function lieAboutSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = out.length - 22; i >= 0; i--) {
    if (out.readUInt32LE(i) !== 0x02014b50) continue;
    if (!out.toString('latin1', i + 46, i + 46 + out.readUInt16LE(i + 28)).includes(name)) continue;
    out.writeUInt32LE(size, i + 24);
    return out;
  }
  throw new Error(`no entry ${name}`);
}

describe('XLSX zip limits', () => {
  it('accepts a real workbook within the limits', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Lines').addRows([['line_name'], ['Salaries']]);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    await expect(checkZip(bufferAccess(bytes), limits(MB))).resolves.toBeUndefined();
  });

  it('refuses a workbook that declares more inflated bytes than the limit, naming the setting', async () => {
    const bomb = await xlsxBomb(40 * MB);
    expect(bomb.length).toBeLessThan(MB);
    const error = await checkZip(bufferAccess(bomb), limits(16 * MB)).catch((e) => e);
    expect(error).toBeInstanceOf(XlsxTooLargeError);
    expect(error).toMatchObject({
      status: 413,
      code: 'xlsx_too_large',
      extra: { limit: 'XLSX_MAX_INFLATED_BYTES' },
    });
    expect(error.message).toMatch(/XLSX_MAX_INFLATED_BYTES/);
  });

  it('refuses an entry that inflates past the size it declares', async () => {
    const liar = lieAboutSize(await xlsxBomb(8 * MB), 'sheet1', 1000);
    const error = await checkZip(bufferAccess(liar), limits(64 * MB)).catch((e) => e);
    expect(error).toBeInstanceOf(XlsxTooLargeError);
    expect(error.message).toMatch(/more than the 1000 bytes it declares/);
  });

  it('refuses too many entries, and a named entry over its own limit', async () => {
    const many = await xlsxBomb(1024, 20);
    await expect(checkZip(bufferAccess(many), limits(MB, 10))).rejects.toMatchObject({
      extra: { limit: 'XLSX_MAX_ENTRIES' },
    });
    const strings = { names: ['xl/worksheets/sheet1.xml'], value: 1024, setting: 'XLSX_MAX_IN_MEMORY_BYTES' };
    await expect(
      checkZip(bufferAccess(await xlsxBomb(4096)), limits(MB, 1000, strings)),
    ).rejects.toMatchObject({
      extra: { limit: 'XLSX_MAX_IN_MEMORY_BYTES' },
    });
  });

  it('refuses bytes hidden between entries and what is not a zip', async () => {
    const zip = await xlsxBomb(1024);
    // 4 KiB of junk before the first entry: every offset in the directory is now off.
    const shifted = Buffer.concat([Buffer.alloc(4096, 0x50), zip]);
    await expect(checkZip(bufferAccess(shifted), limits(MB))).rejects.toBeInstanceOf(NotAZipError);
    await expect(checkZip(bufferAccess(Buffer.from('a,b\n1,2\n')), limits(MB))).rejects.toBeInstanceOf(
      NotAZipError,
    );
  });
});
