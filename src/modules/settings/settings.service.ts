/** Tenant settings: read by anyone in the tenant, changed by user managers, audited. */

import type { Db, Queryable } from '../../platform/db/client.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import {
  displayLocale,
  fiscalYearStartMonth,
  planningSettings,
  setDisplayLocale,
  setFiscalYearStartMonth,
  setPlanningSettings,
} from './settings.repository.ts';
import type { SettingsUpdateInput, SettingsView } from './settings.schema.ts';

async function read(tx: Queryable, tenantId: string): Promise<SettingsView> {
  const p = await planningSettings(tx, tenantId);
  return {
    fiscal_year_start_month: await fiscalYearStartMonth(tx, tenantId),
    allow_negative_lines: p.allowNegativeLines,
    fiscal_years_past: p.fiscalYearsPast,
    fiscal_years_future: p.fiscalYearsFuture,
    locale: await displayLocale(tx, tenantId),
  };
}

export class SettingsService {
  constructor(private readonly db: Db) {}

  /** The tenant's settings. */
  async get(ctx: TenantContext): Promise<SettingsView> {
    return withTenant(this.db, ctx, (tx) => read(tx, ctx.tenantId));
  }

  /**
   * Changes the given settings (the others keep their values). Existing budgets keep the dates
   * they were created with; the new fiscal year start applies to budgets created (or re-dated)
   * afterwards. Turning allow_negative_lines off or narrowing the fiscal year window does not
   * touch existing lines or budgets; it applies to later writes.
   */
  async update(ctx: TenantContext, input: SettingsUpdateInput): Promise<SettingsView> {
    return withTenant(this.db, ctx, async (tx) => {
      const before = await read(tx, ctx.tenantId);
      const after: SettingsView = {
        fiscal_year_start_month: input.fiscal_year_start_month ?? before.fiscal_year_start_month,
        allow_negative_lines: input.allow_negative_lines ?? before.allow_negative_lines,
        fiscal_years_past: input.fiscal_years_past ?? before.fiscal_years_past,
        fiscal_years_future: input.fiscal_years_future ?? before.fiscal_years_future,
        locale: input.locale === undefined ? before.locale : input.locale,
      };
      if (after.fiscal_year_start_month !== before.fiscal_year_start_month)
        await setFiscalYearStartMonth(tx, ctx.tenantId, after.fiscal_year_start_month);
      await setPlanningSettings(tx, ctx.tenantId, {
        allowNegativeLines: after.allow_negative_lines,
        fiscalYearsPast: after.fiscal_years_past,
        fiscalYearsFuture: after.fiscal_years_future,
      });
      if (after.locale !== before.locale) await setDisplayLocale(tx, ctx.tenantId, after.locale);
      await recordAudit(tx, ctx, {
        action: 'settings.updated',
        entityType: 'tenant',
        entityId: ctx.tenantId,
        before,
        after,
      });
      return after;
    });
  }
}
