/** Who may read and act on recommendations, and which status changes are allowed. */
import { authorize } from '../../platform/auth/policy.ts';
import { BusinessRuleError } from '../../platform/http/errors.ts';
import type { TenantContext } from '../../platform/tenancy/tenancy.ts';
import type { RecommendationRow } from './recommendations.repository.ts';

/** Recommendations are computed from a budget: reading or generating them needs budgets:read too. */
export function authorizeRecommendationRead(ctx: TenantContext): void {
  authorize(ctx, 'recommendations:read');
  authorize(ctx, 'budgets:read');
}

/** Accepting, dismissing and changing benchmarks need recommendations:act. */
export function authorizeAct(ctx: TenantContext): void {
  authorize(ctx, 'recommendations:act');
  authorize(ctx, 'budgets:read');
}

/** Applying creates a scenario: it needs scenarios:write besides recommendations:act. */
export function authorizeApply(ctx: TenantContext): void {
  authorizeAct(ctx);
  authorize(ctx, 'scenarios:write');
}

export type Action = 'accept' | 'dismiss' | 'apply';

// open -> accepted | dismissed | applied; accepted -> dismissed | applied; the rest are final.
const ALLOWED: Record<Action, readonly string[]> = {
  accept: ['open'],
  dismiss: ['open', 'accepted'],
  apply: ['open', 'accepted'],
};

/** Throws 422 unless the recommendation's status allows the action. */
export function assertTransition(item: RecommendationRow, action: Action): void {
  if (!ALLOWED[action].includes(item.status))
    throw new BusinessRuleError(
      'invalid_recommendation_status',
      `Cannot ${action} a recommendation that is ${item.status}`,
      'status',
      { status: item.status },
    );
}

/** Throws 422 when the recommendation carries no scenario adjustment. */
export function assertApplicable(item: RecommendationRow): void {
  if (!item.adjustment)
    throw new BusinessRuleError(
      'recommendation_not_applicable',
      'This recommendation has no budget adjustment to apply as a scenario (e.g. re-phasing is done on the lines)',
      'adjustment',
    );
}
