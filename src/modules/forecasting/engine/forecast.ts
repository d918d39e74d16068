/** One entry point: forecast one series with a named model (or `auto`), with calibrated intervals. */
import { AUTO_CANDIDATES, autoSelect, POOLED_CANDIDATES } from './auto.ts';
import { type BacktestPlan, backtestModel, planOrigins } from './backtest.ts';
import { calibratedInterval, uniformCalibration } from './intervals.ts';
import { runMember } from './members.ts';
import { getModel } from './models.ts';
import { cutsFor, POOLED_MIN_SERIES, type PooledModel, trainPooled } from './pooled.ts';
import { createRng, deriveSeed } from './prng.ts';
import type { FitContext, Forecast, ModelName } from './types.ts';

/** What the engine needs of a series: never its held-out `test` part. */
export interface SeriesInput {
  id: string;
  train: readonly number[];
  /** Season length; 12 for monthly. */
  period: number;
  /** Month index (year*12 + month-1) of train[0]; 0 when unknown. */
  startIndex: number;
}

/** Options of one forecast run. */
export interface ForecastOptions {
  model: ModelName;
  horizon: number;
  /** Interval level in percent (e.g. 95). */
  level: number;
  /** More interval levels to return in `Forecast.intervals` (same backtests, no extra fitting). */
  extraLevels?: number[];
  seed: number;
  plan?: BacktestPlan;
  /**
   * One widening factor for every level and step instead of the calibration by level and step
   * (M1_CALIBRATION); 1 gives the raw backtest quantiles, calibrated on stationary simulated data.
   */
  intervalInflation?: number;
  /**
   * The batch's pooled model (`trainBatchPooled`), a member of `auto` when given; ignored by the
   * other models.
   */
  pooled?: PooledModel | undefined;
}

/** Default backtest: up to 4 origins, half a season apart. */
export const DEFAULT_PLAN: BacktestPlan = { maxOrigins: 4, step: 6 };

/** Forecasts one series; the result has `horizon` means and bounds. */
export function forecastSeries(series: SeriesInput, opts: ForecastOptions): Forecast {
  const y = series.train;
  const h = opts.horizon;
  const m = series.period;
  const ctx: FitContext = {
    period: m,
    startIndex: series.startIndex,
    rng: createRng(deriveSeed(opts.seed, series.id)),
    pooled: opts.model === 'auto' ? opts.pooled : undefined,
  };
  const origins = planOrigins(y, h, m, opts.plan ?? DEFAULT_PLAN);
  let model: string;
  let mean: number[];
  let backtests: number[][];
  if (opts.model === 'auto') {
    const choice = autoSelect(y, h, ctx, origins, ctx.pooled ? POOLED_CANDIDATES : AUTO_CANDIDATES);
    model = `auto:${choice.name}`;
    mean = choice.mean;
    backtests = choice.backtests;
  } else if (opts.model === 'ets') {
    // The origins and the full history in one warm-started pass (etsPath).
    const run = runMember('ets', y, h, ctx, origins);
    model = 'ets';
    mean = run.full;
    backtests = run.backtests;
  } else {
    const fn = getModel(opts.model);
    model = opts.model;
    mean = fn(y, h, ctx);
    backtests = backtestModel(y, origins, fn, ctx);
  }
  const calibration =
    opts.intervalInflation === undefined ? undefined : uniformCalibration(opts.intervalInflation);
  const { lo, hi } = calibratedInterval(y, m, mean, origins, backtests, opts.level, calibration);
  const out: Forecast = { model, mean, lo, hi };
  if (opts.extraLevels?.length)
    out.intervals = opts.extraLevels.map((level) => ({
      level,
      ...calibratedInterval(y, m, mean, origins, backtests, level, calibration),
    }));
  return out;
}

/**
 * The pooled model of a batch (`pooled.ts`) for the series forecast with `auto`: trained on their
 * training parts, with the cuts their backtest origins need. Null when fewer than
 * POOLED_MIN_SERIES of them are `auto` (a single series, the API's models) or can take part.
 */
export function trainBatchPooled(
  series: readonly SeriesInput[],
  opts: readonly ForecastOptions[],
): PooledModel | null {
  const idx = series.map((_, i) => i).filter((i) => opts[i]!.model === 'auto');
  if (idx.length < POOLED_MIN_SERIES) return null;
  const plans = idx.map((i) => opts[i]!.plan ?? DEFAULT_PLAN);
  const origins = idx.map((i, k) =>
    planOrigins(series[i]!.train, opts[i]!.horizon, series[i]!.period, plans[k]!).map((o) => o.length),
  );
  const step = Math.min(...plans.map((p) => p.step));
  const cuts = cutsFor(
    idx.map((i) => series[i]!.train.length),
    origins,
    step,
  );
  const horizon = Math.max(...idx.map((i) => opts[i]!.horizon));
  return trainPooled(
    idx.map((i) => series[i]!.train),
    horizon,
    cuts,
  );
}

/** Parses "YYYY-MM" into a month index; 0 when absent. */
export function monthIndex(start: string | undefined): number {
  const m = start ? /^(\d{4})-(\d{2})/.exec(start) : null;
  return m ? Number(m[1]) * 12 + Number(m[2]) - 1 : 0;
}
