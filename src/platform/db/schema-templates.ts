/**
 * Budget templates and their immutable versions. `tenant_id` leads every key; RLS is in
 * `migrations/0003_planning_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import {
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { BUDGET_TYPES } from '../../shared/enums.ts';
import { baseColumns, tstz } from './columns.ts';

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
