/** SQL for the tenant's own settings row (RLS shows a tenant only its own row). */
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/client.ts';
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

/** The planning rules a tenant may relax; stored in `tenants.settings.planning` (JSON). */
export interface PlanningSettings {
  /** Budget lines marked is_contra may have negative amounts. */
  allowNegativeLines: boolean;
  /** fiscal_year may be at most this many years before the current calendar year. */
  fiscalYearsPast: number;
  /** ... and at most this many after it. */
  fiscalYearsFuture: number;
}

/** The design guide's rules: no negative lines, fiscal years current -5 ... +10. */
export const DEFAULT_PLANNING: PlanningSettings = {
  allowNegativeLines: false,
  fiscalYearsPast: 5,
  fiscalYearsFuture: 10,
};

/** The tenant's planning settings, each falling back to the guide's default. */
export async function planningSettings(tx: Queryable, tenantId: string): Promise<PlanningSettings> {
  const [row] = await queryRows<{ neg: boolean | null; past: number | null; future: number | null }>(
    tx,
    sql`SELECT (settings->'planning'->>'allow_negative_lines')::boolean AS neg,
          (settings->'planning'->>'fiscal_years_past')::int AS past,
          (settings->'planning'->>'fiscal_years_future')::int AS future
        FROM tenants WHERE id = ${tenantId}`,
  );
  return {
    allowNegativeLines: row?.neg ?? DEFAULT_PLANNING.allowNegativeLines,
    fiscalYearsPast: row?.past ?? DEFAULT_PLANNING.fiscalYearsPast,
    fiscalYearsFuture: row?.future ?? DEFAULT_PLANNING.fiscalYearsFuture,
  };
}

/** Stores the tenant's planning settings, keeping its other settings. */
export async function setPlanningSettings(
  tx: Queryable,
  tenantId: string,
  p: PlanningSettings,
): Promise<void> {
  const json = JSON.stringify({
    allow_negative_lines: p.allowNegativeLines,
    fiscal_years_past: p.fiscalYearsPast,
    fiscal_years_future: p.fiscalYearsFuture,
  });
  await tx.execute(
    sql`UPDATE tenants SET settings = jsonb_set(settings, '{planning}', ${json}::jsonb) WHERE id = ${tenantId}`,
  );
}

/** The tenant's display locale (a BCP 47 tag such as `de-DE`), or null: each browser's own. */
export async function displayLocale(tx: Queryable, tenantId: string): Promise<string | null> {
  const [row] = await queryRows<{ locale: string | null }>(
    tx,
    sql`SELECT settings->'display'->>'locale' AS locale FROM tenants WHERE id = ${tenantId}`,
  );
  return row?.locale ?? null;
}

/** Stores the tenant's display locale (null: none), keeping its other settings. */
export async function setDisplayLocale(
  tx: Queryable,
  tenantId: string,
  locale: string | null,
): Promise<void> {
  const json = JSON.stringify({ locale });
  await tx.execute(
    sql`UPDATE tenants SET settings = jsonb_set(settings, '{display}', ${json}::jsonb) WHERE id = ${tenantId}`,
  );
}
