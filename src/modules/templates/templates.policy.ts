/** Who may do what with templates beyond the route's own permission. */
import { authorize } from '../../platform/auth/policy.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';

/** Creating a budget from a template writes a budget (route: budgets:write) and reads the template. */
export function authorizeBudgetFromTemplate(ctx: TenantContext): void {
  authorize(ctx, 'templates:read');
}
