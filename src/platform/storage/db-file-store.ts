/**
 * The database adapter of the file store (STORAGE=db): bytes in `stored_file_chunks`, about
 * 1 MiB a row, each chunk written and read in its own short tenant transaction (a slow client
 * must not hold one open; PGlite has one connection), under the same RLS as every tenant table.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { storedFileChunks } from '../db/schema.ts';
import { withTenant } from '../tenancy/tenancy.ts';
import {
  assertTenantKey,
  type Bytes,
  type FileStore,
  rechunk,
  StoredBytesMissingError,
} from './file-store.ts';

const CHUNK_BYTES = 1024 * 1024;

/** A file store in PostgreSQL / PGlite. */
export class DbFileStore implements FileStore {
  readonly kind = 'db' as const;
  constructor(private readonly db: Db) {}

  async put(tenantId: string, key: string, body: Bytes): Promise<void> {
    assertTenantKey(tenantId, key);
    await this.delete(tenantId, key);
    let seq = 0;
    try {
      for await (const data of rechunk(body, CHUNK_BYTES)) {
        const n = seq++;
        await withTenant(this.db, tenantId, (tx) =>
          tx.insert(storedFileChunks).values({ tenantId, storageKey: key, seq: n, data }),
        );
      }
      // An empty file still has one (empty) chunk: "no chunk" means "no file".
      if (seq === 0)
        await withTenant(this.db, tenantId, (tx) =>
          tx.insert(storedFileChunks).values({ tenantId, storageKey: key, seq: 0, data: Buffer.alloc(0) }),
        );
    } catch (error) {
      await this.delete(tenantId, key).catch(() => {});
      throw error;
    }
  }

  async *get(tenantId: string, key: string): AsyncGenerator<Buffer> {
    assertTenantKey(tenantId, key);
    for (let seq = 0; ; seq++) {
      const [row] = await withTenant(this.db, tenantId, (tx) =>
        tx
          .select({ data: storedFileChunks.data })
          .from(storedFileChunks)
          .where(and(eq(storedFileChunks.storageKey, key), eq(storedFileChunks.seq, seq))),
      );
      if (!row) {
        if (seq === 0) throw new StoredBytesMissingError(key);
        return;
      }
      if (row.data.length > 0) yield row.data;
    }
  }

  async delete(tenantId: string, key: string): Promise<void> {
    assertTenantKey(tenantId, key);
    await withTenant(this.db, tenantId, (tx) =>
      tx.delete(storedFileChunks).where(sql`${storedFileChunks.storageKey} = ${key}`),
    );
  }

  async close(): Promise<void> {}
}
