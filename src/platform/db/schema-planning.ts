/**
 * Tables of the planning cycle: workflow history, templates and their
 * versions, scenarios, actuals (batches, rows, saved column mappings), FX rates and durable
 * job records. `tenant_id` leads every key; RLS is in `migrations/0003_planning_rls.sql`.
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
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { BUDGET_STATUSES, BUDGET_TYPES, JOB_STATUSES } from '../../shared/enums.ts';
import { baseColumns, tstz } from './columns.ts';

/** PostgreSQL bytea, read and written as a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const jobStatusEnum = pgEnum('bf_job_status', JOB_STATUSES);

/** Every workflow transition of a budget: who, when, from, to, why. Append-only. */
export const workflowEvents = pgTable(
  'budget_workflow_events',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    budgetId: uuid('budget_id').notNull(),
    // approval_workflow_id of the run (a new run starts at each submit).
    workflowId: varchar('workflow_id', { length: 255 }),
    action: varchar('action', { length: 30 }).notNull(),
    fromStatus: varchar('from_status', { length: 30, enum: BUDGET_STATUSES }).notNull(),
    toStatus: varchar('to_status', { length: 30, enum: BUDGET_STATUSES }).notNull(),
    actor: varchar('actor', { length: 255 }).notNull(),
    comment: varchar('comment', { length: 2000 }),
    occurredAt: tstz('occurred_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('workflow_events_budget_idx').on(t.tenantId, t.budgetId, t.occurredAt),
  ],
);

/** A budget template; its content lives in immutable versions. */
export const budgetTemplates = pgTable(
  'budget_templates',
  {
    ...baseColumns(),
    name: varchar('name', { length: 255 }).notNull(),
    description: varchar('description', { length: 2000 }),
    budgetType: varchar('budget_type', { length: 20, enum: BUDGET_TYPES }),
    currentVersion: integer('current_version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('budget_templates_name_uq')
      .on(t.tenantId, sql`lower(${t.name})`)
      .where(sql`NOT ${t.isDeleted}`),
  ],
);

/** One immutable version of a template: lines, spread methods and profiles as JSON. */
export const budgetTemplateVersions = pgTable(
  'budget_template_versions',
  {
    tenantId: uuid('tenant_id').notNull(),
    templateId: uuid('template_id').notNull(),
    version: integer('version').notNull(),
    content: jsonb('content').notNull(),
    comment: varchar('comment', { length: 2000 }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.templateId, t.version] }),
    foreignKey({
      columns: [t.tenantId, t.templateId],
      foreignColumns: [budgetTemplates.tenantId, budgetTemplates.id],
    }).onDelete('cascade'),
  ],
);

/** A named what-if on a budget: adjustments computed on read, never written to the budget. */
export const scenarios = pgTable(
  'scenarios',
  {
    ...baseColumns(),
    budgetId: uuid('budget_id').notNull(),
    name: varchar('name', { length: 255 }).notNull(),
    description: varchar('description', { length: 2000 }),
    adjustments: jsonb('adjustments').notNull().default([]),
    promotedBudgetId: uuid('promoted_budget_id'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('scenarios_budget_idx').on(t.tenantId, t.budgetId),
    uniqueIndex('scenarios_name_uq')
      .on(t.tenantId, t.budgetId, sql`lower(${t.name})`)
      .where(sql`NOT ${t.isDeleted}`),
  ],
);

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

/** Exchange rate for a month: 1 unit of from_currency = rate units of to_currency. */
export const fxRates = pgTable(
  'fx_rates',
  {
    tenantId: uuid('tenant_id').notNull(),
    period: date('period', { mode: 'string' }).notNull(),
    fromCurrency: varchar('from_currency', { length: 3 }).notNull(),
    toCurrency: varchar('to_currency', { length: 3 }).notNull(),
    rate: numeric('rate', { precision: 20, scale: 10 }).notNull(),
    source: varchar('source', { length: 100 }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.period, t.fromCurrency, t.toCurrency] }),
    check('fx_rates_rate_positive', sql`${t.rate} > 0`),
    check('fx_rates_period_first_day', sql`extract(day from ${t.period}) = 1`),
  ],
);

/** Durable record of a background job; the queue (BullMQ or in-process) only dispatches. */
export const jobs = pgTable(
  'jobs',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    type: varchar('type', { length: 50 }).notNull(),
    status: jobStatusEnum('status').notNull().default('queued'),
    progress: smallint('progress').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    payload: jsonb('payload').notNull().default({}),
    result: jsonb('result'),
    error: text('error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
    startedAt: tstz('started_at'),
    finishedAt: tstz('finished_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('jobs_status_idx').on(t.tenantId, t.status, t.createdAt),
    check('jobs_progress_range', sql`${t.progress} >= 0 AND ${t.progress} <= 100`),
  ],
);
