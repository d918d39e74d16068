/**
 * Periods use cases: spreading lines over their budget's months (called by every line write, in
 * its transaction), the period grid, and editing a line's periods by hand.
 */
import type { Tx } from '../../platform/db/client.ts';
import { type AfterCommit, runAfterCommit } from '../../platform/events/change-hooks.ts';
import {
  BusinessRuleError,
  type FieldError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../../platform/http/errors.ts';
import type { ServiceDeps } from '../../platform/services.ts';
import { type TenantContext, withTenant } from '../../platform/tenancy/tenancy.ts';
import type { BudgetType, SpreadMethod } from '../../shared/enums.ts';
import { Decimal } from '../../shared/money.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { assertEditable } from '../budgets/budgets.policy.ts';
import type { BudgetService } from '../budgets/budgets.service.ts';
import { presentLine } from '../lines/lines.presenter.ts';
import { allLines, findLine, updateLine } from '../lines/lines.repository.ts';
import { fiscalYearStartMonth } from '../settings/settings.repository.ts';
import {
  addMonths,
  budgetRange,
  centsToMoney,
  monthEnd,
  monthOf,
  monthStart,
  type PeriodRange,
  PeriodRuleError,
  periodStarts,
  spreadEven,
  spreadLine,
  sumMoney,
  toCents,
  withinMaxAmount,
} from './periods.domain.ts';
import {
  type ActualTotal,
  actualTotals,
  deleteLinePeriods,
  gridLines,
  insertPeriods,
  type LinePeriods,
  periodsOf,
} from './periods.repository.ts';
import type { PeriodsUpdateInput } from './periods.schema.ts';

/** The fields of a budget that decide its periods. */
export interface BudgetDates {
  id: string;
  tenantId: string;
  budgetType: BudgetType;
  fiscalYear: string;
  periodStart: string | null;
  periodEnd: string | null;
}

/** The fields of a line that decide its spread. */
export interface SpreadableLine {
  id: string;
  amount: string;
  category: string;
  spreadMethod?: SpreadMethod | null | undefined;
  spreadProfile?: string[] | null | undefined;
  glAccountId?: string | null | undefined;
  departmentId?: string | null | undefined;
}

export interface RangeFields {
  budgetType: BudgetType;
  fiscalYear: string;
  periodStart?: string | null | undefined;
  periodEnd?: string | null | undefined;
}

/** The dates a budget covers under the tenant's fiscal year start; 400 naming the field otherwise. */
export async function resolveBudgetRange(tx: Tx, tenantId: string, f: RangeFields): Promise<PeriodRange> {
  try {
    return budgetRange({ ...f, fiscalYearStartMonth: await fiscalYearStartMonth(tx, tenantId) });
  } catch (e) {
    if (e instanceof PeriodRuleError)
      throw new ValidationError([{ path: e.field, code: e.code, message: e.message }]);
    throw e;
  }
}

/** First day of each of the budget's months (budgets from before periods existed: derived now). */
export async function budgetPeriodStarts(tx: Tx, b: BudgetDates): Promise<string[]> {
  if (b.periodStart && b.periodEnd)
    return periodStarts({ periodStart: b.periodStart, periodEnd: b.periodEnd });
  const derived = ['project', 'rolling'].includes(b.budgetType) ? 'annual' : b.budgetType;
  return periodStarts(
    await resolveBudgetRange(tx, b.tenantId, { budgetType: derived, fiscalYear: b.fiscalYear }),
  );
}

/** Last year's monthly actual totals, indexed by month and GL account or category. */
function indexActuals(rows: ActualTotal[]) {
  const idx = new Map<string, ActualTotal[]>();
  const push = (k: string, r: ActualTotal) => {
    const list = idx.get(k);
    if (list) list.push(r);
    else idx.set(k, [r]);
  };
  for (const r of rows) {
    if (r.gl_account_id !== null) push(`${r.period}|g|${r.gl_account_id}`, r);
    if (r.category !== null) push(`${r.period}|c|${r.category}`, r);
  }
  // A line matches by GL account when it has one, else by category; and by department when it has one.
  return (line: SpreadableLine, month: string): string => {
    const key = line.glAccountId ? `${month}|g|${line.glAccountId}` : `${month}|c|${line.category}`;
    let total = new Decimal(0);
    for (const r of idx.get(key) ?? []) {
      if (!line.departmentId || r.department_id === line.departmentId) total = total.plus(r.total);
    }
    // Ledger signs differ (revenue is usually a credit): the shape of a month is its size.
    return total.abs().toFixed(2);
  };
}

export interface WriteOptions {
  /** Replace the lines' existing periods (updates); creates only insert. */
  replace?: boolean;
  /** Where the lines sit in the request body, for error paths ('' = the body is the line). */
  pathPrefix?: string;
}

/** Spreads the lines by their methods and writes their periods; call in the line write's transaction. */
export async function writeLinePeriods(
  tx: Tx,
  budget: BudgetDates,
  lines: SpreadableLine[],
  opts: WriteOptions = {},
): Promise<void> {
  if (lines.length === 0) return;
  const starts = await budgetPeriodStarts(tx, budget);
  const lastYearOf = lines.some((l) => l.spreadMethod === 'last_year')
    ? indexActuals(
        await actualTotals(
          tx,
          monthStart(addMonths(monthOf(starts[0]!), -12)),
          monthStart(addMonths(monthOf(starts.at(-1)!), -12)),
        ),
      )
    : undefined;
  const manualIds = opts.replace ? lines.filter((l) => l.spreadMethod === 'manual').map((l) => l.id) : [];
  const previous = new Map(
    manualIds.length ? (await periodsOf(tx, budget.id, manualIds)).map((p) => [p.lineId, p.amounts]) : [],
  );
  const errors: FieldError[] = [];
  const rows: LinePeriods[] = [];
  lines.forEach((line, i) => {
    const method = line.spreadMethod ?? 'even';
    try {
      const amounts = spreadLine(
        {
          amount: line.amount,
          spreadMethod: method,
          spreadProfile: line.spreadProfile ?? null,
          lastYear:
            lastYearOf && method === 'last_year'
              ? starts.map((s) => lastYearOf(line, lastMonth(s)))
              : undefined,
          previous: previous.get(line.id),
        },
        starts.length,
      );
      rows.push({ lineId: line.id, amounts });
    } catch (e) {
      if (!(e instanceof PeriodRuleError)) throw e;
      const prefix = opts.pathPrefix ? `${opts.pathPrefix}.${i}.` : '';
      if (e.code === 'no_last_year_actuals') {
        throw new BusinessRuleError(
          e.code,
          `${e.message} (line "${lineLabel(line)}")`,
          `${prefix}${e.field}`,
        );
      }
      errors.push({ path: `${prefix}${e.field}`, code: e.code, message: e.message });
    }
  });
  if (errors.length) throw new ValidationError(errors.slice(0, 100));
  if (opts.replace)
    await deleteLinePeriods(
      tx,
      lines.map((l) => l.id),
    );
  await insertPeriods(tx, budget.tenantId, budget.id, starts, rows);
}

const lastMonth = (start: string) => monthStart(addMonths(monthOf(start), -12));
const lineLabel = (l: SpreadableLine) => ('lineName' in l ? String(l.lineName) : l.id);

export class PeriodService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly budgets: BudgetService,
  ) {}

  /**
   * The budget's lines x periods grid with totals per period and line type. Two single-pass
   * reads merged in Node: a per-line join is planned as a scan per line on tables without
   * statistics, and exact totals of 120,000 cells are a few milliseconds of BigInt sums.
   */
  async grid(ctx: TenantContext, budgetId: string) {
    return withTenant(this.deps.db, ctx.tenantId, async (tx) => {
      const budget = await this.budgets.mustFind(tx, budgetId);
      const starts = await budgetPeriodStarts(tx, budget);
      const lines = await gridLines(tx, budgetId);
      const byLine = new Map((await periodsOf(tx, budgetId)).map((p) => [p.lineId, p.amounts]));
      const totals = starts.map(() => ({ revenue: 0n, expense: 0n, asset: 0n, liability: 0n }));
      const rows = lines.map((l) => {
        const periods = byLine.get(l.line_id) ?? [];
        periods.forEach((a, i) => {
          const t = totals[i];
          if (t) t[l.line_type] += toCents(a);
        });
        return { ...l, periods };
      });
      const periods = starts.map((s, i) => {
        const t = totals[i]!;
        return {
          period_index: i,
          period_start: s,
          revenue: centsToMoney(t.revenue),
          expense: centsToMoney(t.expense),
          asset: centsToMoney(t.asset),
          liability: centsToMoney(t.liability),
          total: centsToMoney(t.revenue + t.expense + t.asset + t.liability),
        };
      });
      return {
        budget_id: budget.id,
        period_start: starts[0]!,
        period_end: budget.periodEnd ?? monthEnd(monthOf(starts.at(-1)!)),
        periods,
        lines: rows,
        total: sumMoney(periods.map((p) => p.total)),
      };
    });
  }

  /**
   * Sets some or all of a line's period amounts (its `version` must be current): the line's
   * amount becomes their sum and its spread method `manual`.
   */
  async setPeriods(ctx: TenantContext, budgetId: string, lineId: string, input: PeriodsUpdateInput) {
    const afterCommit: AfterCommit[] = [];
    const result = await withTenant(this.deps.db, ctx.tenantId, async (tx) => {
      const budget = await this.budgets.mustFind(tx, budgetId, true);
      assertEditable(budget);
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
      const view = {
        line_id: lineId,
        budget_id: budgetId,
        amount,
        spread_method: after.spreadMethod,
        version: after.version,
        periods: starts.map((s, i) => ({ period_index: i, period_start: s, amount: amounts[i]! })),
      };
      await recordAudit(tx, ctx, {
        action: 'budget_line.periods_updated',
        entityType: 'budget_line',
        entityId: lineId,
        before: { amount: before.amount, spread_method: before.spreadMethod, periods: current ?? null },
        after: { amount, spread_method: 'manual', periods: amounts },
      });
      // A line update for the change hooks (collaboration broadcasts it live), with the months.
      if (this.deps.changes)
        afterCommit.push(
          ...(await this.deps.changes.record(tx, ctx, {
            budgetId,
            kind: 'line_updated',
            targetType: 'budget_line',
            targetId: lineId,
            before: { ...presentLine(before), periods: current ?? null },
            after: { ...presentLine(after), periods: amounts },
          })),
        );
      return view;
    });
    await this.budgets.cache.invalidate(ctx.tenantId, budgetId);
    runAfterCommit(afterCommit);
    return result;
  }
}

/** Re-spreads every live line of a budget whose dates changed (manual lines keep their shape when they can). */
export async function respreadBudget(tx: Tx, budget: BudgetDates): Promise<void> {
  await writeLinePeriods(tx, budget, await allLines(tx, budget.id), { replace: true });
}
