/** Object storage of documents (docs/storage.md): the file-store port, its two adapters, stored files. */
import type { AppConfig } from '../../config/env.ts';
import type { Db } from '../db/client.ts';
import { DbFileStore } from './db-file-store.ts';
import { S3FileStore } from './s3-file-store.ts';
import { StoredFiles } from './stored-files.ts';

export { DbFileStore } from './db-file-store.ts';
export type { Bytes, FileStore } from './file-store.ts';
export { S3FileStore, type S3Settings } from './s3-file-store.ts';
export { storedFileListResponse, storedFileResponse } from './stored-files.schema.ts';
export * from './stored-files.ts';

type StorageSettings = Pick<
  AppConfig,
  | 'STORAGE'
  | 'S3_ENDPOINT'
  | 'S3_BUCKET'
  | 'S3_REGION'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
  | 'S3_FORCE_PATH_STYLE'
>;

/** The stored files of a process: new files go to STORAGE; files kept in the database stay readable. */
export function createStoredFiles(db: Db, s: StorageSettings): StoredFiles {
  const dbStore = new DbFileStore(db);
  if (s.STORAGE !== 's3' || !s.S3_BUCKET) return new StoredFiles(db, dbStore);
  const s3 = new S3FileStore({
    endpoint: s.S3_ENDPOINT,
    bucket: s.S3_BUCKET,
    region: s.S3_REGION,
    accessKeyId: s.S3_ACCESS_KEY_ID,
    secretAccessKey: s.S3_SECRET_ACCESS_KEY,
    forcePathStyle: s.S3_FORCE_PATH_STYLE,
  });
  return new StoredFiles(db, s3, { db: dbStore });
}
