/**
 * Stored files (src/platform/storage, docs/storage.md): one metadata row per kept document
 * (uploaded actuals files, exported workbooks) and, for the database adapter (STORAGE=db), the
 * bytes in chunks. Reading a file always goes through its metadata row under RLS, whatever the
 * adapter: another tenant's id finds nothing. RLS and grants: migrations/0019_stored_files.sql.
 */
import {
  bigint,
  char,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';

/** PostgreSQL bytea, read and written as a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const storedFiles = pgTable(
  'stored_files',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    // What the document is: actuals_upload, budget_workbook, variance_workbook.
    kind: varchar('kind', { length: 50 }).notNull(),
    name: varchar('name', { length: 255 }).notNull(),
    contentType: varchar('content_type', { length: 255 }).notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: char('sha256', { length: 64 }).notNull(),
    // Which adapter holds the bytes (db or s3) and under which tenant-prefixed key.
    storage: varchar('storage', { length: 10 }).notNull(),
    storageKey: varchar('storage_key', { length: 1024 }).notNull(),
    // What the file belongs to (an actuals batch, a budget), when anything.
    refType: varchar('ref_type', { length: 50 }),
    refId: uuid('ref_id'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('stored_files_ref_idx').on(t.tenantId, t.refId, t.id),
    index('stored_files_kind_idx').on(t.tenantId, t.kind, t.id),
  ],
);

/** The bytes of files kept by the database adapter, in chunks of about 1 MiB. */
export const storedFileChunks = pgTable(
  'stored_file_chunks',
  {
    tenantId: uuid('tenant_id').notNull(),
    storageKey: varchar('storage_key', { length: 1024 }).notNull(),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.storageKey, t.seq] })],
);
