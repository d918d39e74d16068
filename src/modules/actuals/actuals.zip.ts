/** The XLSX zip check of actuals imports: limits from settings, and random access to staged uploads. */
import type { AppConfig } from '../../config/env.ts';
import type { Tx } from '../../platform/db/client.ts';
import type { RandomAccess, ZipLimits } from '../../platform/files/zip-limits.ts';
import { uploadChunk, uploadChunkSizes } from './actuals.repository.ts';

export type XlsxSettings = Pick<
  AppConfig,
  'XLSX_MAX_ENTRIES' | 'XLSX_MAX_INFLATED_BYTES' | 'XLSX_MAX_IN_MEMORY_BYTES'
>;

/** The defaults of src/config/env.ts, for callers without a config (tests, benches). */
export const DEFAULT_XLSX_SETTINGS: XlsxSettings = {
  XLSX_MAX_ENTRIES: 1_000,
  XLSX_MAX_INFLATED_BYTES: 256 * 1024 * 1024,
  XLSX_MAX_IN_MEMORY_BYTES: 32 * 1024 * 1024,
};

/** Limits for a streamed workbook: everything inflated is bounded; shared strings are held in memory. */
export function streamingZipLimits(s: XlsxSettings): ZipLimits {
  return {
    maxEntries: { value: s.XLSX_MAX_ENTRIES, setting: 'XLSX_MAX_ENTRIES' },
    maxInflatedBytes: { value: s.XLSX_MAX_INFLATED_BYTES, setting: 'XLSX_MAX_INFLATED_BYTES' },
    maxEntryBytes: {
      names: ['xl/sharedStrings.xml'],
      value: s.XLSX_MAX_IN_MEMORY_BYTES,
      setting: 'XLSX_MAX_IN_MEMORY_BYTES',
    },
  };
}

/** Random access to an upload staged in chunks, read inside the import's transaction. */
export async function stagedAccess(tx: Tx, uploadId: string): Promise<RandomAccess> {
  const sizes = await uploadChunkSizes(tx, uploadId);
  const starts: number[] = [];
  let size = 0;
  for (const s of sizes) {
    starts.push(size);
    size += s;
  }
  // The zip directory and local headers are small reads: keep the last chunk read.
  let cached: { seq: number; data: Buffer } | undefined;
  const chunk = async (seq: number) => {
    if (cached?.seq !== seq)
      cached = { seq, data: (await uploadChunk(tx, uploadId, seq)) ?? Buffer.alloc(0) };
    return cached.data;
  };
  return {
    size,
    async read(start, end) {
      const parts: Buffer[] = [];
      for (let seq = 0; seq < sizes.length; seq++) {
        const from = starts[seq]!;
        const to = from + sizes[seq]!;
        if (to <= start || from >= end) continue;
        const data = await chunk(seq);
        parts.push(data.subarray(Math.max(0, start - from), Math.min(data.length, end - from)));
      }
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    },
  };
}
