/**
 * The four generators of the guide (cost optimization, revenue enhancement, risk mitigation,
 * seasonal adjustment). Each turns computed figures into drafts carrying the guide's fields and
 * their evidence; a generator that lacks the data it needs adds a note instead of a draft.
 */
import { Decimal } from '../../shared/money.ts';
import type { Adjustment } from '../scenarios/index.ts';
import type { Analysis, AnalysisDetail, DepartmentFigures } from './recommendations.analysis.ts';
import type { BenchmarkFigure } from './recommendations.benchmarks.ts';
import type { QueryEvidence } from './recommendations.queries.ts';
import { cents, phasingDistance, ratio, spreadCents } from './recommendations.stats.ts';

export const RECOMMENDATION_TYPES = [
  'cost_optimization',
  'revenue_enhancement',
  'risk_mitigation',
  'seasonal_adjustment',
] as const;
export type RecommendationType = (typeof RECOMMENDATION_TYPES)[number];
export type Effort = 'low' | 'medium' | 'high';

/** A recommendation before ranking. */
export interface Draft {
  type: RecommendationType;
  category: string;
  title: string;
  description: string;
  estimated_impact: string;
  confidence_score: string;
  implementation_effort: Effort;
  timeframe: string;
  required_actions: string[];
  risk_factors: string[];
  evidence: { method: string; figures: Record<string, unknown>; queries: QueryEvidence[] };
  adjustment: Adjustment | null;
}

/** Thresholds of the generators (request parameters, with defaults). */
export interface GeneratorParams {
  overrun_threshold_percent: string;
  underspend_threshold_percent: string;
  seasonal_threshold_percent: string;
  volatility_threshold: string;
  concentration_threshold_percent: string;
}

export interface GeneratorInput {
  analysis: Analysis;
  detail: AnalysisDetail;
  benchmarks: BenchmarkFigure[];
  params: GeneratorParams;
}

const ZERO = new Decimal(0);
const clamp = (d: Decimal, lo: number, hi: number) => Decimal.min(Decimal.max(d, lo), hi);
const conf = (d: Decimal) => ratio(clamp(d, 0, 1));
const depName = (d: string | null) => d ?? '(no department)';
const queriesNamed = (a: Analysis, ...names: string[]) => a.queries.filter((q) => names.includes(q.name));

/** Confidence of a pace projection: more elapsed months, more confidence (0.50 + 0.05 per month, at most 0.95). */
export const paceConfidence = (elapsed: number) =>
  conf(new Decimal(0.5).plus(new Decimal(0.05).times(elapsed)).clampedTo(0, 0.95));

/** A percent adjustment of `amount` over `base` (4 decimals, half-up), or null when it cannot be expressed. */
function percentAdjustment(amount: Decimal, base: Decimal, filter: Adjustment['filter']): Adjustment | null {
  if (base.isZero()) return null;
  const value = amount.div(base).times(100).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
  if (value.lt(-100) || value.gt(10000) || value.isZero()) return null;
  return { kind: 'percent', value: value.toFixed(4), filter };
}

