/**
 * Spreading: how a line's amount becomes its monthly periods, and the dates a budget covers.
 * Every line write calls writeLinePeriods in its own transaction (budgets, lines, excel, the
 * periods grid), so the periods never disagree with the line.
 */
import type { Tx } from '../../platform/db/client.ts';
import { BusinessRuleError, type FieldError, ValidationError } from '../../platform/http/errors.ts';
import type { BudgetType, SpreadMethod } from '../../shared/enums.ts';
import { Decimal } from '../../shared/money.ts';
import { fiscalYearStartMonth, planningSettings } from '../settings/index.ts';
import { negativeLinesRefused } from './lines.domain.ts';
import { allLines } from './lines.repository.ts';
import {
  addMonths,
  budgetRange,
  checkFiscalYear,
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

/**
 * The dates a budget covers under the tenant's fiscal year start, with its fiscal_year checked
 * (the tenant's window when `checkWindow`, and agreement with the dates); 400 naming the field
 * otherwise.
 */
export async function resolveBudgetRange(
  tx: Tx,
  tenantId: string,
  f: RangeFields,
  opts: { checkWindow: boolean } = { checkWindow: true },
): Promise<PeriodRange> {
  const input = { ...f, fiscalYearStartMonth: await fiscalYearStartMonth(tx, tenantId) };
  const planning = opts.checkWindow ? await planningSettings(tx, tenantId) : undefined;
  try {
    const range = budgetRange(input);
    checkFiscalYear(
      {
        ...input,
        ...(planning
          ? {
              window: {
                past: planning.fiscalYearsPast,
                future: planning.fiscalYearsFuture,
                now: new Date().getUTCFullYear(),
              },
            }
          : {}),
      },
      range,
    );
    return range;
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
    budgetRange({
      budgetType: derived,
      fiscalYear: b.fiscalYear,
      fiscalYearStartMonth: await fiscalYearStartMonth(tx, b.tenantId),
    }),
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
  /** The lines are stored already and keep their amounts (re-dating): no sign check. */
  existing?: boolean;
  /**
   * Period amounts given as they are (a workbook's month columns) by line id: one per budget
   * period, summing to the line's amount; the other lines are spread by their methods.
   */
  explicit?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Spreads the lines by their methods and writes their periods; call in the line write's
 * transaction. Every line write passes here, so this is also where a negative amount is refused
 * when the tenant does not allow negative lines (the write is rolled back with the 400).
 */
export async function writeLinePeriods(
  tx: Tx,
  budget: BudgetDates,
  lines: SpreadableLine[],
  opts: WriteOptions = {},
): Promise<void> {
  if (lines.length === 0) return;
  if (!opts.existing && lines.some((l) => l.amount.startsWith('-'))) {
    const { allowNegativeLines } = await planningSettings(tx, budget.tenantId);
    const refused = negativeLinesRefused(lines, allowNegativeLines, (i) =>
      opts.pathPrefix ? `${opts.pathPrefix}.${i}.amount` : 'amount',
    );
    if (refused.length) throw new ValidationError(refused.slice(0, 100));
  }
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
    const given = opts.explicit?.get(line.id);
    if (given) {
      const prefix = opts.pathPrefix ? `${opts.pathPrefix}.${i}.` : '';
      const sum = given.reduce((s, a) => s.plus(a), new Decimal(0));
      if (given.length !== starts.length || !sum.eq(line.amount))
        errors.push({
          path: `${prefix}periods`,
          code: 'periods_mismatch',
          message: `${given.length} period amounts summing to ${sum.toFixed(2)} given; the budget has ${starts.length} periods and the line's amount is ${line.amount}`,
        });
      else rows.push({ lineId: line.id, amounts: given.map((a) => new Decimal(a).toFixed(2)) });
      return;
    }
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
  await writeLinePeriods(tx, budget, await allLines(tx, budget.id), { replace: true, existing: true });
}
