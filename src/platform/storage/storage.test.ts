/**
 * Stored files on both adapters: the database (PGlite and PostgreSQL) and S3 against a real
 * S3-compatible server (s3rver from npm, random port). Round trips small, empty and multipart-size
 * files with their sha256; a staged file whose change rolls back leaves no row; and another
 * tenant cannot read a file by id (404 through RLS), by list, or by the key (tenant prefix guard).
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { startS3, type TestS3 } from '../../../test/helpers/s3-server.ts';
import { queryRows } from '../db/client.ts';
import { NotFoundError } from '../http/errors.ts';
import { tenantIdFromKey, withTenant } from '../tenancy/tenancy.ts';
import { DbFileStore } from './db-file-store.ts';
import type { FileStore } from './file-store.ts';
import { S3FileStore } from './s3-file-store.ts';
import { StoredFiles } from './stored-files.ts';

type Adapter = 'db' | 's3';
const cases: [string, Adapter][] = [
  ...backends().map((b): [string, Adapter] => [b, 'db']),
  [backends()[0]!, 's3'],
];

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
async function collect(it: AsyncIterable<Buffer>) {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}
/** A big buffer handed over in 64 KiB pieces, as a request body arrives. */
function* pieces(b: Buffer, size = 64 * 1024) {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe.each(cases)('stored files on %s with the %s adapter', (backend, adapter) => {
  let t: TestDatabase;
  let s3: TestS3 | undefined;
  let store: FileStore;
  let files: StoredFiles;
  const a = { tenantId: tenantIdFromKey(`files-a-${adapter}-${backend}`), userId: 'u-a' };
  const b = { tenantId: tenantIdFromKey(`files-b-${adapter}-${backend}`), userId: 'u-b' };
  const csv = { kind: 'actuals_upload', name: 'ledger.csv', contentType: 'text/csv' };

  beforeAll(async () => {
    t = await createTestDatabase(backend as never);
    if (adapter === 's3') {
      s3 = await startS3();
      store = new S3FileStore(s3.settings);
    } else store = new DbFileStore(t.database.db);
    files = new StoredFiles(t.database.db, store);
  }, 60_000);
  afterAll(async () => {
    await files?.close();
    await s3?.close();
    await t?.drop();
  });

  it('keeps a file with its size and sha256 and gives the same bytes back', async () => {
    const bytes = Buffer.from('period,gl_account_id,amount,currency\n2025-01,6000,12.50,USD\n');
    const row = await files.save(a, csv, [bytes], {
      type: 'actual_batch',
      id: '0190f0f0-0000-7000-8000-0000000000aa',
    });
    expect(row).toMatchObject({
      size: bytes.length,
      sha256: sha(bytes),
      storage: adapter,
      name: 'ledger.csv',
    });
    expect(row.storageKey).toBe(`tenants/${a.tenantId}/actuals_upload/${row.id}`);
    expect(await collect(await files.open(await files.get(a, row.id)))).toEqual(bytes);
  });

  it('keeps an empty file', async () => {
    const row = await files.save(a, { ...csv, name: 'empty.csv' }, []);
    expect(row).toMatchObject({ size: 0, sha256: sha(Buffer.alloc(0)) });
    expect((await files.readAll(row)).length).toBe(0);
  });

  // S3: three parts of a multipart upload; the database: four 1 MiB chunks (PGlite is slow at bytea).
  const bigMiB = adapter === 's3' ? 17 : 3;
  it(`streams a ${bigMiB} MiB file through (several chunks / a multipart upload) intact`, async () => {
    const big = randomBytes(bigMiB * 1024 * 1024 + 123);
    const row = await files.save(
      a,
      { ...csv, name: 'big.bin', contentType: 'application/octet-stream' },
      pieces(big),
    );
    expect(row.size).toBe(big.length);
    const back = await files.readAll(await files.get(a, row.id));
    expect(back.length).toBe(big.length);
    expect(sha(back)).toBe(sha(big));
    if (adapter === 's3') {
      // The object really is in the bucket, under the tenant's prefix, and is the whole file.
      const client = new S3Client({
        ...s3!.settings,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      const out = await client.send(new GetObjectCommand({ Bucket: s3!.bucket, Key: row.storageKey }));
      expect(Number(out.ContentLength)).toBe(big.length);
      await (out.Body as { destroy?: () => void }).destroy?.();
      const list = await client.send(
        new ListObjectsV2Command({ Bucket: s3!.bucket, Prefix: `tenants/${a.tenantId}/` }),
      );
      expect(list.Contents?.map((c) => c.Key)).toContain(row.storageKey);
      client.destroy();
    } else {
      const [n] = await withTenant(t.database.db, a.tenantId, (tx) =>
        queryRows<{ n: number }>(
          tx,
          sql`SELECT count(*)::int n FROM stored_file_chunks WHERE storage_key = ${row.storageKey}`,
        ),
      );
      expect(n!.n).toBe(bigMiB + 1);
    }
  }, 60_000);

  it('records a staged file only with the change it belongs to: a rollback leaves no row, and discard removes the bytes', async () => {
    const staged = await files.stage(a, csv, [Buffer.from('x')]);
    await expect(
      withTenant(t.database.db, a.tenantId, async (tx) => {
        await files.record(tx, a, staged);
        throw new Error('the import failed');
      }),
    ).rejects.toThrow('the import failed');
    await expect(files.get(a, staged.id)).rejects.toBeInstanceOf(NotFoundError);
    await files.discard(a, staged);
    await expect(collect(store.get(a.tenantId, staged.key))).rejects.toThrow(/missing/);
  });

  it("answers 404 for another tenant's file id, hides it from their list, and refuses its key", async () => {
    const secret = Buffer.from('tenant A only');
    const row = await files.save(a, { ...csv, name: 'secret.csv' }, [secret]);
    const attempt = files.get(b, row.id);
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(files.get(b, row.id)).rejects.toMatchObject({ status: 404 });
    expect((await files.list(b, {}, 100)).items).toEqual([]);
    expect((await files.list(a, {}, 100)).items.map((f) => f.id)).toContain(row.id);
    // Even with the key in hand, the store refuses a key outside the caller's tenant prefix.
    await expect(collect(store.get(b.tenantId, row.storageKey))).rejects.toThrow(/not under tenant/);
    if (adapter === 'db') {
      // RLS on the chunk table itself: tenant B's transaction sees none of A's bytes.
      const [n] = await withTenant(t.database.db, b.tenantId, (tx) =>
        queryRows<{ n: number }>(tx, sql`SELECT count(*)::int n FROM stored_file_chunks`),
      );
      expect(n!.n).toBe(0);
    }
  });

  it('answers 410 when the row names bytes the store no longer has', async () => {
    const row = await files.save(a, csv, [Buffer.from('gone')]);
    await store.delete(a.tenantId, row.storageKey);
    await expect(files.open(row)).rejects.toMatchObject({ status: 410, code: 'stored_bytes_missing' });
  });
});
