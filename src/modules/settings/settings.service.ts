/** Tenant settings: read by anyone in the tenant, changed by user managers, audited. */

import type { Db } from '../../platform/db/client.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { fiscalYearStartMonth, setFiscalYearStartMonth } from './settings.repository.ts';
import type { SettingsUpdateInput } from './settings.schema.ts';

export class SettingsService {
  constructor(private readonly db: Db) {}

  /** The tenant's settings. */
  async get(ctx: TenantContext) {
    return withTenant(this.db, ctx.tenantId, async (tx) => ({
      fiscal_year_start_month: await fiscalYearStartMonth(tx, ctx.tenantId),
    }));
  }

  /**
   * Changes the settings. Existing budgets keep the dates they were created with; the new
   * fiscal year start applies to budgets created (or re-dated) afterwards.
   */
  async update(ctx: TenantContext, input: SettingsUpdateInput) {
    return withTenant(this.db, ctx.tenantId, async (tx) => {
      const before = { fiscal_year_start_month: await fiscalYearStartMonth(tx, ctx.tenantId) };
      await setFiscalYearStartMonth(tx, ctx.tenantId, input.fiscal_year_start_month);
      const after = { fiscal_year_start_month: input.fiscal_year_start_month };
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
