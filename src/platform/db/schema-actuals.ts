/**
 * General-ledger actuals: imported batches, their rows, uploaded files waiting for their job,
 * saved column mappings. `tenant_id` leads every key; RLS is in `migrations/0003_planning_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  customType,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';

/** PostgreSQL bytea, read and written as a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** One imported file of general-ledger actuals; re-importing the same batch_key replaces it. */
export const actualBatches = pgTable(
  'actual_batches',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    batchKey: varchar('batch_key', { length: 255 }).notNull(),
    fileName: varchar('file_name', { length: 255 }),
    format: varchar('format', { length: 10 }).notNull(),
    rowCount: integer('row_count').notNull().default(0),
    mapping: jsonb('mapping'),
    report: jsonb('report'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('actual_batches_key_uq').on(t.tenantId, t.batchKey),
  ],
);

/** General-ledger actuals, one row per imported row; amounts are signed. */
export const actuals = pgTable(
  'actuals',
  {
    tenantId: uuid('tenant_id').notNull(),
    batchId: uuid('batch_id').notNull(),
    rowNumber: integer('row_number').notNull(),
    // First day of the month the amount belongs to.
    period: date('period', { mode: 'string' }).notNull(),
    glAccountId: varchar('gl_account_id', { length: 255 }),
    departmentId: varchar('department_id', { length: 255 }),
    costCenterId: varchar('cost_center_id', { length: 255 }),
    category: varchar('category', { length: 100 }),
    amount: numeric('amount', { precision: 15, scale: 2 }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull(),
    description: varchar('description', { length: 1000 }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.batchId, t.rowNumber] }),
    foreignKey({
      columns: [t.tenantId, t.batchId],
      foreignColumns: [actualBatches.tenantId, actualBatches.id],
    }).onDelete('cascade'),
    index('actuals_period_gl_idx').on(t.tenantId, t.period, t.glAccountId),
    index('actuals_period_dept_idx').on(t.tenantId, t.period, t.departmentId),
    check('actuals_amount_range', sql`abs(${t.amount}) <= 999999999999.99`),
    check('actuals_period_first_day', sql`extract(day from ${t.period}) = 1`),
  ],
);

/** Bytes of an uploaded actuals file waiting for its import job (any worker process can read them). */
export const actualUploads = pgTable(
  'actual_uploads',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id, t.seq] })],
);

/** A saved column mapping for a ledger export layout, reusable across imports. */
export const importMappings = pgTable(
  'import_mappings',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    name: varchar('name', { length: 255 }).notNull(),
    mapping: jsonb('mapping').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
    updatedAt: tstz('updated_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('import_mappings_name_uq').on(t.tenantId, sql`lower(${t.name})`),
  ],
);
