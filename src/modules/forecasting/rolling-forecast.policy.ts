/** Who may see a budget's rolling forecast beyond the route's own permission. */
import { authorize } from '../../platform/auth/policy.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';

/** The rolling forecast shows the budget and its actuals (route: forecasts:read). */
export function authorizeRollingForecast(ctx: TenantContext): void {
  authorize(ctx, 'budgets:read');
  authorize(ctx, 'actuals:read');
}
