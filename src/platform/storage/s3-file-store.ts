/**
 * The S3 adapter of the file store (STORAGE=s3): any S3-compatible endpoint (AWS S3, MinIO,
 * Ceph, s3rver in the tests) through @aws-sdk/client-s3. A file up to one part (8 MiB) is one
 * PutObject; a larger one is a multipart upload streamed part by part (never held whole), and
 * aborted when the source fails. Bucket and credentials come from the settings; without keys the
 * SDK's default chain applies (environment, instance role).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  assertTenantKey,
  type Bytes,
  type FileStore,
  rechunk,
  StoredBytesMissingError,
} from './file-store.ts';

/** Parts of a multipart upload (S3 wants at least 5 MiB for every part but the last). */
const PART_BYTES = 8 * 1024 * 1024;

export interface S3Settings {
  endpoint?: string | undefined;
  bucket: string;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle: boolean;
}

/** A file store in an S3 bucket. */
export class S3FileStore implements FileStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(s: S3Settings) {
    this.bucket = s.bucket;
    this.client = new S3Client({
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      ...(s.accessKeyId && s.secretAccessKey
        ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
        : {}),
    });
  }

  async put(tenantId: string, key: string, body: Bytes, contentType: string): Promise<void> {
    assertTenantKey(tenantId, key);
    const parts = rechunk(body, PART_BYTES)[Symbol.asyncIterator]();
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (second.done) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: first.done ? Buffer.alloc(0) : first.value,
          ContentType: contentType,
        }),
      );
      return;
    }
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    const done: { ETag: string; PartNumber: number }[] = [];
    try {
      const upload = async (data: Buffer) => {
        const PartNumber = done.length + 1;
        const out = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId, PartNumber, Body: data }),
        );
        done.push({ ETag: out.ETag ?? '', PartNumber });
      };
      await upload(first.value as Buffer);
      await upload(second.value);
      for (let next = await parts.next(); !next.done; next = await parts.next()) await upload(next.value);
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: done },
        }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId }))
        .catch(() => {});
      throw error;
    }
  }

  async *get(tenantId: string, key: string): AsyncGenerator<Buffer> {
    assertTenantKey(tenantId, key);
    let body: AsyncIterable<Uint8Array>;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      body = out.Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey')
        throw new StoredBytesMissingError(key);
      throw error;
    }
    for await (const chunk of body) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }

  async delete(tenantId: string, key: string): Promise<void> {
    assertTenantKey(tenantId, key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