/** Risk mitigation: projected department overruns, volatile spending, concentrated revenue. */
export function riskMitigation({ analysis: a, detail, params }: GeneratorInput): Draft[] {
  const out: Draft[] = [];
  const remaining = a.period.months_remaining;
  for (const d of a.department_breakdown) {
    if (d.projected_overrun === null) continue;
    const overrun = new Decimal(d.projected_overrun);
    const share = new Decimal(d.budget).isZero() ? null : overrun.div(d.budget).times(100);
    if (overrun.lte(0) || share?.lt(params.overrun_threshold_percent)) continue;
    out.push({
      type: 'risk_mitigation',
      category: 'budget_overrun',
      title: `${depName(d.department_id)} is projected to overrun its budget by ${d.projected_overrun}`,
      description:
        `At the year-to-date pace (${d.ytd_actual} actual against ${d.ytd_budget} budget through ${a.period.as_of}), ` +
        `${depName(d.department_id)} will spend ${d.projected_full_year} against a budget of ${d.budget}: ` +
        `${d.projected_overrun} ${a.base_currency} over.`,
      estimated_impact: d.projected_overrun,
      confidence_score: paceConfidence(a.period.months_elapsed),
      implementation_effort: 'medium',
      timeframe: remaining > 0 ? `next ${remaining} months` : 'immediately',
      required_actions: [
        `Review ${depName(d.department_id)} commitments against the phased budget`,
        remaining > 0
          ? `Cut ${d.projected_overrun} from the remaining ${remaining} months, or raise the budget by that amount`
          : `Raise the budget by ${d.projected_overrun} or explain the overrun`,
      ],
      risk_factors: ['A one-off in the year to date makes the pace overstate the overrun'],
      evidence: {
        method: PACE_METHOD,
        figures: departmentFigures(a, d),
        queries: queriesNamed(a, 'budget_cells', 'variance_by_department'),
      },
      adjustment:
        d.department_id === null
          ? null
          : percentAdjustment(overrun, new Decimal(d.budget), {
              line_type: 'expense',
              department_id: d.department_id,
            }),
    });
  }
  const cv = a.historical_patterns.volatility_cv;
  if (
    cv !== null &&
    new Decimal(cv).gte(params.volatility_threshold) &&
    a.historical_patterns.volatility_sd
  ) {
    const months = remaining > 0 ? remaining : a.period.months_elapsed + remaining;
    const reserve = new Decimal(a.historical_patterns.volatility_sd).times(new Decimal(months).sqrt());
    out.push({
      type: 'risk_mitigation',
      category: 'spend_volatility',
      title: `Hold a contingency of ${cents(reserve)} for volatile spending`,
      description:
        `Monthly expense actuals vary by ${cv} of their mean (coefficient of variation${detail.seasonality ? ', seasonally adjusted' : ''}); ` +
        `one standard deviation of ${a.historical_patterns.volatility_sd} over ${months} months is ${cents(reserve)}.`,
      estimated_impact: cents(reserve),
      confidence_score: conf(
        new Decimal(0.4)
          .plus(new Decimal(0.02).times(a.historical_patterns.months_with_data))
          .clampedTo(0, 0.85),
      ),
      implementation_effort: 'low',
      timeframe: 'next budget revision',
      required_actions: ['Set aside a contingency line', 'Find the drivers of the largest monthly swings'],
      risk_factors: ['A reserve that is never released hides savings'],
      evidence: {
        method:
          'contingency = sample sd of monthly expense actuals (seasonally adjusted when seasonality is known) x sqrt(months)',
        figures: { ...a.historical_patterns, months },
        queries: queriesNamed(a, 'actual_history'),
      },
      adjustment: percentAdjustment(reserve, detail.expenseBudget, { line_type: 'expense' }),
    });
  }
  const groups = a.revenue_groups;
  const total = groups.reduce((s, g) => s.plus(g.amount), ZERO);
  if (groups.length >= 2 && total.gt(0)) {
    const top = groups[0]!;
    const share = new Decimal(top.amount).div(total).times(100);
    if (share.gte(params.concentration_threshold_percent)) {
      const excess = new Decimal(top.amount).minus(
        total.times(params.concentration_threshold_percent).div(100),
      );
      out.push({
        type: 'risk_mitigation',
        category: 'revenue_concentration',
        title: `${share.toFixed(2)}% of budgeted revenue depends on ${top.group}`,
        description: `${top.group} carries ${top.amount} of ${cents(total)} budgeted revenue; ${cents(excess)} is above the ${params.concentration_threshold_percent}% concentration limit.`,
        estimated_impact: cents(excess),
        confidence_score: '0.6000',
        implementation_effort: 'high',
        timeframe: '12+ months',
        required_actions: [`Plan revenue outside ${top.group}`, 'Stress-test the budget without it'],
        risk_factors: ['Diversifying revenue takes longer than a budget cycle'],
        evidence: {
          method:
            'excess = top group revenue - limit% x total revenue (budget lines, grouped by GL account else category)',
          figures: { groups, total: cents(total), top_share_percent: share.toFixed(2) },
          queries: queriesNamed(a, 'revenue_groups'),
        },
        adjustment: null,
      });
    }
  }
  return out;
}

