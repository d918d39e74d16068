/**
 * The analysis of a budget (the guide's structure: department breakdown, spending velocity,
 * efficiency metrics, historical patterns), computed from the rows the queries returned. Every
 * figure comes from those rows; what cannot be computed is listed in `missing`, never guessed.
 */
import { Decimal } from '../../shared/money.ts';
import type { BudgetCell, HistoryCell, QueryEvidence } from './recommendations.queries.ts';
import {
  cents,
  growthYoY,
  type Point,
  pct,
  ratio,
  type Seasonality,
  seasonality,
  type Velocity,
  velocity,
  volatility,
} from './recommendations.stats.ts';

const ZERO = new Decimal(0);

/** YTD budget and actual of one department's expense lines, as the variance report computed them. */
export interface DepartmentYtd {
  departmentId: string | null;
  budget: string;
  actual: string;
}

export interface AnalysisInput {
  budgetId: string;
  baseCurrency: string;
  /** Months of the budget (first days), in order. */
  months: string[];
  /** Latest month of the budget with actuals, or null. */
  asOf: string | null;
  cells: BudgetCell[];
  /** Expense YTD per department from the variance report; null when there are no actuals in the budget. */
  departmentsYtd: DepartmentYtd[] | null;
  history: HistoryCell[];
  historyWindow: { from: string; to: string };
  headcount: string | null;
  revenueGroups: { grp: string; amount: string }[];
  queries: QueryEvidence[];
  missing: string[];
}

export interface DepartmentFigures {
  department_id: string | null;
  budget: string;
  ytd_budget: string | null;
  ytd_actual: string | null;
  ytd_variance: string | null;
  remaining_budget: string | null;
  pace: string | null;
  projected_full_year: string | null;
  projected_overrun: string | null;
}

export interface Analysis {
  budget_id: string;
  base_currency: string;
  period: {
    from: string;
    to: string;
    as_of: string | null;
    months_elapsed: number;
    months_remaining: number;
  };
  totals: { expense_budget: string; revenue_budget: string };
  department_breakdown: DepartmentFigures[];
  spending_velocity: Velocity | null;
  efficiency_metrics: {
    headcount: string | null;
    cost_per_employee: string | null;
    revenue_per_employee: string | null;
    profit_margin_percent: string | null;
    basis: 'budget';
  };
  historical_patterns: {
    window: { from: string; to: string };
    months_with_data: number;
    seasonal_shares: { month: number; share: string }[] | null;
    seasonal_peaks: number[];
    seasonal_cycles: number;
    seasonal_consistency: string | null;
    growth_trend_yoy_percent: string | null;
    volatility_cv: string | null;
    volatility_sd: string | null;
  };
  budget_phasing: { month: number; amount: string; share: string }[];
  revenue_groups: { group: string; amount: string }[];
  missing: string[];
  queries: QueryEvidence[];
}

/** Internal figures the generators need beyond the presented analysis (exact, not rounded). */
export interface AnalysisDetail {
  seasonality: Seasonality | null;
  phasing: Map<number, Decimal>;
  expenseBudget: Decimal;
  expenseSeries: Point[];
}

const monthOf = (m: string) => Number(m.slice(5, 7));

