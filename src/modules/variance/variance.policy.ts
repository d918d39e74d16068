/** Who may see variance: it shows budgets and actuals, so both read permissions are needed. */
import { authorize } from '../../platform/auth/policy.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';

/** Throws 403 unless the context may read both budgets and actuals. */
export function authorizeVariance(ctx: TenantContext): void {
  authorize(ctx, 'budgets:read');
  authorize(ctx, 'actuals:read');
}

/** Throws 403 unless the context may change the tenant's variance thresholds. */
export function authorizeThresholdChange(ctx: TenantContext): void {
  authorize(ctx, 'users:manage');
}