export const PACE_METHOD =
  'pace projection: projected = ytd_actual + round_half_up(remaining_budget x ytd_actual / ytd_budget, 2); ' +
  'overrun = projected - (ytd_budget + remaining_budget)';

function departmentFigures(a: Analysis, d: DepartmentFigures): Record<string, unknown> {
  return {
    ...d,
    as_of: a.period.as_of,
    months_elapsed: a.period.months_elapsed,
    months_remaining: a.period.months_remaining,
  };
}

/** Seasonal adjustment: the budget's phasing against the seasonal shares of past actuals. */
export function seasonalAdjustment({ analysis: a, detail, params }: GeneratorInput): Draft[] {
  const season = detail.seasonality;
  if (!season || detail.expenseBudget.lte(0)) return [];
  const months = [...detail.phasing.keys()];
  const seasonalTotal = months.reduce((s, m) => s.plus(season.shares.get(m) ?? ZERO), ZERO);
  if (seasonalTotal.isZero()) return [];
  const seasonal = new Map(months.map((m) => [m, (season.shares.get(m) ?? ZERO).div(seasonalTotal)]));
  const phasing = new Map(months.map((m) => [m, detail.phasing.get(m)!.div(detail.expenseBudget)]));
  const distance = phasingDistance(phasing, seasonal);
  if (distance.times(100).lt(params.seasonal_threshold_percent)) return [];
  const misplaced = cents(distance.times(detail.expenseBudget));
  const suggested = spreadCents(detail.expenseBudget, seasonal);
  const consistency = new Decimal(Math.max(0, season.consistency));
  return [
    {
      type: 'seasonal_adjustment',
      category: 'cash_flow_timing',
      title: `Re-phase ${misplaced} of expense budget to match the seasonal pattern`,
      description:
        `Past actuals spend ${a.historical_patterns.seasonal_peaks.length ? `most in months ${a.historical_patterns.seasonal_peaks.join(', ')}` : 'unevenly'}; ` +
        `the budget's phasing puts ${ratio(distance)} of the expense budget (${misplaced} ${a.base_currency}) in other months.`,
      estimated_impact: misplaced,
      confidence_score: conf(new Decimal(0.5).plus(consistency.times(0.45)).clampedTo(0.3, 0.95)),
      implementation_effort: 'low',
      timeframe: 'before the next re-forecast',
      required_actions: [
        'Re-spread the expense lines with the seasonal method using the suggested monthly amounts',
      ],
      risk_factors: ['Last years’ pattern may not repeat (one-offs, changed business)'],
      evidence: {
        method:
          'seasonal share of a calendar month = mean actual of that month / sum of the 12 means; ' +
          'distance = 1/2 x sum |budget share - seasonal share|; misplaced = distance x expense budget',
        figures: {
          distance: ratio(distance),
          expense_budget: cents(detail.expenseBudget),
          cycles: season.cycles,
          consistency: ratio(consistency),
          months: months
            .sort((x, y) => x - y)
            .map((m) => ({
              month: m,
              budget: cents(detail.phasing.get(m)!),
              budget_share: ratio(phasing.get(m)!),
              seasonal_share: ratio(seasonal.get(m)!),
              suggested: cents(suggested.get(m)!),
            })),
        },
        queries: queriesNamed(a, 'budget_cells', 'actual_history'),
      },
      // Scenarios change amounts, not their phasing: re-phasing is done on the lines.
      adjustment: null,
    },
  ];
}
