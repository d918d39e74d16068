/** SQL of the model registry and the monthly actuals series. Every call runs inside a tenant transaction (RLS). */
import { and, desc, eq, gte, lt, lte, ne, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { actuals, budgets, forecastModels, forecasts } from '../../platform/db/schema.ts';
import type { ForecastModelStatus } from '../../platform/db/schema-forecasting.ts';

export type ModelRow = typeof forecastModels.$inferSelect;
export type NewModel = Omit<typeof forecastModels.$inferInsert, 'createdAt'>;
export type ForecastRow = typeof forecasts.$inferSelect;
export type NewForecast = Omit<typeof forecasts.$inferInsert, 'createdAt'>;

/** Inserts a model and returns it. */
export async function insertModel(tx: Queryable, row: NewModel): Promise<ModelRow> {
  const [created] = await tx.insert(forecastModels).values(row).returning();
  return created!;
}

/** A live model, optionally locked for update. */
export async function findModel(tx: Queryable, id: string, forUpdate = false): Promise<ModelRow | undefined> {
  const q = tx
    .select()
    .from(forecastModels)
    .where(and(eq(forecastModels.id, id), eq(forecastModels.isDeleted, false)));
  const rows = await (forUpdate ? q.for('update') : q);
  return rows[0];
}

/** Whether another live model has this name (case-insensitive). */
export async function modelNameTaken(tx: Queryable, name: string): Promise<boolean> {
  const rows = await tx
    .select({ id: forecastModels.id })
    .from(forecastModels)
    .where(and(eq(forecastModels.isDeleted, false), sql`lower(${forecastModels.name}) = lower(${name})`))
    .limit(1);
  return rows.length > 0;
}

export interface ModelFilter {
  status?: ForecastModelStatus | undefined;
  algorithm?: string | undefined;
  afterId?: string | undefined;
  limit: number;
}

/** Live models newest first, keyset-paginated on the UUIDv7 id (one extra row tells if more follow). */
export async function listModels(tx: Queryable, f: ModelFilter): Promise<ModelRow[]> {
  const where: (SQL | undefined)[] = [eq(forecastModels.isDeleted, false)];
  if (f.status) where.push(eq(forecastModels.status, f.status));
  if (f.algorithm) where.push(eq(forecastModels.algorithm, f.algorithm));
  if (f.afterId) where.push(lt(forecastModels.id, f.afterId));
  return tx
    .select()
    .from(forecastModels)
    .where(and(...where))
    .orderBy(desc(forecastModels.id))
    .limit(f.limit + 1);
}

/** Applies a patch, bumps the version and returns the row (undefined when the model is gone). */
export async function updateModel(
  tx: Queryable,
  id: string,
  patch: Partial<NewModel>,
): Promise<ModelRow | undefined> {
  const [row] = await tx
    .update(forecastModels)
    .set({ ...patch, updatedAt: new Date(), version: sql`${forecastModels.version} + 1` })
    .where(and(eq(forecastModels.id, id), eq(forecastModels.isDeleted, false)))
    .returning();
  return row;
}

/** Inserts a forecast and returns it. */
export async function insertForecast(tx: Queryable, row: NewForecast): Promise<ForecastRow> {
  const [created] = await tx.insert(forecasts).values(row).returning();
  return created!;
}

/** A model's forecasts newest first, keyset-paginated. */
export async function listForecasts(tx: Queryable, modelId: string, limit: number, afterId?: string) {
  return tx
    .select()
    .from(forecasts)
    .where(and(eq(forecasts.modelId, modelId), afterId ? lt(forecasts.id, afterId) : undefined))
    .orderBy(desc(forecasts.id))
    .limit(limit + 1);
}

/** The base currency of a live budget. */
export async function budgetCurrency(tx: Queryable, budgetId: string): Promise<string | undefined> {
  const rows = await tx
    .select({ currency: budgets.baseCurrency })
    .from(budgets)
    .where(and(eq(budgets.id, budgetId), eq(budgets.isDeleted, false)));
  return rows[0]?.currency;
}

export type ActualsDimension = 'gl_account' | 'category' | 'department';
const dimensionColumn = {
  gl_account: actuals.glAccountId,
  category: actuals.category,
  department: actuals.departmentId,
} as const;

export interface SeriesQuery {
  groupBy: ActualsDimension;
  keys: readonly string[];
  currency: string;
  /** First days of months, inclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Exact monthly sums (NUMERIC, as decimal strings) per key, plus how many rows another currency had. */
export async function monthlyActuals(tx: Queryable, q: SeriesQuery) {
  const col = dimensionColumn[q.groupBy];
  const base: (SQL | undefined)[] = [
    sql`${col} IN (${sql.join(
      q.keys.map((k) => sql`${k}`),
      sql`, `,
    )})`,
    q.from ? gte(actuals.period, q.from) : undefined,
    q.to ? lte(actuals.period, q.to) : undefined,
  ];
  const rows = await tx
    .select({
      key: sql<string>`${col}`,
      period: actuals.period,
      amount: sql<string>`sum(${actuals.amount})::numeric(17,2)::text`,
    })
    .from(actuals)
    .where(and(...base, eq(actuals.currency, q.currency)))
    .groupBy(col, actuals.period)
    .orderBy(actuals.period);
  const [other] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(actuals)
    .where(and(...base, ne(actuals.currency, q.currency)));
  return { rows, otherCurrencyRows: other?.n ?? 0 };
}
