/**
 * Stored documents: bytes in the configured file store (file-store.ts), one metadata row each
 * in `stored_files` (id, tenant, kind, name, size, sha256, content type, storage, key, what it
 * belongs to). Every read starts from the metadata row inside a tenant transaction, so RLS
 * decides: another tenant's file id is not found (404), whatever the store. A write stages the
 * bytes first, then the caller records the row in the transaction of the change the file belongs
 * to (the import of a batch); a failed change discards the bytes. docs/storage.md.
 */

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { type Db, type Queryable, queryRows, type Tx } from '../db/client.ts';
import { storedFiles } from '../db/schema.ts';
import { AppError, NotFoundError } from '../http/errors.ts';
import { decodeCursor, pageOf } from '../http/pagination.ts';
import { type TenantContext, withTenant } from '../tenancy/tenancy.ts';
import { type Bytes, type FileStore, StoredBytesMissingError, storageKey } from './file-store.ts';

export type StoredFileRow = typeof storedFiles.$inferSelect;
type Ctx = Pick<TenantContext, 'tenantId' | 'userId'>;

/** What a document is called and what it is. */
export interface FileInput {
  kind: string;
  name: string;
  contentType: string;
}

/** Bytes written to the store, not yet recorded. */
export interface StagedFile extends FileInput {
  id: string;
  key: string;
  storage: 'db' | 's3';
  size: number;
  sha256: string;
}

/** What a stored file belongs to. */
export interface FileRef {
  type: string;
  id: string;
}

/** Stored files of every tenant: writes through the configured store, reads from the row's own. */
export class StoredFiles {
  constructor(
    private readonly db: Db,
    /** Where new files are written (STORAGE). */
    readonly store: FileStore,
    /** Stores files written earlier may be in (a switch of STORAGE keeps old files readable). */
    private readonly readers: Partial<Record<'db' | 's3', FileStore>> = {},
  ) {}

  /** Streams the bytes into the store, counting and hashing them on the way. */
  async stage(ctx: Ctx, input: FileInput, body: Bytes): Promise<StagedFile> {
    const id = uuidv7();
    const key = storageKey(ctx.tenantId, input.kind, id);
    const hash = createHash('sha256');
    let size = 0;
    async function* hashed() {
      for await (const chunk of body) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    }
    await this.store.put(ctx.tenantId, key, hashed(), input.contentType);
    return { ...input, id, key, storage: this.store.kind, size, sha256: hash.digest('hex') };
  }

  /**
   * With the database store: copies chunks already in a table of the caller's transaction
   * (`source` selects `seq, data` in order) into the store and records the file, without moving
   * the bytes through this process. Undefined with another store (then stage() the bytes).
   */
  async adoptChunks(
    tx: Tx,
    ctx: Ctx,
    input: FileInput,
    source: SQL,
    ref?: FileRef,
  ): Promise<StoredFileRow | undefined> {
    if (this.store.kind !== 'db') return undefined;
    const id = uuidv7();
    const key = storageKey(ctx.tenantId, input.kind, id);
    await tx.execute(sql`INSERT INTO stored_file_chunks (tenant_id, storage_key, seq, data)
      SELECT ${ctx.tenantId}::uuid, ${key}, s.seq, s.data FROM (${source}) s`);
    const [sum] = await queryRows<{ size: string | number; sha256: string | null }>(
      tx,
      sql`SELECT coalesce(sum(length(data)), 0) AS size,
                 encode(sha256(coalesce(string_agg(data, ''::bytea ORDER BY seq), ''::bytea)), 'hex') AS sha256
          FROM stored_file_chunks WHERE storage_key = ${key}`,
    );
    const staged: StagedFile = {
      ...input,
      id,
      key,
      storage: 'db',
      size: Number(sum!.size),
      sha256: sum!.sha256!,
    };
    return this.record(tx, ctx, staged, ref);
  }

  /** Records staged bytes inside the caller's tenant transaction. */
  async record(tx: Tx, ctx: Ctx, file: StagedFile, ref?: FileRef): Promise<StoredFileRow> {
    const [row] = await tx
      .insert(storedFiles)
      .values({
        tenantId: ctx.tenantId,
        id: file.id,
        kind: file.kind,
        name: file.name,
        contentType: file.contentType,
        size: file.size,
        sha256: file.sha256,
        storage: file.storage,
        storageKey: file.key,
        refType: ref?.type ?? null,
        refId: ref?.id ?? null,
        createdBy: ctx.userId,
      })
      .returning();
    return row!;
  }

  /** Another row for bytes already stored (a re-import keeps the one upload under its new batch). */
  async link(tx: Tx, ctx: Ctx, from: StoredFileRow, ref: FileRef): Promise<StoredFileRow> {
    const staged: StagedFile = {
      id: uuidv7(),
      key: from.storageKey,
      kind: from.kind,
      name: from.name,
      contentType: from.contentType,
      storage: from.storage as 'db' | 's3',
      size: from.size,
      sha256: from.sha256,
    };
    return this.record(tx, ctx, staged, ref);
  }

