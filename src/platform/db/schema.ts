/**
 * Drizzle schema of the core tables. `tenant_id` leads every primary key, foreign key and
 * index (fast under RLS, ready for Citus). Row-level security, roles and grants are in the
 * hand-written migration `migrations/0001_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  char,
  check,
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
import {
  ALLOCATION_METHODS,
  BUDGET_STATUSES,
  BUDGET_TYPES,
  LINE_TYPES,
  SPREAD_METHODS,
} from '../../shared/enums.ts';
import { baseColumns, tstz } from './columns.ts';

export const budgetTypeEnum = pgEnum('bf_budget_type', BUDGET_TYPES);
export const budgetStatusEnum = pgEnum('bf_budget_status', BUDGET_STATUSES);
export const lineTypeEnum = pgEnum('bf_line_type', LINE_TYPES);
export const spreadMethodEnum = pgEnum('bf_spread_method', SPREAD_METHODS);
export const allocationMethodEnum = pgEnum('bf_allocation_method', ALLOCATION_METHODS);

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey(),
  // The tenant's identifier as the auth service writes it in tokens (may be a UUID or a slug).
  externalKey: varchar('external_key', { length: 255 }).notNull().unique(),
  name: varchar('name', { length: 255 }).notNull(),
  settings: jsonb('settings').notNull().default({}),
  // Month (1-12) in which the tenant's fiscal year starts; periods of annual budgets follow it.
  fiscalYearStartMonth: smallint('fiscal_year_start_month').notNull().default(1),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    email: varchar('email', { length: 320 }).notNull(),
    displayName: varchar('display_name', { length: 255 }),
    passwordHash: text('password_hash').notNull(),
    roles: jsonb('roles').$type<string[]>().notNull().default([]),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('users_tenant_email_uq').on(t.tenantId, sql`lower(${t.email})`),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }),
  ],
);

export const budgets = pgTable(
  'budgets',
  {
    ...baseColumns(),
    budgetName: varchar('budget_name', { length: 255 }).notNull(),
    budgetType: budgetTypeEnum('budget_type').notNull(),
    fiscalYear: varchar('fiscal_year', { length: 4 }).notNull(),
    totalAmount: numeric('total_amount', { precision: 15, scale: 2 }).notNull(),
    baseCurrency: varchar('base_currency', { length: 3 }).notNull(),
    status: budgetStatusEnum('status').notNull().default('draft'),
    approvalWorkflowId: varchar('approval_workflow_id', { length: 255 }),
    approvedAt: tstz('approved_at'),
    approvedBy: varchar('approved_by', { length: 255 }),
    departmentId: varchar('department_id', { length: 255 }),
    costCenterId: varchar('cost_center_id', { length: 255 }),
    projectId: varchar('project_id', { length: 255 }),
    description: varchar('description', { length: 2000 }),
    notes: varchar('notes', { length: 5000 }),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    templateId: varchar('template_id', { length: 255 }),
    templateVersion: integer('template_version'),
    // First and last day covered; derived from the fiscal year for annual/quarterly/monthly budgets.
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }),
    uniqueIndex('budgets_name_year_uq')
      .on(t.tenantId, t.fiscalYear, sql`lower(${t.budgetName})`)
      .where(sql`NOT ${t.isDeleted}`),
    index('budgets_fiscal_year_idx').on(t.tenantId, t.fiscalYear),
    index('budgets_status_idx').on(t.tenantId, t.status),
    index('budgets_department_idx').on(t.tenantId, t.departmentId),
    check('budgets_total_amount_range', sql`${t.totalAmount} >= 0 AND ${t.totalAmount} <= 999999999999.99`),
    check('budgets_fiscal_year_format', sql`${t.fiscalYear} ~ '^[0-9]{4}$'`),
    check('budgets_currency_format', sql`${t.baseCurrency} ~ '^[A-Z]{3}$'`),
    check('budgets_name_length', sql`char_length(btrim(${t.budgetName})) >= 3`),
    check('budgets_approved_has_approver', sql`${t.status} <> 'approved' OR ${t.approvedBy} IS NOT NULL`),
    check('budgets_template_version', sql`${t.templateId} IS NULL OR ${t.templateVersion} IS NOT NULL`),
    check('budgets_version_positive', sql`${t.version} >= 1`),
  ],
);

export const budgetLines = pgTable(
  'budget_lines',
  {
    ...baseColumns(),
    budgetId: uuid('budget_id').notNull(),
    lineName: varchar('line_name', { length: 255 }).notNull(),
    lineType: lineTypeEnum('line_type').notNull(),
    category: varchar('category', { length: 100 }).notNull(),
    subcategory: varchar('subcategory', { length: 100 }),
    amount: numeric('amount', { precision: 15, scale: 2 }).notNull(),
    quantity: numeric('quantity', { precision: 15, scale: 4 }),
    unitCost: numeric('unit_cost', { precision: 15, scale: 2 }),
    allocationMethod: allocationMethodEnum('allocation_method').notNull().default('direct'),
    allocationPercentage: numeric('allocation_percentage', { precision: 5, scale: 2 }),
    allocationDriver: varchar('allocation_driver', { length: 100 }),
    departmentId: varchar('department_id', { length: 255 }),
    costCenterId: varchar('cost_center_id', { length: 255 }),
    glAccountId: varchar('gl_account_id', { length: 255 }),
    description: varchar('description', { length: 1000 }),
    notes: varchar('notes', { length: 2000 }),
    requiresApproval: boolean('requires_approval').notNull().default(false),
    approvalThreshold: numeric('approval_threshold', { precision: 15, scale: 2 }),
    lineOrder: integer('line_order').notNull().default(0),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    spreadMethod: spreadMethodEnum('spread_method').notNull().default('even'),
    // Weights per period for the seasonal method (decimal strings).
    spreadProfile: jsonb('spread_profile').$type<string[]>(),
    // Currency of the line when it differs from the budget's base currency.
    currency: varchar('currency', { length: 3 }),
    // A contra line (vacancy discount, credit, recovery) reduces its line type's total: its amount
    // is <= 0, and negative amounts are only written when the tenant allows them.
    isContra: boolean('is_contra').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.budgetId],
      foreignColumns: [budgets.tenantId, budgets.id],
    }).onDelete('cascade'),
    index('budget_lines_budget_idx').on(t.tenantId, t.budgetId, t.lineOrder),
    index('budget_lines_category_idx').on(t.tenantId, t.category),
    index('budget_lines_department_idx').on(t.tenantId, t.departmentId),
    index('budget_lines_gl_account_idx').on(t.tenantId, t.glAccountId),
    check('budget_lines_amount_range', sql`abs(${t.amount}) <= 999999999999.99`),
    check(
      'budget_lines_amount_sign',
      sql`(NOT ${t.isContra} AND ${t.amount} >= 0) OR (${t.isContra} AND ${t.amount} <= 0)`,
    ),
    check(
      'budget_lines_allocation_percentage_range',
      sql`${t.allocationPercentage} IS NULL OR (${t.allocationPercentage} >= 0 AND ${t.allocationPercentage} <= 100)`,
    ),
    check('budget_lines_quantity_nonneg', sql`${t.quantity} IS NULL OR ${t.quantity} >= 0`),
    check('budget_lines_unit_cost_nonneg', sql`${t.unitCost} IS NULL OR ${t.unitCost} >= 0`),
    check(
      'budget_lines_threshold_nonneg',
      sql`${t.approvalThreshold} IS NULL OR ${t.approvalThreshold} >= 0`,
    ),
    check('budget_lines_version_positive', sql`${t.version} >= 1`),
  ],
);

/** A line's amount in one period; the periods of a line always sum exactly to its amount. */
export const budgetPeriods = pgTable(
  'budget_periods',
  {
    tenantId: uuid('tenant_id').notNull(),
    budgetId: uuid('budget_id').notNull(),
    lineId: uuid('line_id').notNull(),
    periodIndex: smallint('period_index').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    amount: numeric('amount', { precision: 15, scale: 2 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.lineId, t.periodIndex] }),
    // Keyed to the budget, not the line: a line FK costs one index probe per period row, and on a
    // table without statistics PostgreSQL plans that probe as a scan (10,000 lines x 12 periods
    // took minutes). Periods of a hard-deleted line are removed by the line delete itself.
    foreignKey({
      columns: [t.tenantId, t.budgetId],
      foreignColumns: [budgets.tenantId, budgets.id],
    }).onDelete('cascade'),
    index('budget_periods_budget_idx').on(t.tenantId, t.budgetId, t.periodStart),
    // A contra line's periods are <= 0 (the sign follows the line; see budget_lines_amount_sign).
    check('budget_periods_amount_range', sql`abs(${t.amount}) <= 999999999999.99`),
    check('budget_periods_index_range', sql`${t.periodIndex} >= 0 AND ${t.periodIndex} < 120`),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    occurredAt: tstz('occurred_at').notNull().defaultNow(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    action: varchar('action', { length: 100 }).notNull(),
    entityType: varchar('entity_type', { length: 100 }).notNull(),
    entityId: uuid('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: varchar('request_id', { length: 100 }),
    // The tenant's hash chain (migrations/0018_audit_chain.sql): the trigger audit_log_chain sets
    // these three on every insert, whatever the statement says; the defaults only satisfy NOT NULL.
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    prevHash: char('prev_hash', { length: 64 }).notNull().default(''),
    rowHash: char('row_hash', { length: 64 }).notNull().default(''),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('audit_log_entity_idx').on(t.tenantId, t.entityType, t.entityId),
    index('audit_log_time_idx').on(t.tenantId, t.occurredAt),
    uniqueIndex('audit_log_chain_idx').on(t.tenantId, t.seq),
  ],
);

/** The end of each tenant's audit hash chain: locked FOR UPDATE by every audit insert (serialises per tenant). */
export const auditChainHeads = pgTable('audit_chain_heads', {
  tenantId: uuid('tenant_id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  headHash: char('head_hash', { length: 64 }).notNull(),
});

export * from './schema-actuals.ts';
export * from './schema-collaboration.ts';
export * from './schema-dimensions.ts';
export * from './schema-events.ts';
export * from './schema-files.ts';
export * from './schema-forecasting.ts';
export * from './schema-fx.ts';
export * from './schema-idempotency.ts';
export * from './schema-jobs.ts';
export * from './schema-recommendations.ts';
export * from './schema-scenarios.ts';
export * from './schema-scope.ts';
export * from './schema-templates.ts';
export * from './schema-workflow.ts';
