/** SQL for budgets. Every call runs inside a tenant transaction, so RLS scopes it. */
import { and, desc, eq, ilike, inArray, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { budgetLines, budgets, budgetTemplates, budgetTemplateVersions } from '../../platform/db/schema.ts';

export type BudgetRow = typeof budgets.$inferSelect;
export type NewBudget = Omit<typeof budgets.$inferInsert, 'createdAt'>;

/** Inserts a budget and returns it. */
export async function insertBudget(tx: Queryable, row: NewBudget): Promise<BudgetRow> {
  const [created] = await tx.insert(budgets).values(row).returning();
  return created!;
}

/** A live (not soft-deleted) budget, optionally locked for update. */
export async function findBudget(
  tx: Queryable,
  id: string,
  forUpdate = false,
): Promise<BudgetRow | undefined> {
  const q = tx
    .select()
    .from(budgets)
    .where(and(eq(budgets.id, id), eq(budgets.isDeleted, false)));
  const rows = await (forUpdate ? q.for('update') : q);
  return rows[0];
}

/** A budget whether soft-deleted or not, optionally locked for update (restore). */
export async function findAnyBudget(tx: Queryable, id: string, forUpdate = false) {
  const q = tx.select().from(budgets).where(eq(budgets.id, id));
  const rows = await (forUpdate ? q.for('update') : q);
  return rows[0];
}

/** Whether another live budget of the fiscal year has this name (case-insensitive). */
export async function nameTaken(
  tx: Queryable,
  name: string,
  fiscalYear: string,
  exceptId?: string,
): Promise<boolean> {
  const rows = await tx
    .select({ id: budgets.id })
    .from(budgets)
    .where(
      and(
        eq(budgets.fiscalYear, fiscalYear),
        eq(budgets.isDeleted, false),
        sql`lower(${budgets.budgetName}) = lower(${name})`,
        exceptId ? ne(budgets.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  return rows.length > 0;
}

export interface BudgetFilter {
  fiscalYear?: string | undefined;
  status?: BudgetRow['status'] | undefined;
  budgetType?: BudgetRow['budgetType'] | undefined;
  departmentId?: string | undefined;
  text?: string | undefined;
  /** Soft-deleted budgets instead of live ones. */
  deleted?: boolean | undefined;
  afterId?: string | undefined;
  limit: number;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Lists live (or only soft-deleted) budgets newest first, keyset-paginated on the UUIDv7 id. */
export function listBudgets(tx: Queryable, f: BudgetFilter): Promise<BudgetRow[]> {
  const where: (SQL | undefined)[] = [eq(budgets.isDeleted, f.deleted ?? false)];
  if (f.fiscalYear) where.push(eq(budgets.fiscalYear, f.fiscalYear));
  if (f.status) where.push(eq(budgets.status, f.status));
  if (f.budgetType) where.push(eq(budgets.budgetType, f.budgetType));
  if (f.departmentId) where.push(eq(budgets.departmentId, f.departmentId));
  if (f.text) {
    const p = likePattern(f.text);
    where.push(or(ilike(budgets.budgetName, p), ilike(budgets.description, p)));
  }
  if (f.afterId) where.push(lt(budgets.id, f.afterId));
  return tx
    .select()
    .from(budgets)
    .where(and(...where))
    .orderBy(desc(budgets.id))
    .limit(f.limit + 1);
}

/** Applies a patch, bumps the version and returns the new row. */
export async function updateBudget(tx: Queryable, id: string, patch: Partial<NewBudget>): Promise<BudgetRow> {
  const [row] = await tx
    .update(budgets)
    .set({ ...patch, updatedAt: new Date(), version: sql`${budgets.version} + 1` })
    .where(eq(budgets.id, id))
    .returning();
  return row!;
}

/** Removes a budget and (by cascade) its lines. */
export async function hardDeleteBudget(tx: Queryable, id: string): Promise<void> {
  await tx.delete(budgets).where(eq(budgets.id, id));
}

/** Totals per line type for several budgets at once. */
export function totalsFor(tx: Queryable, budgetIds: string[]) {
  if (budgetIds.length === 0) return Promise.resolve([]);
  return tx
    .select({
      budgetId: budgetLines.budgetId,
      lineType: budgetLines.lineType,
      total: sql<string>`sum(${budgetLines.amount})::text`,
      n: sql<number>`count(*)::int`,
    })
    .from(budgetLines)
    .where(and(inArray(budgetLines.budgetId, budgetIds), eq(budgetLines.isDeleted, false)))
    .groupBy(budgetLines.budgetId, budgetLines.lineType);
}

/** Whether a live template of the tenant (RLS) has the version: a budget may cite only such. */
export async function templateVersionExists(tx: Queryable, templateId: string, version: number) {
  const rows = await tx
    .select({ version: budgetTemplateVersions.version })
    .from(budgetTemplateVersions)
    .innerJoin(budgetTemplates, eq(budgetTemplates.id, budgetTemplateVersions.templateId))
    .where(
      and(
        eq(budgetTemplateVersions.templateId, templateId),
        eq(budgetTemplateVersions.version, version),
        eq(budgetTemplates.isDeleted, false),
      ),
    )
    .limit(1);
  return rows.length > 0;
}
