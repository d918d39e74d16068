/** Shapes stored bundles and recommendations for the API (snake_case, decimal strings). */
import type { BundleRow, RecommendationRow } from './recommendations.repository.ts';

/** One recommendation. */
export function presentItem(r: RecommendationRow) {
  return {
    recommendation_id: r.id,
    bundle_id: r.bundleId,
    budget_id: r.budgetId,
    rank: r.rank,
    type: r.type,
    category: r.category,
    title: r.title,
    description: r.description,
    estimated_impact: r.estimatedImpact,
    confidence_score: r.confidenceScore,
    implementation_effort: r.implementationEffort,
    timeframe: r.timeframe,
    required_actions: r.requiredActions,
    risk_factors: r.riskFactors,
    priority: r.priority,
    priority_score: r.priorityScore,
    evidence: r.evidence as Record<string, unknown>,
    adjustment: (r.adjustment ?? null) as Record<string, unknown> | null,
    status: r.status,
    status_reason: r.statusReason,
    acted_at: r.actedAt?.toISOString() ?? null,
    acted_by: r.actedBy,
    scenario_id: r.scenarioId,
    version: r.version,
  };
}
export type RecommendationView = ReturnType<typeof presentItem>;

/** A bundle without its recommendations (for lists). */
export function presentSummary(b: BundleRow, count: number) {
  return {
    bundle_id: b.id,
    context_id: b.contextId,
    budget_id: b.budgetId,
    total_estimated_impact: b.totalEstimatedImpact,
    average_confidence: b.averageConfidence,
    recommendation_count: count,
    parameters: b.parameters as Record<string, unknown>,
    generated_at: b.generatedAt.toISOString(),
    algorithm_version: b.algorithmVersion,
  };
}

/** A bundle with its analysis, benchmarks, narrative and ranked recommendations. */
export function presentBundle(b: BundleRow, items: RecommendationRow[]) {
  return {
    ...presentSummary(b, items.length),
    analysis: b.analysis as Record<string, unknown>,
    benchmarks: b.benchmarks as Record<string, unknown>[],
    narrative: b.narrative,
    narrative_status: b.narrativeStatus,
    recommendations: items.map(presentItem),
  };
}
export type BundleView = ReturnType<typeof presentBundle>;
