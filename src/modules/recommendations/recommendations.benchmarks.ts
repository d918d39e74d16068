/**
 * Benchmark figures. The built-in set is seed data, not industry statistics: the only figures we
 * have without a licensed data source are the design guide's illustrative ones, so each is marked
 * as a configurable default with no source. A tenant replaces them with its own figures (with a
 * source) through PUT /recommendations/benchmarks; the tenant's figure wins per metric.
 */

/** A benchmark figure: per industry and metric, with its unit, source and whether it is a default. */
export interface BenchmarkFigure {
  industry: string;
  metric: BenchmarkMetric;
  value: string;
  /** A currency code for money per employee, 'percent' for margins. */
  unit: string;
  source: string | null;
  is_configurable_default: boolean;
}

export const BENCHMARK_METRICS = [
  'cost_per_employee',
  'revenue_per_employee',
  'profit_margin_percent',
] as const;
export type BenchmarkMetric = (typeof BENCHMARK_METRICS)[number];

/** Built-in defaults: the design guide's illustrative figures, to be replaced by the tenant's own. */
export const BUILT_IN_BENCHMARKS: readonly BenchmarkFigure[] = [
  // The guide's cost optimizer compares against "industry median" 42,000 per employee.
  {
    industry: 'general',
    metric: 'cost_per_employee',
    value: '42000.0000',
    unit: 'USD',
    source: null,
    is_configurable_default: true,
  },
  // The guide's example analysis uses 125,000 revenue per employee and a 12.5% margin.
  {
    industry: 'general',
    metric: 'revenue_per_employee',
    value: '125000.0000',
    unit: 'USD',
    source: null,
    is_configurable_default: true,
  },
  {
    industry: 'general',
    metric: 'profit_margin_percent',
    value: '12.5000',
    unit: 'percent',
    source: null,
    is_configurable_default: true,
  },
];

/** The effective set for an industry: the tenant's figures, else the built-in defaults (industry 'general'). */
export function effectiveBenchmarks(tenant: BenchmarkFigure[], industry: string): BenchmarkFigure[] {
  return BENCHMARK_METRICS.flatMap((metric) => {
    const own =
      tenant.find((b) => b.metric === metric && b.industry === industry) ??
      tenant.find((b) => b.metric === metric && b.industry === 'general');
    const builtIn = BUILT_IN_BENCHMARKS.find((b) => b.metric === metric);
    const chosen = own ?? builtIn;
    return chosen ? [chosen] : [];
  });
}