/** Computes the analysis and the exact figures behind it. */
export function analyse(input: AnalysisInput): { analysis: Analysis; detail: AnalysisDetail } {
  const missing = [...input.missing];
  const expenseCells = input.cells.filter((c) => c.line_type === 'expense');
  const sum = (cs: BudgetCell[]) => cs.reduce((a, c) => a.plus(c.amount), ZERO);
  const expenseBudget = sum(expenseCells);
  const revenueBudget = sum(input.cells.filter((c) => c.line_type === 'revenue'));
  if (input.cells.length === 0) missing.push('budget periods: the budget has no per-month amounts');

  const asOf = input.asOf;
  const elapsed = asOf ? input.months.filter((m) => m <= asOf).length : 0;
  const departments = departmentBreakdown(expenseCells, input.departmentsYtd, asOf, elapsed);

  const expenseSeries: Point[] = input.history
    .filter((h) => h.line_type === 'expense' && h.amount !== null)
    .map((h) => ({ m: h.m, amount: new Decimal(h.amount!) }));
  const unmatched = input.history.filter((h) => h.line_type === null).reduce((a, h) => a + Number(h.n), 0);
  if (unmatched > 0)
    missing.push(`actuals: ${unmatched} rows in the history window match no line of this budget (left out)`);
  const noRate = input.history.reduce((a, h) => a + Number(h.missing_rate_rows), 0);
  if (noRate > 0)
    missing.push(`fx_rates: ${noRate} actual rows have no rate to ${input.baseCurrency} (left out)`);
  if (expenseSeries.length === 0) missing.push('actuals: no expense actuals in the history window');

  const season = seasonality(expenseSeries);
  if (!season && expenseSeries.length > 0)
    missing.push('seasonality: needs every calendar month of expense actuals at least twice (24 months)');
  const vol = volatility(expenseSeries, season?.shares);
  if (!vol && expenseSeries.length > 0)
    missing.push('volatility: needs at least 6 months of expense actuals');
  const growth = growthYoY(expenseSeries);
  if (growth === null && expenseSeries.length > 0)
    missing.push('growth trend: needs 24 months of expense actuals');
  const vel = velocity(expenseSeries);

  const phasing = new Map<number, Decimal>();
  for (const c of expenseCells) phasing.set(monthOf(c.m), (phasing.get(monthOf(c.m)) ?? ZERO).plus(c.amount));

  const hc = input.headcount !== null ? new Decimal(input.headcount) : null;
  if (hc === null || hc.isZero())
    missing.push("headcount: no line has allocation_method 'headcount' with a quantity");
  const perHead = (d: Decimal) => (hc && !hc.isZero() && !d.isZero() ? cents(d.div(hc)) : null);
  if (revenueBudget.isZero()) missing.push('revenue: the budget has no revenue lines');

  const peaks = season
    ? [...season.shares].filter(([, s]) => s.gt(new Decimal(1).div(12).times(1.1))).map(([m]) => m)
    : [];
  const analysis: Analysis = {
    budget_id: input.budgetId,
    base_currency: input.baseCurrency,
    period: {
      from: input.months[0]?.slice(0, 7) ?? '',
      to: input.months.at(-1)?.slice(0, 7) ?? '',
      as_of: asOf?.slice(0, 7) ?? null,
      months_elapsed: elapsed,
      months_remaining: input.months.length - elapsed,
    },
    totals: { expense_budget: cents(expenseBudget), revenue_budget: cents(revenueBudget) },
    department_breakdown: departments,
    spending_velocity: vel,
    efficiency_metrics: {
      headcount: hc && !hc.isZero() ? hc.toFixed() : null,
      cost_per_employee: perHead(expenseBudget),
      revenue_per_employee: perHead(revenueBudget),
      profit_margin_percent: revenueBudget.isZero()
        ? null
        : pct(revenueBudget.minus(expenseBudget).div(revenueBudget)),
      basis: 'budget',
    },
    historical_patterns: {
      window: { from: input.historyWindow.from.slice(0, 7), to: input.historyWindow.to.slice(0, 7) },
      months_with_data: expenseSeries.length,
      seasonal_shares: season
        ? [...season.shares].sort(([a], [b]) => a - b).map(([month, s]) => ({ month, share: ratio(s) }))
        : null,
      seasonal_peaks: peaks.sort((a, b) => a - b),
      seasonal_cycles: season?.cycles ?? 0,
      seasonal_consistency: season ? ratio(new Decimal(season.consistency)) : null,
      growth_trend_yoy_percent: growth === null ? null : pct(growth),
      volatility_cv: vol ? ratio(vol.cv) : null,
      volatility_sd: vol ? cents(vol.sd) : null,
    },
    budget_phasing: [...phasing]
      .sort(([a], [b]) => a - b)
      .map(([month, amount]) => ({
        month,
        amount: cents(amount),
        share: expenseBudget.isZero() ? '0.0000' : ratio(amount.div(expenseBudget)),
      })),
    revenue_groups: input.revenueGroups.map((g) => ({ group: g.grp, amount: g.amount })),
    missing,
    queries: input.queries,
  };
  return { analysis, detail: { seasonality: season, phasing, expenseBudget, expenseSeries } };
}

// Full-year budget from the cells; YTD from the variance report; projection at the YTD pace.
function departmentBreakdown(
  cells: BudgetCell[],
  ytd: DepartmentYtd[] | null,
  asOf: string | null,
  elapsed: number,
): DepartmentFigures[] {
  const keyOf = (d: string | null) => d ?? '\u0000';
  const fy = new Map<string, { dep: string | null; total: Decimal; remaining: Decimal }>();
  for (const c of cells) {
    const e = fy.get(keyOf(c.department_id)) ?? { dep: c.department_id, total: ZERO, remaining: ZERO };
    e.total = e.total.plus(c.amount);
    if (asOf && c.m > asOf) e.remaining = e.remaining.plus(c.amount);
    fy.set(keyOf(c.department_id), e);
  }
  const ytdBy = new Map((ytd ?? []).map((d) => [keyOf(d.departmentId), d]));
  return [...fy.values()]
    .sort((a, b) => keyOf(a.dep).localeCompare(keyOf(b.dep)))
    .map((e) => {
      const y = ytdBy.get(keyOf(e.dep));
      if (!y || elapsed === 0)
        return {
          department_id: e.dep,
          budget: cents(e.total),
          ytd_budget: null,
          ytd_actual: null,
          ytd_variance: null,
          remaining_budget: null,
          pace: null,
          projected_full_year: null,
          projected_overrun: null,
        };
      const p = projectDepartment(new Decimal(y.budget), new Decimal(y.actual), e.remaining);
      return {
        department_id: e.dep,
        budget: cents(new Decimal(y.budget).plus(e.remaining)),
        ytd_budget: cents(new Decimal(y.budget)),
        ytd_actual: cents(new Decimal(y.actual)),
        ytd_variance: cents(new Decimal(y.actual).minus(y.budget)),
        remaining_budget: cents(e.remaining),
        pace: p.pace === null ? null : ratio(p.pace),
        projected_full_year: cents(p.projected),
        projected_overrun: cents(p.projected.minus(new Decimal(y.budget).plus(e.remaining))),
      };
    });
}

/**
 * Pace projection: the rest of the year is spent at the year-to-date pace (actual / budget) over
 * the remaining months' phased budget, rounded half-up to the cent. With no YTD budget the
 * remaining budget is taken as planned.
 */
export function projectDepartment(ytdBudget: Decimal, ytdActual: Decimal, remaining: Decimal) {
  const pace = ytdBudget.isZero() ? null : ytdActual.div(ytdBudget);
  const rest = pace === null ? remaining : remaining.times(pace).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return { pace, projected: ytdActual.plus(rest) };
}
