/**
 * Workflow history: every transition of a budget. `tenant_id` leads every key; RLS is in
 * `migrations/0003_planning_rls.sql`.
 */
import { index, pgTable, primaryKey, uuid, varchar } from 'drizzle-orm/pg-core';
import { BUDGET_STATUSES } from '../../shared/enums.ts';
import { tstz } from './columns.ts';

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
