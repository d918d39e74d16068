/**
 * The CPU side of the model registry, run inside worker threads (never on the request thread):
 * training (CV MAE, backtests, interval coverage, feature importance, the fitted path) and
 * forecasting from a stored artifact. Pure functions of their inputs: the same snapshot, seed
 * and configuration give the same numbers in any process, which is what makes a persisted
 * model forecast identically after a restart.
 *
 * The engine's own entry points are used (`forecastSeries`, `trainReport`, the model registry).
 * `forecastSeries` runs the ML models with their default settings, so a model with its own
 * hyperparameters or features goes through the same steps (fit, rolling-origin backtests,
 * calibrated interval) with `mlForecaster(alg, hp, features)`.
 */
import { backtestModel, planOrigins } from './engine/backtest.ts';
import type { FeatureConfig } from './engine/features.ts';
import { DEFAULT_PLAN, type ForecastOptions, forecastSeries, type SeriesInput } from './engine/forecast.ts';
import { calibratedInterval } from './engine/intervals.ts';
import { mase, smape, snaiveScale } from './engine/metrics.ts';
import { type MlAlgorithm, mlForecaster, trainReport } from './engine/ml.ts';
import { getModel } from './engine/models.ts';
import { createRng, deriveSeed } from './engine/prng.ts';
import { mean, sd } from './engine/stats.ts';
import type { Forecast, ModelName } from './engine/types.ts';

export const ML_ALGORITHMS: readonly MlAlgorithm[] = ['random_forest', 'gradient_boosting', 'neural_network'];
/** Months per season: every series of the registry is monthly. */
export const PERIOD = 12;
/** Levels at which training reports backtest interval coverage. */
export const COVERAGE_LEVELS = [80, 95] as const;
// Constant series key: the seed alone (stored in the artifact) decides every random draw.
const SERIES_KEY = 'registry';

/** What the engine needs to fit one model: its configuration, never a database row. */
export interface ModelSpec {
  algorithm: ModelName;
  hyperparameters: Record<string, number>;
  features: FeatureConfig;
  seed: number;
  /** Backtest origins (at most) for intervals and metrics. */
  backtestOrigins: number;
}

/** A monthly series: values oldest first and the month index (year*12 + month-1) of the first. */
export interface Series {
  values: readonly number[];
  startIndex: number;
}

export const isMl = (a: ModelName): a is MlAlgorithm => (ML_ALGORITHMS as readonly string[]).includes(a);

/** Forecasts `horizon` months after the series with the model's calibrated interval at `level`. */
export function forecastWith(spec: ModelSpec, s: Series, horizon: number, level: number): Forecast {
  const plan = { ...DEFAULT_PLAN, maxOrigins: spec.backtestOrigins };
  const input: SeriesInput = { id: SERIES_KEY, train: s.values, period: PERIOD, startIndex: s.startIndex };
  if (!isMl(spec.algorithm)) {
    const opts: ForecastOptions = { model: spec.algorithm, horizon, level, seed: spec.seed, plan };
    return forecastSeries(input, opts);
  }
  // forecastSeries's steps with the model's own hyperparameters and features.
  const ctx = { period: PERIOD, startIndex: s.startIndex, rng: createRng(deriveSeed(spec.seed, SERIES_KEY)) };
  const fn = mlForecaster(spec.algorithm, spec.hyperparameters, spec.features);
  const origins = planOrigins(s.values, horizon, PERIOD, plan);
  const meanPath = fn(s.values, horizon, ctx);
  const backtests = backtestModel(s.values, origins, fn, ctx);
  const { lo, hi } = calibratedInterval(s.values, PERIOD, meanPath, origins, backtests, level);
  return { model: spec.algorithm, mean: meanPath, lo, hi };
}

/** Cross-validation result: the guide's `cv_mae`, `cv_mae_std`, `training_samples`. */
export interface CvReport {
  cvMae: number;
  cvMaeStd: number;
  trainingSamples: number;
  featureImportance: Record<string, number> | null;
}

/**
 * 5-fold expanding-window CV of one-step forecasts (scikit-learn's TimeSeriesSplit over the
 * targets after a 12-month warm-up, as `trainReport` does for the ML models): each fold's
 * points are forecast one step ahead from all history before them, refitting every time.
 */
