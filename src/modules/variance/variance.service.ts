/** Variance use cases: the report (inline or as a job) and the tenant's default thresholds. */
import type { Tx } from '../../platform/db/client.ts';
import { BusinessRuleError, NotFoundError } from '../../platform/http/errors.ts';
import type { JobQueue } from '../../platform/queue/queue.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import {
  type TenantContext,
  type TenantScope,
  tenantOf,
  withTenant,
} from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/index.ts';
import { findBudget } from '../budgets/index.ts';
import { fxRateMissing } from '../fx/index.ts';
import { fiscalYearStartMonth } from '../settings/index.ts';
import { authorizeThresholdChange, authorizeVariance } from './variance.policy.ts';
import { presentVariance } from './variance.presenter.ts';
import {
  budgetMonths,
  latestActualMonth,
  readThresholds,
  varianceRows,
  writeThresholds,
} from './variance.repository.ts';
import type {
  ThresholdSettings,
  VarianceQuery,
  VarianceReport,
  VarianceReportQuery,
  VarianceResult,
} from './variance.schema.ts';

/** Job type of a variance report run in the background. */
export const VARIANCE_JOB = 'variance.report';

/** Thresholds when neither the request nor the tenant says otherwise. */
export const DEFAULT_THRESHOLDS: ThresholdSettings = { threshold_amount: '0.00', threshold_percent: '10.00' };

/** Payload of a variance job. */
export interface VarianceJobPayload {
  budget_id: string;
  query: VarianceQuery;
}

export class VarianceService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly queue: JobQueue,
  ) {}

  /** The variance report of a budget for the caller. */
  async report(ctx: TenantContext, budgetId: string, q: VarianceQuery): Promise<VarianceResult> {
    authorizeVariance(ctx);
    // A grouping of VarianceQuery gives a report of that grouping.
    return (await this.compute(ctx, budgetId, q)) as VarianceResult;
  }

  /** The report with any grouping, fiscal quarter, half and year included. */
  async reportAny(ctx: TenantContext, budgetId: string, q: VarianceReportQuery): Promise<VarianceReport> {
    authorizeVariance(ctx);
    return this.compute(ctx, budgetId, q);
  }

  /** Computes a report in one tenant transaction (also used by the job handler). */
  compute(
    actor: TenantScope,
    budgetId: string,
    q: VarianceReportQuery | VarianceQuery,
    onResult?: (tx: Tx, result: VarianceReport) => Promise<void>,
  ): Promise<VarianceReport> {
    return withTenant(this.deps.db, actor, async (tx) => {
      const budget = await findBudget(tx, budgetId);
      if (!budget) throw new NotFoundError('Budget', budgetId);
      const months = await budgetMonths(tx, budgetId);
      if (months.length === 0)
        throw new BusinessRuleError(
          'budget_has_no_periods',
          'Budget has no periods yet: add lines (they are spread over its months) or set its dates',
        );
      const from = months[0]!;
      const scope = { departmentId: budget.departmentId, costCenterId: budget.costCenterId };
      const asOf = q.as_of
        ? `${q.as_of}-01`
        : ((await latestActualMonth(tx, from, months.at(-1)!, scope)) ?? months.at(-1)!);
      if (!months.includes(asOf))
        throw new BusinessRuleError(
          'as_of_outside_budget',
          `as_of ${asOf.slice(0, 7)} is outside the budget's months ${from.slice(0, 7)} to ${months.at(-1)!.slice(0, 7)}`,
          'query.as_of',
        );
      const tenantDefaults = await readThresholds(tx, tenantOf(actor), DEFAULT_THRESHOLDS);
      const thresholds = {
        amount: q.threshold_amount ?? tenantDefaults.threshold_amount,
        percent: q.threshold_percent ?? tenantDefaults.threshold_percent,
      };
      const rows = await varianceRows(tx, {
        budgetId,
        baseCurrency: budget.baseCurrency,
        from,
        asOf,
        by: q.by,
        thresholdAmount: thresholds.amount,
        thresholdPercent: thresholds.percent,
        lineType: q.line_type,
        flaggedOnly: q.flagged_only,
        scope,
        fiscalYearStartMonth: await fiscalYearStartMonth(tx, tenantOf(actor)),
      });
      const missing = rows.filter((r) => r.kind === 'fx' && r.k3 === null);
      const [first, ...more] = missing.map((r) => ({ currency: r.k1!, period: r.k2! }));
      if (first) throw fxRateMissing(first.currency, budget.baseCurrency, first.period, more.slice(0, 9));
      const result = presentVariance(
        { budgetId, baseCurrency: budget.baseCurrency, by: q.by, asOf, from, thresholds },
        rows,
      );
      // In the same transaction (the job's domain event, written with what it read).
      await onResult?.(tx, result);
      return result;
    });
  }

  /** Queues a report as a background job (the budget must exist now; 404 otherwise). */
  async enqueue(ctx: TenantContext, budgetId: string, q: VarianceQuery) {
    authorizeVariance(ctx);
    await withTenant(this.deps.db, ctx, async (tx) => {
      if (!(await findBudget(tx, budgetId))) throw new NotFoundError('Budget', budgetId);
    });
    const payload: VarianceJobPayload = { budget_id: budgetId, query: q };
    return this.queue.enqueue(ctx, VARIANCE_JOB, payload);
  }

  /** The tenant's default thresholds. */
  async thresholds(ctx: TenantContext): Promise<ThresholdSettings> {
    authorizeVariance(ctx);
    return withTenant(this.deps.db, ctx, (tx) => readThresholds(tx, ctx.tenantId, DEFAULT_THRESHOLDS));
  }

  /** Sets the tenant's default thresholds (audited). */
  async setThresholds(ctx: TenantContext, input: ThresholdSettings): Promise<ThresholdSettings> {
    authorizeThresholdChange(ctx);
    return withTenant(this.deps.db, ctx, async (tx) => {
      const before = await readThresholds(tx, ctx.tenantId, DEFAULT_THRESHOLDS);
      await writeThresholds(tx, ctx.tenantId, input);
      await recordAudit(tx, ctx, {
        action: 'variance_thresholds.updated',
        entityType: 'tenant',
        entityId: ctx.tenantId,
        before,
        after: input,
      });
      return input;
    });
  }
}
