/**
 * Periods use cases: the period grid, and editing a line's periods by hand (spreading lives in
 * periods.spreading.ts).
 */
import {
  AppError,
  BusinessRuleError,
  type FieldError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import { Decimal } from '../../shared/money.ts';
import { recordAudit, recordAudits } from '../audit/index.ts';
import { fiscalYearStartMonth, planningSettings } from '../settings/index.ts';
import type { BudgetAccess } from './lines.budgets.ts';
import { negativeLinesRefused } from './lines.domain.ts';
import { presentLine } from './lines.presenter.ts';
import { findLine, findLines, setManualAmounts, updateLine } from './lines.repository.ts';
import { spreadEven, sumMoney, withinMaxAmount } from './periods.domain.ts';
import { groupGrid, presentGrid, presentLinePeriods } from './periods.presenter.ts';
import {
  countLines,
  deleteLinePeriods,
  gridLines,
  insertPeriods,
  type LinePage,
  periodsByLine,
  periodsOf,
} from './periods.repository.ts';
import type { BulkPeriodsUpdateInput, PeriodGrouping, PeriodsUpdateInput } from './periods.schema.ts';
import { budgetPeriodStarts } from './periods.spreading.ts';

export class PeriodService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgets: BudgetAccess,
  ) {}

  /**
   * The budget's lines x periods grid with totals per period and line type. Two single-pass
   * reads, each one JSON value, merged in Node: a per-line join is planned as a scan per line on
   * tables without statistics (minutes for 10,000 lines on PGlite), and exact totals of 120,000
   * cells are a few milliseconds of BigInt sums. With a `page`, only its lines are read (the
   * editor's first screen of a 10,000-line budget) and the totals are theirs.
   */
  async grid(ctx: TenantContext, budgetId: string, by: PeriodGrouping = 'month', page?: LinePage) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const budget = await this.budgets.find(tx, budgetId);
      const starts = await budgetPeriodStarts(tx, budget);
      const lines = await gridLines(tx, budgetId, page);
      const byLine = await periodsByLine(tx, budgetId, page ? lines.map((l) => l.line_id) : undefined);
      const lineCount = page ? await countLines(tx, budgetId) : lines.length;
      const grid = presentGrid(budget, starts, lines, byLine, lineCount);
      return by === 'month' ? grid : groupGrid(grid, by, await fiscalYearStartMonth(tx, ctx.tenantId));
    });
  }

  /**
   * Sets some or all of a line's period amounts (its `version` must be current): the line's
   * amount becomes their sum and its spread method `manual`.
   */
  async setPeriods(ctx: TenantContext, budgetId: string, lineId: string, input: PeriodsUpdateInput) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const budget = await this.budgets.openForEdit(tx, ctx.tenantId, budgetId);
      const before = await findLine(tx, budgetId, lineId, true);
      if (!before) throw new NotFoundError('Budget line', lineId, 'params.lineId');
      if (before.version !== input.version) {
        throw new VersionConflictError('Budget line', input.version, before.version, before);
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
        } else if (before.isContra ? !new Decimal(p.amount).gt(0) : !new Decimal(p.amount).lt(0)) {
          amounts[p.period_index] = p.amount;
        } else {
          errors.push({
            path: `periods.${i}.amount`,
            code: before.isContra ? 'contra_amount_positive' : 'too_small',
            message: before.isContra
              ? `amount of a period of a contra line (is_contra: true) must be at most 0, got ${p.amount}`
              : `amount must be at least 0 (got ${p.amount}); only a contra line (is_contra: true) has negative periods`,
          });
        }
        seen.add(p.period_index);
      });
      if (errors.length) throw new ValidationError(errors);
      if (before.isContra && input.periods.some((p) => p.amount.startsWith('-'))) {
        const { allowNegativeLines } = await planningSettings(tx, ctx.tenantId);
        const refused = negativeLinesRefused(input.periods, allowNegativeLines, (i) => `periods.${i}.amount`);
        if (refused.length) throw new ValidationError(refused);
      }
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

  /**
   * Sets the periods of many lines in one transaction (a pasted block, a fill): each line with
   * its own version, all or nothing. Field errors name the line and month
   * (`lines.3.periods.0.amount`); stale versions answer one 409 listing every stale line; each
   * line is audited and the collaborators get one `periods_updated` change with every line.
   */
  async setManyPeriods(ctx: TenantContext, budgetId: string, input: BulkPeriodsUpdateInput) {
    return withTenant(this.deps.db, ctx, async (tx) => {
      const budget = await this.budgets.openForEdit(tx, ctx.tenantId, budgetId);
      const errors: FieldError[] = [];
      const firstAt = new Map<string, number>();
      input.lines.forEach((l, i) => {
        if (firstAt.has(l.line_id))
          errors.push({
            path: `lines.${i}.line_id`,
            code: 'duplicate',
            message: `line ${l.line_id} is also at lines.${firstAt.get(l.line_id)}; send each line once`,
          });
        else firstAt.set(l.line_id, i);
      });
      if (errors.length) throw new ValidationError(errors);
      const ids = input.lines.map((l) => l.line_id);
      const rows = new Map((await findLines(tx, budgetId, ids, true)).map((r) => [r.id, r]));
      input.lines.forEach((l, i) => {
        if (!rows.has(l.line_id))
          errors.push({
            path: `lines.${i}.line_id`,
            code: 'not_found',
            message: `Budget line ${l.line_id} not found in this budget`,
          });
      });
      if (errors.length) {
        throw new AppError(404, 'not_found', errors[0]!.message, errors);
      }
      const stale = input.lines.flatMap((l, i) => {
        const row = rows.get(l.line_id)!;
        return row.version === l.version ? [] : [{ i, l, row }];
      });
      if (stale.length) {
        const message = `${stale.length} budget line${stale.length > 1 ? 's have' : ' has'} been modified by another user since you loaded ${stale.length > 1 ? 'them' : 'it'}`;
        throw new AppError(
          409,
          'version_conflict',
          message,
          stale.map(({ i, l, row }) => ({
            path: `lines.${i}.version`,
            code: 'stale_version',
            message: `Budget line ${l.line_id}: version ${l.version} is stale, the current version is ${row.version}`,
          })),
          {
            conflicts: stale.map(({ l, row }) => ({
              line_id: l.line_id,
              sent_version: l.version,
              current_version: row.version,
              updated_by: row.updatedBy ?? row.createdBy,
              updated_at: (row.updatedAt ?? row.createdAt).toISOString(),
            })),
          },
        );
      }
      const starts = await budgetPeriodStarts(tx, budget);
      const current = new Map((await periodsOf(tx, budgetId, ids)).map((p) => [p.lineId, p.amounts]));
      const next = input.lines.map((l, i) => {
        const row = rows.get(l.line_id)!;
        const had = current.get(l.line_id);
        const amounts = had?.length === starts.length ? [...had] : spreadEven(row.amount, starts.length);
        const seen = new Set<number>();
        l.periods.forEach((p, j) => {
          if (p.period_index >= starts.length)
            errors.push({
              path: `lines.${i}.periods.${j}.period_index`,
              code: 'too_big',
              message: `period_index must be below ${starts.length} (the budget has ${starts.length} periods)`,
            });
          else if (seen.has(p.period_index))
            errors.push({
              path: `lines.${i}.periods.${j}.period_index`,
              code: 'duplicate',
              message: 'period_index given twice',
            });
          else if (row.isContra ? !new Decimal(p.amount).gt(0) : !new Decimal(p.amount).lt(0))
            amounts[p.period_index] = p.amount;
          else
            errors.push({
              path: `lines.${i}.periods.${j}.amount`,
              code: row.isContra ? 'contra_amount_positive' : 'too_small',
              message: row.isContra
                ? `amount of a period of a contra line (is_contra: true) must be at most 0, got ${p.amount}`
                : `amount must be at least 0 (got ${p.amount}); only a contra line (is_contra: true) has negative periods`,
            });
          seen.add(p.period_index);
        });
        const amount = sumMoney(amounts);
        if (!withinMaxAmount(amount))
          errors.push({
            path: `lines.${i}.periods`,
            code: 'too_big',
            message: `The periods of "${row.lineName}" sum to ${amount}, above 999999999999.99`,
          });
        else if (row.quantity !== null && row.unitCost !== null && amount !== row.amount)
          errors.push({
            path: `lines.${i}.periods`,
            code: 'amount_from_quantity',
            message: `The amount of "${row.lineName}" is quantity x unit_cost (${row.amount}); the periods sum to ${amount}. Change quantity or unit_cost, or clear them first`,
          });
        return { row, before: had, amounts, amount };
      });
      if (!errors.length && input.lines.some((l) => l.periods.some((p) => p.amount.startsWith('-')))) {
        const { allowNegativeLines } = await planningSettings(tx, ctx.tenantId);
        input.lines.forEach((l, i) => {
          errors.push(
            ...negativeLinesRefused(l.periods, allowNegativeLines, (j) => `lines.${i}.periods.${j}.amount`),
          );
        });
      }
      if (errors.length) {
        if (errors.every((e) => e.code === 'amount_from_quantity'))
          throw new AppError(422, 'amount_from_quantity', errors[0]!.message, errors);
        throw new ValidationError(errors);
      }
      const saved = new Map(
        (
          await setManualAmounts(
            tx,
            next.map((n) => ({ id: n.row.id, amount: n.amount })),
            ctx.userId,
          )
        ).map((r) => [r.id, r]),
      );
      await deleteLinePeriods(tx, ids);
      await insertPeriods(
        tx,
        ctx.tenantId,
        budgetId,
        starts,
        next.map((n) => ({ lineId: n.row.id, amounts: n.amounts })),
      );
      await recordAudits(
        tx,
        ctx,
        next.map((n) => ({
          action: 'budget_line.periods_updated',
          entityType: 'budget_line',
          entityId: n.row.id,
          before: { amount: n.row.amount, spread_method: n.row.spreadMethod, periods: n.before ?? null },
          after: { amount: n.amount, spread_method: 'manual', periods: n.amounts },
        })),
      );
      const lines = next.map((n) => {
        const s = saved.get(n.row.id)!;
        return {
          line_id: n.row.id,
          amount: s.amount,
          spread_method: 'manual' as const,
          version: s.version,
          updated_at: s.updated_at,
          periods: n.amounts,
          // Scoped collaborators receive only their departments' lines (collaboration.visibility.ts).
          department_id: n.row.departmentId,
        };
      });
      // One change for the collaborators, carrying every line's new months and version.
      await this.deps.changes?.record(tx, ctx, {
        budgetId,
        kind: 'periods_updated',
        targetType: 'budget',
        targetId: budgetId,
        before: null,
        after: { lines: lines.map((l) => ({ ...l, updated_by: ctx.userId })) },
      });
      return { budget_id: budgetId, updated: lines.length, lines };
    });
  }
}
