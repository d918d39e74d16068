/**
 * A real S3-compatible server for tests: s3rver (npm, a dev dependency) on a random port with its
 * own directory and bucket. It speaks the S3 REST protocol (SigV4, path-style, multipart), so the
 * AWS SDK talks to it as to any S3 endpoint; nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** Settings for S3FileStore / the STORAGE=s3 environment. */
  settings: {
    endpoint: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: true;
  };
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts s3rver on a random port with one empty bucket. */
export async function startS3(bucket = 'bf-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'bf-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  // s3rver accepts its documented default key pair (S3RVER / S3RVER) and checks the signature.
  const settings = {
    endpoint,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true as const,
  };
  return {
    endpoint,
    bucket,
    settings,
    env: {
      STORAGE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
