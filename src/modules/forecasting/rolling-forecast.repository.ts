/** Reads what a rolling forecast needs: the budget, its lines and their periods (inside a tenant transaction). */
import { and, asc, eq } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { budgetLines, budgetPeriods, budgets, tenants } from '../../platform/db/schema.ts';

/** A live budget's dates and currency. */
export async function findBudgetForOutlook(tx: Queryable, id: string) {
  const rows = await tx
    .select({
      id: budgets.id,
      fiscalYear: budgets.fiscalYear,
      baseCurrency: budgets.baseCurrency,
      periodStart: budgets.periodStart,
      periodEnd: budgets.periodEnd,
    })
    .from(budgets)
    .where(and(eq(budgets.id, id), eq(budgets.isDeleted, false)));
  return rows[0];
}

/** The tenant's fiscal-year start month (1-12). */
export async function fiscalStartMonth(tx: Queryable, tenantId: string): Promise<number> {
  const rows = await tx
    .select({ m: tenants.fiscalYearStartMonth })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  return rows[0]?.m ?? 1;
}

/** Live lines of a budget in display order. */
export async function outlookLines(tx: Queryable, budgetId: string) {
  return tx
    .select({
      id: budgetLines.id,
      lineName: budgetLines.lineName,
      category: budgetLines.category,
      glAccountId: budgetLines.glAccountId,
      amount: budgetLines.amount,
      currency: budgetLines.currency,
    })
    .from(budgetLines)
    .where(and(eq(budgetLines.budgetId, budgetId), eq(budgetLines.isDeleted, false)))
    .orderBy(asc(budgetLines.lineOrder), asc(budgetLines.id));
}
export type OutlookLine = Awaited<ReturnType<typeof outlookLines>>[number];

/** Every period amount of a budget's lines. */
export async function outlookPeriods(tx: Queryable, budgetId: string) {
  return tx
    .select({
      lineId: budgetPeriods.lineId,
      periodStart: budgetPeriods.periodStart,
      amount: budgetPeriods.amount,
    })
    .from(budgetPeriods)
    .where(eq(budgetPeriods.budgetId, budgetId));
}
