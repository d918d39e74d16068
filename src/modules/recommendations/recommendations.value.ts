/**
 * Cost optimization and revenue enhancement generators: departments running under budget, and
 * cost / revenue per employee against the effective benchmarks (only with headcount).
 */
import { Decimal } from '../../shared/money.ts';
import type { Analysis } from './recommendations.analysis.ts';
import type { BenchmarkFigure, BenchmarkMetric } from './recommendations.benchmarks.ts';
import {
  type Draft,
  type GeneratorInput,
  PACE_METHOD,
  paceConfidence,
} from './recommendations.generators.ts';
import { cents } from './recommendations.stats.ts';

const pctAdj = (amount: Decimal, base: Decimal) =>
  amount.div(base).times(100).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);

/** The benchmark for a metric when it can be compared with this budget (same currency), else a note. */
function benchmarkFor(a: Analysis, list: BenchmarkFigure[], metric: BenchmarkMetric, notes: string[]) {
  const b = list.find((x) => x.metric === metric);
  if (!b) return null;
  if (b.unit !== a.base_currency) {
    notes.push(`benchmark ${metric}: in ${b.unit}, the budget is in ${a.base_currency} (not compared)`);
    return null;
  }
  return b;
}

// A configurable default is the guide's illustration, not a measured figure: less confidence.
const benchmarkConfidence = (b: BenchmarkFigure, measured: string, fallback: string) =>
  b.is_configurable_default ? fallback : measured;

function benchmarkEvidence(b: BenchmarkFigure) {
  return {
    industry: b.industry,
    metric: b.metric,
    value: b.value,
    unit: b.unit,
    source: b.source ?? 'configurable default (no source): replace it with PUT /recommendations/benchmarks',
    is_configurable_default: b.is_configurable_default,
  };
}

/** Cost optimization: surplus of departments spending under budget; cost per employee above the benchmark. */
export function costOptimization(input: GeneratorInput, notes: string[]): Draft[] {
  const { analysis: a, params } = input;
  const out: Draft[] = [];
  if (a.period.months_elapsed >= 3) {
    for (const d of a.department_breakdown) {
      if (d.pace === null || d.projected_overrun === null || d.department_id === null) continue;
      const underPace = new Decimal(1).minus(d.pace).times(100);
      const surplus = new Decimal(d.projected_overrun).negated();
      if (underPace.lt(params.underspend_threshold_percent) || surplus.lte(0)) continue;
      const value = pctAdj(surplus.negated(), new Decimal(d.budget));
      out.push({
        type: 'cost_optimization',
        category: 'budget_reallocation',
        title: `Release ${cents(surplus)} that ${d.department_id} is not on course to spend`,
        description: `${d.department_id} has spent ${d.ytd_actual} of ${d.ytd_budget} budgeted through ${a.period.as_of} (pace ${d.pace}); at that pace it ends the year ${cents(surplus)} under its budget of ${d.budget}.`,
        estimated_impact: cents(surplus.negated()),
        confidence_score: paceConfidence(a.period.months_elapsed),
        implementation_effort: 'low',
        timeframe: `next ${a.period.months_remaining} months`,
        required_actions: [
          `Confirm with ${d.department_id} which planned spend is no longer needed`,
          'Reallocate or release it',
        ],
        risk_factors: ['Spending delayed, not avoided, comes back later in the year'],
        evidence: {
          method: PACE_METHOD,
          figures: { ...d, as_of: a.period.as_of, months_elapsed: a.period.months_elapsed },
          queries: a.queries.filter((q) => q.name === 'budget_cells' || q.name === 'variance_by_department'),
        },
        adjustment: value.lt(-100)
          ? null
          : {
              kind: 'percent',
              value: value.toFixed(4),
              filter: { line_type: 'expense', department_id: d.department_id },
            },
      });
    }
  }
  const e = a.efficiency_metrics;
  const bench = e.cost_per_employee ? benchmarkFor(a, input.benchmarks, 'cost_per_employee', notes) : null;
  if (bench && e.cost_per_employee && e.headcount && new Decimal(e.cost_per_employee).gt(bench.value)) {
    const savings = new Decimal(e.cost_per_employee).minus(bench.value).times(e.headcount);
    const expense = new Decimal(a.totals.expense_budget);
    out.push({
      type: 'cost_optimization',
      category: 'operational_efficiency',
      title: 'Optimize cost per employee',
      description: `Budgeted cost per employee (${e.cost_per_employee} ${a.base_currency}) exceeds the benchmark (${bench.value}); closing the gap for ${e.headcount} employees is ${cents(savings)}.`,
      estimated_impact: cents(savings.negated()),
      confidence_score: benchmarkConfidence(bench, '0.7000', '0.5000'),
      implementation_effort: 'medium',
      timeframe: '6-12 months',
      required_actions: [
        'Conduct departmental efficiency audit',
        'Implement process automation',
        'Review vendor contracts',
        'Optimize workforce allocation',
      ],
      risk_factors: ['Employee satisfaction', 'Service quality impact'],
      evidence: {
        method: 'savings = (expense budget / headcount - benchmark) x headcount',
        figures: { ...e, expense_budget: a.totals.expense_budget, benchmark: benchmarkEvidence(bench) },
        queries: a.queries.filter((q) => q.name === 'budget_cells' || q.name === 'headcount'),
      },
      adjustment: expense.isZero()
        ? null
        : {
            kind: 'percent',
            value: pctAdj(savings.negated(), expense).toFixed(4),
            filter: { line_type: 'expense' },
          },
    });
  }
  return out;
}

/** Revenue enhancement: revenue per employee below the benchmark (only with headcount and revenue). */
export function revenueEnhancement(input: GeneratorInput, notes: string[]): Draft[] {
  const { analysis: a } = input;
  const e = a.efficiency_metrics;
  if (!e.revenue_per_employee || !e.headcount) return [];
  const bench = benchmarkFor(a, input.benchmarks, 'revenue_per_employee', notes);
  if (!bench || new Decimal(e.revenue_per_employee).gte(bench.value)) return [];
  const uplift = new Decimal(bench.value).minus(e.revenue_per_employee).times(e.headcount);
  const revenue = new Decimal(a.totals.revenue_budget);
  const value = pctAdj(uplift, revenue);
  return [
    {
      type: 'revenue_enhancement',
      category: 'revenue_growth',
      title: 'Raise revenue per employee to the benchmark',
      description: `Budgeted revenue per employee (${e.revenue_per_employee} ${a.base_currency}) is below the benchmark (${bench.value}); the gap over ${e.headcount} employees is ${cents(uplift)}.`,
      estimated_impact: cents(uplift),
      confidence_score: benchmarkConfidence(bench, '0.6000', '0.4000'),
      implementation_effort: 'high',
      timeframe: '12+ months',
      required_actions: ['Review pricing', 'Focus sales capacity on the highest-margin offers'],
      risk_factors: ['The benchmark may not fit this business model'],
      evidence: {
        method: 'uplift = (benchmark - revenue budget / headcount) x headcount',
        figures: { ...e, revenue_budget: a.totals.revenue_budget, benchmark: benchmarkEvidence(bench) },
        queries: a.queries.filter((q) => q.name === 'budget_cells' || q.name === 'headcount'),
      },
      adjustment: value.gt(10000)
        ? null
        : { kind: 'percent', value: value.toFixed(4), filter: { line_type: 'revenue' } },
    },
  ];
}
