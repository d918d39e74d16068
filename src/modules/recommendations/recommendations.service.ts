/**
 * Recommendation use cases: generate (inline or as a job) and store a bundle, read bundles,
 * accept / dismiss / apply (audited; apply creates a scenario through the scenarios service),
 * and the tenant's benchmark figures.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '../../platform/db/client.ts';
import { emit } from '../../platform/events/outbox.ts';
import { fieldError, NotFoundError, VersionConflictError } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { JobQueue } from '../../platform/queue/queue.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import { mustFindBudget } from '../budgets/index.ts';
import type { Adjustment, ScenarioService } from '../scenarios/index.ts';
import type { VarianceService } from '../variance/index.ts';
import { BUILT_IN_BENCHMARKS } from './recommendations.benchmarks.ts';
import { HISTORY_MONTHS, runEngine } from './recommendations.engine.ts';
import type { Narrator } from './recommendations.narrative.ts';
import {
  type Action,
  assertApplicable,
  assertTransition,
  authorizeAct,
  authorizeApply,
  authorizeRecommendationRead,
} from './recommendations.policy.ts';
import { type BundleView, presentBundle, presentItem, presentSummary } from './recommendations.presenter.ts';
import { actualExtent, lineCount } from './recommendations.queries.ts';
import {
  bundleItems,
  findBundle,
  findItem,
  insertBundle,
  listBundles,
  replaceBenchmarks,
  tenantBenchmarks,
  updateItem,
} from './recommendations.repository.ts';
import type { ActInput, BenchmarksPut, GenerateInput } from './recommendations.schema.ts';
import { addMonths } from './recommendations.stats.ts';

/** Job type of a generation run in the background. */
export const RECOMMENDATIONS_JOB = 'recommendations.generate';
export const ALGORITHM_VERSION = '1.0.0';
/** Above either size a generation runs as a job (the request gets 202 and a job id). */
export const JOB_THRESHOLD = { lines: 2_000, actualRows: 100_000 };

/** Payload of a generation job. */
export interface GenerateJobPayload {
  budget_id: string;
  input: GenerateInput;
}

