/** SQL for the tenant's own settings row (RLS shows a tenant only its own row). */
import { eq } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { tenants } from '../../platform/db/schema.ts';

/** The tenant's fiscal year start month (1-12); 1 if the row is missing. */
export async function fiscalYearStartMonth(tx: Queryable, tenantId: string): Promise<number> {
  const [row] = await tx
    .select({ m: tenants.fiscalYearStartMonth })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  return row?.m ?? 1;
}

/** Sets the tenant's fiscal year start month. */
export async function setFiscalYearStartMonth(tx: Queryable, tenantId: string, month: number): Promise<void> {
  await tx.update(tenants).set({ fiscalYearStartMonth: month }).where(eq(tenants.id, tenantId));
}
