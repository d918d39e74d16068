/**
 * Spreading: how a line's amount becomes its monthly periods, and the dates a budget covers.
 * Every line write calls writeLinePeriods in its own transaction (budgets, lines, excel, the
 * periods grid), so the periods never disagree with the line.
 */
import type { Tx } from '../../platform/db/client.ts';
import { BusinessRuleError, type FieldError, ValidationError } from '../../platform/http/errors.ts';
import type { BudgetType, SpreadMethod } from '../../shared/enums.ts';
import { Decimal } from '../../shared/money.ts';
import { allLines } from '../lines/lines.repository.ts';
import { fiscalYearStartMonth } from '../settings/settings.repository.ts';
import {
  addMonths,
  budgetRange,
  monthOf,
  monthStart,
  type PeriodRange,
  PeriodRuleError,
  periodStarts,
  spreadLine,
} from './periods.domain.ts';
import {
  type ActualTotal,
  actualTotals,
  deleteLinePeriods,
  insertPeriods,
  type LinePeriods,
  periodsOf,
} from './periods.repository.ts';

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

/** Re-spreads every live line of a budget whose dates changed (manual lines keep their shape when they can). */
export async function respreadBudget(tx: Tx, budget: BudgetDates): Promise<void> {
  await writeLinePeriods(tx, budget, await allLines(tx, budget.id), { replace: true });
}
