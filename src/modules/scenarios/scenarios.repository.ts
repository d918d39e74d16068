/** SQL for scenarios and the line/period data they are computed on. Runs inside tenant transactions (RLS). */
import { and, asc, desc, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { budgetLines, budgetPeriods, scenarios } from '../../platform/db/schema.ts';

export type ScenarioRow = typeof scenarios.$inferSelect;
export type NewScenario = Omit<typeof scenarios.$inferInsert, 'createdAt'>;

const live = (budgetId: string) => and(eq(scenarios.budgetId, budgetId), eq(scenarios.isDeleted, false));

/** Inserts a scenario and returns it. */
export async function insertScenario(tx: Queryable, row: NewScenario): Promise<ScenarioRow> {
  const [created] = await tx.insert(scenarios).values(row).returning();
  return created!;
}

/** A live scenario of the budget, optionally locked for update. */
export async function findScenario(tx: Queryable, budgetId: string, id: string, forUpdate = false) {
  const q = tx
    .select()
    .from(scenarios)
    .where(and(live(budgetId), eq(scenarios.id, id)));
  const rows = await (forUpdate ? q.for('update') : q);
  return rows[0];
}

/** Live scenarios of the budget with these ids, or the first `limit` when no ids are given. */
export function findScenarios(tx: Queryable, budgetId: string, ids: string[] | undefined, limit: number) {
  return tx
    .select()
    .from(scenarios)
    .where(and(live(budgetId), ids ? inArray(scenarios.id, ids) : undefined))
    .orderBy(asc(scenarios.id))
    .limit(limit);
}

/** Whether another live scenario of the budget has this name (case-insensitive). */
export async function scenarioNameTaken(tx: Queryable, budgetId: string, name: string, exceptId?: string) {
  const rows = await tx
    .select({ id: scenarios.id })
    .from(scenarios)
    .where(
      and(
        live(budgetId),
        sql`lower(${scenarios.name}) = lower(${name})`,
        exceptId ? ne(scenarios.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** Live scenarios of a budget, newest first, keyset-paginated on the UUIDv7 id. */
export function listScenarios(tx: Queryable, budgetId: string, limit: number, afterId?: string) {
  return tx
    .select()
    .from(scenarios)
    .where(and(live(budgetId), afterId ? lt(scenarios.id, afterId) : undefined))
    .orderBy(desc(scenarios.id))
    .limit(limit + 1);
}

/** Applies a patch, bumps the version and returns the new row. */
export async function updateScenario(tx: Queryable, id: string, patch: Partial<NewScenario>) {
  const [row] = await tx
    .update(scenarios)
    .set({ ...patch, updatedAt: new Date(), version: sql`${scenarios.version} + 1` })
    .where(eq(scenarios.id, id))
    .returning();
  return row!;
}

/** The live lines of a budget with only what the calculation needs. */
export function calcLines(tx: Queryable, budgetId: string) {
  return tx
    .select({
      id: budgetLines.id,
      lineType: budgetLines.lineType,
      category: budgetLines.category,
      departmentId: budgetLines.departmentId,
      glAccountId: budgetLines.glAccountId,
      amount: budgetLines.amount,
      isContra: budgetLines.isContra,
    })
    .from(budgetLines)
    .where(and(eq(budgetLines.budgetId, budgetId), eq(budgetLines.isDeleted, false)))
    .orderBy(asc(budgetLines.lineOrder), asc(budgetLines.id));
}

/** Per-period amounts of a budget's lines (written by the periods module), in line and period order. */
export function periodCells(tx: Queryable, budgetId: string) {
  return tx
    .select({
      lineId: budgetPeriods.lineId,
      index: budgetPeriods.periodIndex,
      start: budgetPeriods.periodStart,
      amount: budgetPeriods.amount,
    })
    .from(budgetPeriods)
    .where(eq(budgetPeriods.budgetId, budgetId))
    .orderBy(asc(budgetPeriods.lineId), asc(budgetPeriods.periodIndex));
}
