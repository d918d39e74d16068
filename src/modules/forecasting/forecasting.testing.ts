/** Test helpers of the forecasting module: actuals written straight into the tenant's tables. */
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../platform/db/client.ts';
import { tenantIdFromKey, withTenant } from '../../platform/tenancy/tenancy.ts';

/** One actuals row to insert: a month 'YYYY-MM', a signed amount and its dimensions. */
export interface ActualRow {
  period: string;
  amount: string;
  currency?: string;
  gl?: string | null;
  category?: string | null;
  department?: string | null;
}

/** Inserts actuals for a tenant (one batch) with SQL inside withTenant, as an import would leave them. */
export async function insertActuals(db: Db, tenantKey: string, rows: readonly ActualRow[]): Promise<void> {
  const tenantId = tenantIdFromKey(tenantKey);
  const batchId = uuidv7();
  await withTenant(db, tenantId, async (tx) => {
    await tx.execute(sql`INSERT INTO actual_batches (tenant_id, id, batch_key, format, row_count, created_by)
      VALUES (${tenantId}, ${batchId}, ${`test-${batchId}`}, 'csv', ${rows.length}, 'test')`);
    for (const [i, r] of rows.entries())
      await tx.execute(sql`INSERT INTO actuals
        (tenant_id, batch_id, row_number, period, gl_account_id, department_id, category, amount, currency)
        VALUES (${tenantId}, ${batchId}, ${i + 1}, ${`${r.period}-01`}, ${r.gl ?? null}, ${r.department ?? null},
                ${r.category ?? null}, ${r.amount}, ${r.currency ?? 'USD'})`);
  });
}

/** 'YYYY-MM' of the i-th month after `start` ('YYYY-MM'). */
export function monthAfter(start: string, i: number): string {
  const k = Number(start.slice(0, 4)) * 12 + Number(start.slice(5, 7)) - 1 + i;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}

/** A seasonal monthly series with trend, as decimal strings (deterministic). */
export function seasonalSeries(n: number, base = 1000): string[] {
  return Array.from({ length: n }, (_, i) =>
    (base + 10 * i + 100 * Math.sin((2 * Math.PI * i) / 12) + (((i * 7919) % 13) - 6) * 5).toFixed(2),
  );
}
