/** Who may do what with scenarios beyond the route's own permission, and when a scenario may be promoted. */
import { authorize } from '../../platform/auth/policy.ts';
import { BusinessRuleError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import type { ScenarioRow } from './scenarios.repository.ts';

/** Scenarios are computed from a budget's lines: reading one needs budgets:read as well. */
export function authorizeScenarioRead(ctx: TenantContext): void {
  authorize(ctx, 'budgets:read');
}

/** Promotion writes a new budget: it needs budgets:write besides scenarios:write. */
export function authorizePromote(ctx: TenantContext): void {
  authorize(ctx, 'budgets:read');
  authorize(ctx, 'budgets:write');
}

/** A scenario is promoted at most once (its promoted_budget_id names the result). */
export function assertPromotable(s: ScenarioRow): void {
  if (s.promotedBudgetId) {
    throw new BusinessRuleError(
      'scenario_already_promoted',
      `Scenario was already promoted to budget ${s.promotedBudgetId}; copy it to promote again`,
      'promoted_budget_id',
      { promoted_budget_id: s.promotedBudgetId },
    );
  }
}