function statisticalCv(spec: ModelSpec, s: Series): CvReport {
  const y = s.values;
  const warm = PERIOD;
  const n = y.length - warm;
  const fold = Math.floor(n / 6);
  if (fold < 1) throw new TrainingInputError(`${y.length} values are too few for 5-fold cross-validation`);
  const rng = createRng(deriveSeed(spec.seed, 'cv'));
  const ctx = { period: PERIOD, startIndex: s.startIndex, rng };
  const point =
    spec.algorithm === 'auto'
      ? (hist: readonly number[]) =>
          forecastWith(spec, { values: hist, startIndex: s.startIndex }, 1, 95).mean[0]!
      : (hist: readonly number[]) => getModel(spec.algorithm as Exclude<ModelName, 'auto'>)(hist, 1, ctx)[0]!;
  const folds: number[] = [];
  for (let k = 1; k <= 5; k++) {
    const end = warm + n - (6 - k) * fold;
    const errs: number[] = [];
    for (let t = end; t < end + fold; t++) errs.push(Math.abs(point(y.slice(0, t)) - y[t]!));
    folds.push(mean(errs));
  }
  return { cvMae: mean(folds), cvMaeStd: sd(folds), trainingSamples: n, featureImportance: null };
}

/** Backtest accuracy and interval coverage over rolling origins, each forecast from its own past. */
export interface BacktestReport {
  origins: number;
  horizon: number;
  points: number;
  mae: number;
  rmse: number;
  smape: number;
  mase: number | null;
  coverage: { level: number; share: number }[];
}

/**
 * Honest out-of-sample evaluation: at each origin the whole method (fit, its own inner backtests
 * and interval calibration) sees only the values before the origin, so the coverage is of
 * intervals that did not see the errors they are scored on.
 */
function backtestReport(spec: ModelSpec, s: Series, horizon: number): BacktestReport {
  const origins = planOrigins(s.values, horizon, PERIOD, {
    ...DEFAULT_PLAN,
    maxOrigins: spec.backtestOrigins,
  });
  if (origins.length === 0) throw new TrainingInputError(`${s.values.length} values are too few to backtest`);
  const errs: number[] = [];
  const sm: number[] = [];
  const ms: number[] = [];
  const inside = COVERAGE_LEVELS.map(() => 0);
  for (const o of origins) {
    const hist = { values: s.values.slice(0, o.length), startIndex: s.startIndex };
    COVERAGE_LEVELS.forEach((level, li) => {
      const f = forecastWith(spec, hist, o.actual.length, level);
      o.actual.forEach((a, j) => {
        if (a >= f.lo[j]! && a <= f.hi[j]!) inside[li]! += 1;
      });
      if (li > 0) return;
      for (const [j, a] of o.actual.entries()) errs.push(a - f.mean[j]!);
      sm.push(smape(o.actual, f.mean));
      const scale = snaiveScale(hist.values, PERIOD);
      if (scale > 0) ms.push(mase(o.actual, f.mean, scale));
    });
  }
  return {
    origins: origins.length,
    horizon,
    points: errs.length,
    mae: mean(errs.map(Math.abs)),
    rmse: Math.sqrt(mean(errs.map((e) => e * e))),
    smape: mean(sm),
    mase: ms.length ? mean(ms) : null,
    coverage: COVERAGE_LEVELS.map((level, li) => ({ level, share: inside[li]! / errs.length })),
  };
}

/** Everything training produces: metrics for the API and the fitted path for the artifact. */
export interface TrainResult {
  resolvedModel: string;
  cv: CvReport;
  backtest: BacktestReport;
  fittedMean: number[];
}

/** Bad training input (too short a series): retrying cannot help. */
export class TrainingInputError extends Error {
  override name = 'TrainingInputError';
}

/** Shortest series the registry trains on: two seasons, for the CV warm-up and the backtests. */
export const MIN_TRAINING_VALUES = 24;

/** Trains: CV report, backtests with coverage, and the fitted path over the training horizon. */
export function trainModel(
  spec: ModelSpec,
  s: Series,
  horizon: number,
  onProgress: (fraction: number) => void = () => {},
): TrainResult {
  if (s.values.length < MIN_TRAINING_VALUES)
    throw new TrainingInputError(
      `the series has ${s.values.length} values; training needs at least ${MIN_TRAINING_VALUES} months`,
    );
  if (!s.values.every(Number.isFinite)) throw new TrainingInputError('the series has non-finite values');
  const cv = isMl(spec.algorithm) ? mlCv(spec, s) : statisticalCv(spec, s);
  onProgress(0.4);
  const backtest = backtestReport(spec, s, horizon);
  onProgress(0.85);
  const final = forecastWith(spec, s, horizon, 95);
  onProgress(1);
  return { resolvedModel: final.model, cv, backtest, fittedMean: final.mean };
}

function mlCv(spec: ModelSpec, s: Series): CvReport {
  try {
    const r = trainReport(
      spec.algorithm as MlAlgorithm,
      s.values,
      s.startIndex,
      spec.seed,
      spec.hyperparameters,
      spec.features,
    );
    return { ...r };
  } catch (e) {
    // trainReport's one input error: not enough rows for 5 folds after the features' warm-up.
    if (e instanceof Error && e.message.includes('too few')) throw new TrainingInputError(e.message);
    throw e;
  }
}
