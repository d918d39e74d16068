/**
 * Periods use cases: the period grid, and editing a line's periods by hand (spreading lives in
 * periods.spreading.ts).
 */
import {
  BusinessRuleError,
  type FieldError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { mustFindBudget } from '../budgets/budget-lookup.ts';
import type { BudgetCache } from '../budgets/budgets.cache.ts';
import { assertEditable } from '../budgets/budgets.policy.ts';
import { presentLine } from '../lines/lines.presenter.ts';
import { findLine, updateLine } from '../lines/lines.repository.ts';
import { spreadEven, sumMoney, withinMaxAmount } from './periods.domain.ts';
import { presentGrid, presentLinePeriods } from './periods.presenter.ts';
import { deleteLinePeriods, gridLines, insertPeriods, periodsOf } from './periods.repository.ts';
import type { PeriodsUpdateInput } from './periods.schema.ts';
import { budgetPeriodStarts } from './periods.spreading.ts';

export class PeriodService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgetCache: BudgetCache,
  ) {}

  /**
   * The budget's lines x periods grid with totals per period and line type. Two single-pass
   * reads merged in Node: a per-line join is planned as a scan per line on tables without
   * statistics, and exact totals of 120,000 cells are a few milliseconds of BigInt sums.
   */
  async grid(ctx: TenantContext, budgetId: string) {
    return withTenant(this.deps.db, ctx.tenantId, async (tx) => {
      const budget = await mustFindBudget(tx, budgetId);
      const starts = await budgetPeriodStarts(tx, budget);
      const lines = await gridLines(tx, budgetId);
      const byLine = new Map((await periodsOf(tx, budgetId)).map((p) => [p.lineId, p.amounts]));
      return presentGrid(budget, starts, lines, byLine);
    });
  }

  /**
   * Sets some or all of a line's period amounts (its `version` must be current): the line's
   * amount becomes their sum and its spread method `manual`.
   */
  async setPeriods(ctx: TenantContext, budgetId: string, lineId: string, input: PeriodsUpdateInput) {
    return withTenant(this.deps.db, ctx.tenantId, async (tx) => {
      const budget = await mustFindBudget(tx, budgetId, true);
      assertEditable(budget);
      this.budgetCache.invalidateAfterCommit(tx, ctx.tenantId, budgetId);
      const before = await findLine(tx, budgetId, lineId, true);
      if (!before) throw new NotFoundError('Budget line', lineId, 'params.lineId');
      if (before.version !== input.version) {
        throw new VersionConflictError('Budget line', input.version, before.version);
      }
      const starts = await budgetPeriodStarts(tx, budget);
      const current = (await periodsOf(tx, budgetId, [lineId]))[0]?.amounts;
      // A line without stored periods (older data) starts from an even spread.
      const amounts =
        current?.length === starts.length ? [...current] : spreadEven(before.amount, starts.length);
      const errors: FieldError[] = [];
      const seen = new Set<number>();
      input.periods.forEach((p, i) => {
        if (p.period_index >= starts.length) {
          errors.push({
            path: `periods.${i}.period_index`,
            code: 'too_big',
            message: `period_index must be below ${starts.length} (the budget has ${starts.length} periods)`,
          });
        } else if (seen.has(p.period_index)) {
          errors.push({
            path: `periods.${i}.period_index`,
            code: 'duplicate',
            message: 'period_index given twice',
          });
        } else amounts[p.period_index] = p.amount;
        seen.add(p.period_index);
      });
      if (errors.length) throw new ValidationError(errors);
      const amount = sumMoney(amounts);
      if (!withinMaxAmount(amount)) {
        throw new ValidationError([
          {
            path: 'periods',
            code: 'too_big',
            message: `The periods sum to ${amount}, above 999999999999.99`,
          },
        ]);
      }
      if (before.quantity !== null && before.unitCost !== null && amount !== before.amount) {
        throw new BusinessRuleError(
          'amount_from_quantity',
          `The line amount is quantity x unit_cost (${before.amount}); the periods sum to ${amount}. Change quantity or unit_cost, or clear them first`,
          'periods',
        );
      }
      const after = await updateLine(tx, lineId, {
        amount,
        spreadMethod: 'manual',
        spreadProfile: null,
        updatedBy: ctx.userId,
      });
      await deleteLinePeriods(tx, [lineId]);
      await insertPeriods(tx, ctx.tenantId, budgetId, starts, [{ lineId, amounts }]);
      const view = presentLinePeriods(
        { lineId, budgetId, amount, spreadMethod: after.spreadMethod, version: after.version },
        starts,
        amounts,
      );
      await recordAudit(tx, ctx, {
        action: 'budget_line.periods_updated',
        entityType: 'budget_line',
        entityId: lineId,
        before: { amount: before.amount, spread_method: before.spreadMethod, periods: current ?? null },
        after: { amount, spread_method: 'manual', periods: amounts },
      });
      // A line update for the change listeners (collaboration broadcasts it live), with the months.
      await this.deps.changes?.record(tx, ctx, {
        budgetId,
        kind: 'line_updated',
        targetType: 'budget_line',
        targetId: lineId,
        before: { ...presentLine(before), periods: current ?? null },
        after: { ...presentLine(after), periods: amounts },
      });
      return view;
    });
  }
}
