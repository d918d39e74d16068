/** SQL for workflow events (append-only) and the lines an approver must look at. */
import { and, asc, desc, eq, gt, isNotNull, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { budgetLines, workflowEvents } from '../../platform/db/schema.ts';

export type WorkflowEventRow = typeof workflowEvents.$inferSelect;
export type NewWorkflowEvent = Omit<typeof workflowEvents.$inferInsert, 'occurredAt'>;

/** Appends one transition. */
export async function insertEvent(tx: Queryable, row: NewWorkflowEvent): Promise<WorkflowEventRow> {
  const [created] = await tx.insert(workflowEvents).values(row).returning();
  return created!;
}

/** Every transition of a budget, oldest first (ids are UUIDv7: id order is time order). */
export function listEvents(tx: Queryable, budgetId: string): Promise<WorkflowEventRow[]> {
  return tx
    .select()
    .from(workflowEvents)
    .where(eq(workflowEvents.budgetId, budgetId))
    .orderBy(asc(workflowEvents.occurredAt), asc(workflowEvents.id));
}

/** The latest event of an action on a budget (optionally within one workflow run). */
export async function lastEvent(
  tx: Queryable,
  budgetId: string,
  action: string,
  workflowId?: string | null,
): Promise<WorkflowEventRow | undefined> {
  const rows = await tx
    .select()
    .from(workflowEvents)
    .where(
      and(
        eq(workflowEvents.budgetId, budgetId),
        eq(workflowEvents.action, action),
        workflowId ? eq(workflowEvents.workflowId, workflowId) : undefined,
      ),
    )
    .orderBy(desc(workflowEvents.occurredAt), desc(workflowEvents.id))
    .limit(1);
  return rows[0];
}

/** Live lines that need an approver's eye: flagged, or above their approval threshold. */
export function approvalLines(tx: Queryable, budgetId: string) {
  return tx
    .select()
    .from(budgetLines)
    .where(
      and(
        eq(budgetLines.budgetId, budgetId),
        eq(budgetLines.isDeleted, false),
        or(
          eq(budgetLines.requiresApproval, true),
          and(
            isNotNull(budgetLines.approvalThreshold),
            gt(budgetLines.amount, sql`${budgetLines.approvalThreshold}`),
          ),
        ),
      ),
    )
    .orderBy(asc(budgetLines.lineOrder), asc(budgetLines.id));
}
