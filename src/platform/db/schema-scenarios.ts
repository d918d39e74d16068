/**
 * Scenarios: named what-ifs on a budget. `tenant_id` leads every key; RLS is in
 * `migrations/0003_planning_rls.sql`.
 */
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, primaryKey, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core';
import { baseColumns } from './columns.ts';

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
