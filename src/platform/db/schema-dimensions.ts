/**
 * Dimension trees (docs/dimensions.md): departments, cost centres, the chart of accounts and
 * funds, each a tenant's tree of members identified by (tenant, dimension, code) — the codes
 * lines and actuals already carry. A parent exists in the same dimension and cycles are refused
 * by the statement triggers `dimension_members_tree_*` (migrations/0021_dimensions.sql), which
 * also holds the RLS policy and the department-scope subtree expansion.
 */
import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, primaryKey, uuid, varchar } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { tenants } from './schema.ts';

/** One member of a dimension tree; `parent_code` NULL for a root. */
export const dimensionMembers = pgTable(
  'dimension_members',
  {
    tenantId: uuid('tenant_id').notNull(),
    dimension: varchar('dimension', { length: 20 }).notNull(),
    code: varchar('code', { length: 255 }).notNull(),
    name: varchar('name', { length: 255 }).notNull(),
    parentCode: varchar('parent_code', { length: 255 }),
    // Chart of accounts only: revenue, expense, asset, liability or equity.
    accountType: varchar('account_type', { length: 20 }),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: tstz('created_at').notNull().defaultNow(),
    createdBy: varchar('created_by', { length: 255 }).notNull(),
    updatedAt: tstz('updated_at'),
    updatedBy: varchar('updated_by', { length: 255 }),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.dimension, t.code] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }),
    // A parent is a member of the same tenant and dimension, and a member with children cannot be
    // deleted from under them: the statement triggers dimension_members_tree (0021), not a foreign
    // key, whose per-row check is planned once on the empty table (a 10,000-member import took 26 s).
    // Children of a node, for the tree walks (depth, path, subtrees, department scope).
    index('dimension_members_parent_idx').on(t.tenantId, t.dimension, t.parentCode),
    check(
      'dimension_members_dimension',
      sql`${t.dimension} IN ('department', 'cost_center', 'gl_account', 'fund')`,
    ),
    check('dimension_members_not_own_parent', sql`${t.parentCode} IS NULL OR ${t.parentCode} <> ${t.code}`),
    check(
      'dimension_members_account_type',
      sql`(${t.dimension} = 'gl_account' AND ${t.accountType} IN ('revenue', 'expense', 'asset', 'liability', 'equity'))
        OR (${t.dimension} <> 'gl_account' AND ${t.accountType} IS NULL)`,
    ),
    check('dimension_members_code_length', sql`char_length(btrim(${t.code})) >= 1`),
    check('dimension_members_name_length', sql`char_length(btrim(${t.name})) >= 1`),
  ],
);
