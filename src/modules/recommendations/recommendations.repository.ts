/** SQL for stored bundles, recommendations and the tenant's benchmark figures (inside tenant transactions). */
import { and, asc, count, desc, eq, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import {
  recommendationBenchmarks,
  recommendationBundles,
  recommendations,
} from '../../platform/db/schema.ts';

export type BundleRow = typeof recommendationBundles.$inferSelect;
export type RecommendationRow = typeof recommendations.$inferSelect;
export type BenchmarkRow = typeof recommendationBenchmarks.$inferSelect;

/** Stores a bundle and its recommendations. */
export async function insertBundle(
  tx: Queryable,
  bundle: typeof recommendationBundles.$inferInsert,
  items: (typeof recommendations.$inferInsert)[],
): Promise<void> {
  await tx.insert(recommendationBundles).values(bundle);
  if (items.length) await tx.insert(recommendations).values(items);
}

/** One bundle. */
export async function findBundle(tx: Queryable, id: string): Promise<BundleRow | undefined> {
  const [row] = await tx.select().from(recommendationBundles).where(eq(recommendationBundles.id, id));
  return row;
}

/** The recommendations of a bundle in rank order. */
export function bundleItems(tx: Queryable, bundleId: string): Promise<RecommendationRow[]> {
  return tx
    .select()
    .from(recommendations)
    .where(eq(recommendations.bundleId, bundleId))
    .orderBy(asc(recommendations.rank));
}

/** Bundles of a budget, newest first (UUIDv7 ids are time-ordered), with their item counts. */
export function listBundles(tx: Queryable, budgetId: string, limit: number, afterId?: string) {
  return tx
    .select({ bundle: recommendationBundles, n: count(recommendations.id) })
    .from(recommendationBundles)
    .leftJoin(
      recommendations,
      and(
        eq(recommendations.tenantId, recommendationBundles.tenantId),
        eq(recommendations.bundleId, recommendationBundles.id),
      ),
    )
    .where(
      and(
        eq(recommendationBundles.budgetId, budgetId),
        afterId ? lt(recommendationBundles.id, afterId) : undefined,
      ),
    )
    .groupBy(recommendationBundles.tenantId, recommendationBundles.id)
    .orderBy(desc(recommendationBundles.id))
    .limit(limit + 1);
}

/** Number of recommendations in a bundle. */
export async function itemCount(tx: Queryable, bundleId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(recommendations)
    .where(eq(recommendations.bundleId, bundleId));
  return row?.n ?? 0;
}

/** One recommendation of a bundle, optionally locked for update. */
export async function findItem(
  tx: Queryable,
  bundleId: string,
  id: string,
  forUpdate = false,
): Promise<RecommendationRow | undefined> {
  const q = tx
    .select()
    .from(recommendations)
    .where(and(eq(recommendations.bundleId, bundleId), eq(recommendations.id, id)));
  const [row] = await (forUpdate ? q.for('update') : q);
  return row;
}

/** Updates a recommendation's status and bumps its version. */
export async function updateItem(
  tx: Queryable,
  id: string,
  patch: Partial<typeof recommendations.$inferInsert>,
): Promise<RecommendationRow> {
  const [row] = await tx
    .update(recommendations)
    .set({ ...patch, version: sql`${recommendations.version} + 1` })
    .where(eq(recommendations.id, id))
    .returning();
  return row!;
}

/** The tenant's benchmark figures. */
export function tenantBenchmarks(tx: Queryable): Promise<BenchmarkRow[]> {
  return tx
    .select()
    .from(recommendationBenchmarks)
    .orderBy(asc(recommendationBenchmarks.industry), asc(recommendationBenchmarks.metric));
}

/** Replaces the tenant's benchmark figures with `rows`. */
export async function replaceBenchmarks(
  tx: Queryable,
  rows: (typeof recommendationBenchmarks.$inferInsert)[],
): Promise<void> {
  await tx.delete(recommendationBenchmarks);
  if (rows.length) await tx.insert(recommendationBenchmarks).values(rows);
}