  /** Removes staged bytes whose change failed (best effort: an orphan costs space, not correctness). */
  async discard(ctx: Ctx, file: StagedFile): Promise<void> {
    await this.store.delete(ctx.tenantId, file.key).catch(() => {});
  }

  /** Stages and records in one go (a document that belongs to no other write). */
  async save(ctx: Ctx, input: FileInput, body: Bytes, ref?: FileRef): Promise<StoredFileRow> {
    const staged = await this.stage(ctx, input, body);
    try {
      return await withTenant(this.db, ctx.tenantId, (tx) => this.record(tx, ctx, staged, ref));
    } catch (error) {
      await this.discard(ctx, staged);
      throw error;
    }
  }

  /** One file's row, under RLS: 404 for an unknown id or another tenant's. */
  async get(ctx: Ctx, id: string, path = 'params.file_id'): Promise<StoredFileRow> {
    const row = await withTenant(this.db, ctx.tenantId, (tx) => findFile(tx, id));
    if (!row) throw new NotFoundError('File', id, path);
    return row;
  }

  /** Files of a kind and/or of what they belong to, newest first. */
  async list(ctx: Ctx, filter: { kind?: string; refId?: string }, limit: number, cursor?: string) {
    const after = decodeCursor(cursor);
    const where: SQL[] = [];
    if (filter.kind) where.push(eq(storedFiles.kind, filter.kind));
    if (filter.refId) where.push(eq(storedFiles.refId, filter.refId));
    if (after) where.push(lt(storedFiles.id, after));
    const rows = await withTenant(this.db, ctx.tenantId, (tx) =>
      tx
        .select()
        .from(storedFiles)
        .where(and(...where))
        .orderBy(desc(storedFiles.id))
        .limit(limit + 1),
    );
    return pageOf(rows, limit);
  }

  /**
   * The bytes of a file whose row the caller has read (so RLS has allowed it). The first chunk is
   * read before this returns: a missing object answers 410 before any header is sent.
   */
  async open(row: StoredFileRow): Promise<AsyncIterable<Buffer>> {
    const store = row.storage === this.store.kind ? this.store : this.readers[row.storage as 'db' | 's3'];
    if (!store)
      throw new AppError(
        410,
        'storage_unavailable',
        `file ${row.id} is in ${row.storage} storage, not configured`,
      );
    const it = store.get(row.tenantId, row.storageKey)[Symbol.asyncIterator]();
    let first: IteratorResult<Buffer>;
    try {
      first = await it.next();
    } catch (error) {
      if (!(error instanceof StoredBytesMissingError)) throw error;
      throw new AppError(410, 'stored_bytes_missing', `the bytes of file ${row.id} are no longer in storage`);
    }
    return (async function* () {
      if (!first.done) yield first.value;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    })();
  }

  /** The whole file in memory (small files: re-import inline). */
  async readAll(row: StoredFileRow): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of await this.open(row)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    await this.store.close();
    for (const r of Object.values(this.readers)) if (r !== this.store) await r?.close();
  }
}

/** One file row (RLS applies: run inside withTenant). */
export function findFile(tx: Queryable, id: string): Promise<StoredFileRow | undefined> {
  return tx
    .select()
    .from(storedFiles)
    .where(eq(storedFiles.id, id))
    .then((rows) => rows[0]);
}

/** The newest file of a kind that belongs to `refId` (RLS applies). */
export function findFileOf(tx: Queryable, kind: string, refId: string): Promise<StoredFileRow | undefined> {
  return tx
    .select()
    .from(storedFiles)
    .where(and(eq(storedFiles.kind, kind), eq(storedFiles.refId, refId)))
    .orderBy(desc(storedFiles.id))
    .limit(1)
    .then((rows) => rows[0]);
}

/** The wire shape of a stored file's metadata. */
export function presentFile(f: StoredFileRow) {
  return {
    file_id: f.id,
    kind: f.kind,
    name: f.name,
    content_type: f.contentType,
    size: f.size,
    sha256: f.sha256,
    storage: f.storage as 'db' | 's3',
    ref_type: f.refType,
    ref_id: f.refId,
    created_at: f.createdAt.toISOString(),
    created_by: f.createdBy,
  };
}

/**
 * Sends a stored file's bytes as a download: its type and size, its SHA-256 as ETag and
 * x-content-sha256, and its name (ASCII fallback plus the UTF-8 form).
 */
export function sendStoredFile(reply: FastifyReply, row: StoredFileRow, body: AsyncIterable<Buffer>) {
  const ascii = row.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return reply
    .type(row.contentType)
    .header('content-length', String(row.size))
    .header('etag', `"${row.sha256}"`)
    .header('x-content-sha256', row.sha256)
    .header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(row.name)}`,
    )
    .send(Readable.from(body) as never);
}