export class RecommendationService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly variance: VarianceService,
    private readonly scenarios: ScenarioService,
    private readonly queue: JobQueue,
    private readonly narrator: Narrator,
  ) {}

  /** Generates and stores a bundle, or queues a job when asked to or when the budget is large. */
  async generate(ctx: TenantContext, budgetId: string, input: GenerateInput) {
    authorizeRecommendationRead(ctx);
    const large = await withTenant(this.deps.db, ctx, async (tx) => {
      const budget = await mustFindBudget(tx, budgetId);
      if (input.run_as_job !== undefined) return input.run_as_job;
      if ((await lineCount(tx, budgetId)) > JOB_THRESHOLD.lines) return true;
      const end = budget.periodEnd ? `${budget.periodEnd.slice(0, 7)}-01` : null;
      if (!end) return false;
      const scope = { departmentId: budget.departmentId, costCenterId: budget.costCenterId };
      const { rows } = await actualExtent(tx, { from: addMonths(end, -HISTORY_MONTHS - 12), to: end, scope });
      return rows > JOB_THRESHOLD.actualRows;
    });
    if (large) {
      const payload: GenerateJobPayload = { budget_id: budgetId, input };
      const job = await this.queue.enqueue(ctx, RECOMMENDATIONS_JOB, payload);
      return { kind: 'job' as const, job: { job_id: job.id, status: job.status } };
    }
    return { kind: 'bundle' as const, bundle: await this.compute(ctx.tenantId, ctx.userId, budgetId, input) };
  }

  /** Runs the engine and stores the bundle (also the job handler's work). */
  async compute(
    tenantId: string,
    userId: string,
    budgetId: string,
    input: GenerateInput,
    jobId?: string,
  ): Promise<BundleView> {
    const result = await runEngine(this.deps.db, this.variance, { tenantId, userId }, budgetId, input);
    const narrative = input.narrative
      ? await this.narrator.narrate(result.analysis, result.ranked)
      : { text: null, status: 'not_requested' };
    const bundleId = uuidv7();
    return withTenant(this.deps.db, { tenantId, userId }, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const {
        strategic_goals,
        risk_tolerance,
        industry,
        narrative: _n,
        run_as_job: _j,
        ...thresholds
      } = input;
      await insertBundle(
        tx,
        {
          tenantId,
          id: bundleId,
          budgetId,
          contextId: input.context_id ?? null,
          parameters: { strategic_goals, risk_tolerance, industry, ...thresholds },
          analysis: result.analysis,
          benchmarks: result.benchmarks,
          totalEstimatedImpact: result.totalImpact,
          averageConfidence: result.averageConfidence,
          algorithmVersion: ALGORITHM_VERSION,
          narrative: narrative.text,
          narrativeStatus: narrative.status,
          jobId: jobId ?? null,
          createdBy: userId,
        },
        result.ranked.map((r) => ({
          tenantId,
          id: uuidv7(),
          bundleId,
          budgetId,
          rank: r.rank,
          type: r.type,
          category: r.category,
          title: r.title.slice(0, 300),
          description: r.description.slice(0, 4000),
          estimatedImpact: r.estimated_impact,
          confidenceScore: r.confidence_score,
          implementationEffort: r.implementation_effort,
          timeframe: r.timeframe,
          requiredActions: r.required_actions,
          riskFactors: r.risk_factors,
          priority: r.priority,
          priorityScore: r.priority_score,
          evidence: r.evidence,
          adjustment: r.adjustment,
        })),
      );
      return presentBundle((await findBundle(tx, bundleId))!, await bundleItems(tx, bundleId));
    });
  }

  /** Bundles of a budget, newest first. */
  async list(ctx: TenantContext, budgetId: string, limit: number, cursor?: string) {
    authorizeRecommendationRead(ctx);
    const afterId = decodeCursor(cursor);
    return withTenant(this.deps.db, ctx, async (tx) => {
      await mustFindBudget(tx, budgetId);
      const rows = (await listBundles(tx, budgetId, limit, afterId)).map((r) => ({ ...r, id: r.bundle.id }));
      const page = pageOf(rows, limit);
      return { items: page.items.map((r) => presentSummary(r.bundle, r.n)), next_cursor: page.nextCursor };
    });
  }

  /** One bundle with its recommendations. */
  async get(ctx: TenantContext, bundleId: string): Promise<BundleView> {
    authorizeRecommendationRead(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const bundle = await findBundle(tx, bundleId);
      if (!bundle) throw new NotFoundError('Recommendation bundle', bundleId, 'params.bundleId');
      return presentBundle(bundle, await bundleItems(tx, bundleId));
    });
  }

  /** Accepts or dismisses a recommendation (audited). */
  async decide(
    ctx: TenantContext,
    bundleId: string,
    id: string,
    action: 'accept' | 'dismiss',
    input: ActInput,
  ) {
    authorizeAct(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const before = await this.mustFindItem(tx, bundleId, id, action, input.version);
      const after = await updateItem(tx, id, {
        status: action === 'accept' ? 'accepted' : 'dismissed',
        statusReason: input.reason ?? null,
        actedAt: new Date(),
        actedBy: ctx.userId,
      });
      await this.audit(
        tx,
        ctx,
        `recommendation.${action === 'accept' ? 'accepted' : 'dismissed'}`,
        before,
        after,
      );
      if (action === 'accept')
        await emit(tx, ctx, {
          type: 'recommendation.accepted',
          subjectId: id,
          data: {
            recommendation_id: id,
            bundle_id: bundleId,
            budget_id: after.budgetId,
            status: after.status,
          },
        });
      return presentItem(after);
    });
  }

  /** Creates a scenario with the recommendation's adjustment and marks it applied (audited). */
  async apply(ctx: TenantContext, bundleId: string, id: string, input: ActInput) {
    authorizeApply(ctx);
    const item = await withTenant(this.deps.db, ctx, async (tx) => {
      const found = await this.mustFindItem(tx, bundleId, id, 'apply', input.version);
      assertApplicable(found);
      return found;
    });
    // The scenarios service owns its transaction; if the recommendation changed meanwhile, the
    // scenario it just created is deleted again so that nothing is applied twice.
    const scenario = await this.scenarios.create(ctx, item.budgetId, {
      name: `${item.title.slice(0, 220)} (recommendation ${item.id.slice(-8)})`,
      description: `Applied from recommendation ${item.id} of bundle ${bundleId}: ${item.description}`.slice(
        0,
        2000,
      ),
      adjustments: [item.adjustment as Adjustment],
    });
    try {
      return await withTenant(this.deps.db, ctx, async (tx) => {
        const before = await this.mustFindItem(tx, bundleId, id, 'apply', item.version);
        const after = await updateItem(tx, id, {
          status: 'applied',
          statusReason: input.reason ?? null,
          actedAt: new Date(),
          actedBy: ctx.userId,
          scenarioId: scenario.scenario_id,
        });
        await this.audit(tx, ctx, 'recommendation.applied', before, after);
        await emit(tx, ctx, {
          type: 'recommendation.applied',
          subjectId: id,
          data: {
            recommendation_id: id,
            bundle_id: bundleId,
            budget_id: after.budgetId,
            status: after.status,
            scenario_id: scenario.scenario_id,
          },
        });
        return presentItem(after);
      });
    } catch (error) {
      await this.scenarios.delete(ctx, item.budgetId, scenario.scenario_id).catch(() => {});
      throw error;
    }
  }

  /** The effective benchmark figures: the tenant's own, then the built-in defaults. */
  async benchmarks(ctx: TenantContext) {
    authorizeRecommendationRead(ctx);
    const own = await withTenant(this.deps.db, ctx, (tx) => tenantBenchmarks(tx));
    return {
      figures: [
        ...own.map((b) => ({
          industry: b.industry,
          metric: b.metric,
          value: b.value,
          unit: b.unit,
          source: b.source,
          is_configurable_default: b.isConfigurableDefault,
          origin: 'tenant' as const,
        })),
        ...BUILT_IN_BENCHMARKS.map((b) => ({ ...b, origin: 'built_in' as const })),
      ],
    };
  }

  /** Replaces the tenant's benchmark figures (audited). */
  async putBenchmarks(ctx: TenantContext, input: BenchmarksPut) {
    authorizeAct(ctx);
    const seen = new Set<string>();
    for (const [i, f] of input.figures.entries()) {
      const key = `${f.industry}\u0000${f.metric}`;
      if (seen.has(key))
        throw fieldError(`figures.${i}`, 'duplicate_figure', `${f.industry}/${f.metric} appears twice`);
      seen.add(key);
    }
    await withTenant(this.deps.db, ctx, async (tx) => {
      const before = await tenantBenchmarks(tx);
      await replaceBenchmarks(
        tx,
        input.figures.map((f) => ({
          tenantId: ctx.tenantId,
          industry: f.industry,
          metric: f.metric,
          value: f.value,
          unit: f.unit,
          source: f.source,
          isConfigurableDefault: f.is_configurable_default,
          updatedBy: ctx.userId,
        })),
      );
      await recordAudit(tx, ctx, {
        action: 'recommendation_benchmarks.replaced',
        entityType: 'recommendation_benchmarks',
        before,
        after: input.figures,
      });
    });
    return this.benchmarks(ctx);
  }

  private async mustFindItem(tx: Tx, bundleId: string, id: string, action: Action, version?: number) {
    const item = await findItem(tx, bundleId, id, true);
    if (!item) throw new NotFoundError('Recommendation', id, 'params.recommendationId');
    if (version !== undefined && item.version !== version)
      throw new VersionConflictError('Recommendation', version, item.version);
    assertTransition(item, action);
    return item;
  }

  private audit(tx: Tx, ctx: TenantContext, action: string, before: unknown, after: { id: string }) {
    return recordAudit(tx, ctx, {
      action,
      entityType: 'recommendation',
      entityId: after.id,
      before: before ? presentItem(before as Parameters<typeof presentItem>[0]) : null,
      after: presentItem(after as Parameters<typeof presentItem>[0]),
    });
  }
}
