/**
 * The file-store port: where the bytes of stored documents live. Two adapters: the database
 * (STORAGE=db, the embedded default: chunks in `stored_file_chunks` under RLS) and any
 * S3-compatible object store (STORAGE=s3, through @aws-sdk/client-s3). Keys are tenant-prefixed
 * (`tenants/<tenant id>/<kind>/<file id>`); who may read a key is decided by the metadata row
 * (stored-files.ts), never by the store. docs/storage.md.
 */

/** Bytes as the store takes them: chunks, in order. */
export type Bytes = AsyncIterable<Buffer> | Iterable<Buffer>;

export interface FileStore {
  /** db or s3: written into each metadata row, so a file is read from where it was written. */
  readonly kind: 'db' | 's3';
  /** Writes the bytes under `key` (replacing any there). */
  put(tenantId: string, key: string, body: Bytes, contentType: string): Promise<void>;
  /** The bytes under `key`, streamed; throws StoredBytesMissingError when there are none. */
  get(tenantId: string, key: string): AsyncIterable<Buffer>;
  /** Removes the bytes under `key` (nothing when absent). */
  delete(tenantId: string, key: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The metadata row names bytes the store does not have (deleted behind our back, or a half write). */
export class StoredBytesMissingError extends Error {
  override name = 'StoredBytesMissingError';
  constructor(key: string) {
    super(`stored bytes missing for key ${key}`);
  }
}

/** The tenant-prefixed key of a file. */
export function storageKey(tenantId: string, kind: string, fileId: string): string {
  return `tenants/${tenantId}/${kind}/${fileId}`;
}

/** Throws unless `key` lies under the tenant's prefix (a second guard behind RLS). */
export function assertTenantKey(tenantId: string, key: string): void {
  if (!key.startsWith(`tenants/${tenantId}/`)) throw new Error(`key ${key} is not under tenant ${tenantId}`);
}

/** Re-chunks a byte stream into pieces of at least `size` bytes (the last may be smaller). */
export async function* rechunk(body: Bytes, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= size) {
      yield Buffer.concat(parts);
      parts = [];
      n = 0;
    }
  }
  if (n > 0) yield Buffer.concat(parts);
}
