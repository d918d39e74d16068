/**
 * Model configuration rules (which algorithms are offered, hyperparameters per algorithm, the
 * guide's feature configuration) and the persisted artifact: what a model needs to forecast
 * again, identically, in any process after a restart.
 */
import type { AppConfig } from '../../config/env.ts';
import { type FieldError, fieldError, ValidationError } from '../../platform/http/errors.ts';
import { zodFieldErrors } from '../../platform/http/zod-errors.ts';
import type { FeatureConfig } from './engine/features.ts';
import { isMl, type ModelSpec, type Series } from './forecasting.compute.ts';
import {
  type Algorithm,
  type FeatureEntry,
  HYPERPARAMETERS,
  type ModelCreateInput,
} from './forecasting.schema.ts';

/** The guide's default features: lags 1-12, rolling mean/std over 3/6/12 months, month/quarter/year. */
export const DEFAULT_FEATURE_ENTRIES: FeatureEntry[] = [
  {
    feature_name: 'amount',
    feature_type: 'historical_values',
    source_column: 'amount',
    lag_periods: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  },
  {
    feature_name: 'amount',
    feature_type: 'rolling_statistics',
    source_column: 'amount',
    windows: [3, 6, 12],
    statistics: ['mean', 'std'],
  },
  {
    feature_name: 'period',
    feature_type: 'seasonal',
    date_column: 'period',
    components: ['month', 'quarter', 'year'],
  },
];

/** Checks the algorithm against the settings and the hyperparameters and features against the algorithm. */
export function checkModelConfig(config: AppConfig, input: ModelCreateInput) {
  const alg = input.algorithm;
  if (isMl(alg) && (!config.ML_ENABLED || !config.FORECASTING_ALGORITHMS.includes(alg)))
    throw fieldError(
      'algorithm',
      'algorithm_not_enabled',
      config.ML_ENABLED
        ? `algorithm ${alg} is not offered here (FORECASTING_ALGORITHMS: ${config.FORECASTING_ALGORITHMS.join(', ')})`
        : `algorithm ${alg} needs ML_ENABLED=true`,
    );
  const errors: FieldError[] = [];
  const hp = HYPERPARAMETERS[alg].safeParse(input.hyperparameters);
  if (!hp.success) errors.push(...zodFieldErrors(hp.error, 'hyperparameters'));
  if (!isMl(alg) && input.features?.length)
    errors.push({
      path: 'features',
      code: 'not_applicable',
      message: `features configure the ML algorithms only; ${alg} uses the series itself`,
    });
  if (isMl(alg) && input.features && !input.features.some((f) => f.feature_type !== 'seasonal'))
    errors.push({
      path: 'features',
      code: 'too_small',
      message: 'an ML model needs at least one historical_values or rolling_statistics feature',
    });
  if (errors.length) throw new ValidationError(errors);
  const features = isMl(alg) ? (input.features ?? DEFAULT_FEATURE_ENTRIES) : [];
  return { hyperparameters: hp.success ? hp.data : {}, features };
}

/** The engine's feature configuration from the guide's list of features. */
export function toFeatureConfig(entries: readonly FeatureEntry[]): FeatureConfig {
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  const sorted = (xs: number[]) => uniq(xs).sort((a, b) => a - b);
  return {
    lags: sorted(entries.flatMap((e) => (e.feature_type === 'historical_values' ? e.lag_periods : []))),
    windows: sorted(entries.flatMap((e) => (e.feature_type === 'rolling_statistics' ? e.windows : []))),
    statistics: uniq(entries.flatMap((e) => (e.feature_type === 'rolling_statistics' ? e.statistics : []))),
    seasonal: uniq(entries.flatMap((e) => (e.feature_type === 'seasonal' ? e.components : []))),
  };
}

/**
 * The persisted model. The engine does not expose fitted parameters, so the artifact is the exact
 * training snapshot (amounts as decimal strings), the seed and the full configuration; forecasting
 * refits from it deterministically in a worker. `fitted_mean` (the training-time forecast over
 * `horizon`) lets every later forecast prove it reproduced the trained model exactly.
 */
export interface ModelArtifact {
  format: 1;
  algorithm: Algorithm;
  model_used: string;
  hyperparameters: Record<string, number>;
  features: FeatureConfig;
  seed: number;
  backtest_origins: number;
  horizon: number;
  period: 12;
  start: string;
  values: string[];
  fitted_mean: number[];
}

/** What the engine needs, from an artifact. */
export function specOf(a: ModelArtifact): { spec: ModelSpec; series: Series } {
  return {
    spec: {
      algorithm: a.algorithm,
      hyperparameters: a.hyperparameters,
      features: a.features,
      seed: a.seed,
      backtestOrigins: a.backtest_origins,
    },
    // The one place stored amounts become numbers: inside the engine's input.
    series: { values: a.values.map(Number), startIndex: monthIndexOf(a.start) },
  };
}

/** Month index (year*12 + month-1) of 'YYYY-MM' or 'YYYY-MM-DD'. */
export function monthIndexOf(s: string): number {
  return Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7)) - 1;
}

/** 'YYYY-MM' of a month index. */
export function monthLabel(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** 'YYYY-MM-01' of a month index. */
export const firstDay = (index: number) => `${monthLabel(index)}-01`;

/** A dense monthly series from sparse month sums: missing months are zero. */
export function denseSeries(rows: readonly { period: string; amount: string }[], from?: number, to?: number) {
  const byMonth = new Map(rows.map((r) => [monthIndexOf(r.period), r.amount]));
  const months = [...byMonth.keys()];
  const start = from ?? Math.min(...months);
  const end = to ?? Math.max(...months);
  const values: string[] = [];
  for (let m = start; m <= end; m++) values.push(byMonth.get(m) ?? '0.00');
  return { start, values };
}

/**
 * The guide's name of an engine feature column: `{feature_name}_lag_1`,
 * `{feature_name}_rolling_3_mean`, `{feature_name}_month`, the feature_name being that of the
 * configured feature the column comes from (the first that has it). Unknown columns keep their name.
 */
export function guideFeatureName(column: string, entries: readonly FeatureEntry[]): string {
  const lag = /^lag_(\d+)$/.exec(column);
  const roll = /^rolling_(\d+)_(\w+)$/.exec(column);
  const entry = entries.find((e) => {
    if (lag) return e.feature_type === 'historical_values' && e.lag_periods.includes(Number(lag[1]));
    if (roll)
      return (
        e.feature_type === 'rolling_statistics' &&
        e.windows.includes(Number(roll[1])) &&
        (e.statistics as string[]).includes(roll[2]!)
      );
    return e.feature_type === 'seasonal' && (e.components as string[]).includes(column);
  });
  return entry ? `${entry.feature_name}_${column}` : column;
}
