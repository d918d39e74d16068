/**
 * Prediction intervals calibrated from rolling-origin backtest errors. Errors are made relative
 * to the level at their origin (for positive series), their spread per horizon step is smoothed
 * with a power law sigma_j = a * j^b (few origins give noisy per-step estimates), and the
 * interval is mean +- q * c(level, j) * sigma_j * level, with q the conformal quantile of the
 * standardised errors (bounded by the normal and Student-t(2) quantiles) and c the calibration by
 * level and step (M1_CALIBRATION).
 */
import type { Origin } from './backtest.ts';
import { mean, qnorm } from './stats.ts';

/**
 * How backtest errors understate future errors, by level and horizon step: the quantile of the
 * standardised scores is multiplied by A(level) * (1 + STEP_BOOST / j) at step j. Real series' future
 * errors exceed their in-sample backtest errors (level shifts, trend changes), more so at the
 * first steps, which the power law of sigma_j fits worst.
 *
 * Fitted on M1's training parts only, pooled over two held-out windows: the last 18 values of each
 * train (dev split) and the 18 before them (deep window), series with at least 30 values left (the
 * shortest M1 training part; the dev split's shorter truncations need far wider factors that would
 * not transfer): A(level) is the level-quantile of |future error| / (series quantile * sigma_j *
 * level * (1 + 0.5 / j)) of auto's forecasts. Fitted on one window and scored on the other, 80%
 * intervals covered 79.9-80.1% and 95% ones 93.9-96.0%. Levels between the grid points are
 * interpolated linearly, beyond it held constant.
 */
export const M1_CALIBRATION: Calibration = {
  levels: [50, 80, 90, 95, 99],
  factors: [0.984, 1.189, 1.36, 1.486, 2.304],
  stepBoost: 0.5,
};

/** A calibration of backtest quantiles: factor by level (interpolated) and the first-steps boost. */
export interface Calibration {
  levels: number[];
  factors: number[];
  stepBoost: number;
}

/** A calibration with one factor at every level and step. */
export function uniformCalibration(factor: number): Calibration {
  return { levels: [50], factors: [factor], stepBoost: 0 };
}

/** The widening at `level` percent and step j (1-based). */
export function calibrationFactor(c: Calibration, level: number, j: number): number {
  const { levels, factors } = c;
  let f = factors[factors.length - 1]!;
  if (level <= levels[0]!) f = factors[0]!;
  else
    for (let i = 1; i < levels.length; i++) {
      if (level <= levels[i]!) {
        const t = (level - levels[i - 1]!) / (levels[i]! - levels[i - 1]!);
        f = factors[i - 1]! + t * (factors[i]! - factors[i - 1]!);
        break;
      }
    }
  return f * (1 + c.stepBoost / j);
}

/** A series' backtest error model: relative spread per step, level, standardised backtest scores. */
export interface ErrorModel {
  /** RMS relative error at step j (1-based), power-law smoothed. */
  sigma: (j: number) => number;
  /** The level errors are relative to (mean of the last m values; 1 for non-positive series). */
  level: number;
  /** |backtest error| / (sigma_j * level at its origin), over all origins and steps. */
  scores: number[];
}

/** Fits the error model of one series from its rolling-origin backtests. */
export function errorModel(
  y: readonly number[],
  m: number,
  origins: readonly Origin[],
  backtests: readonly number[][],
  h: number,
): ErrorModel {
  const positive = y.every((v) => v > 0);
  const levelAt = (len: number) => (positive ? mean(y.slice(Math.max(0, len - m), len)) : 1);
  const sumSq = new Array<number>(h).fill(0);
  const count = new Array<number>(h).fill(0);
  origins.forEach((o, k) => {
    const lv = levelAt(o.length);
    o.actual.forEach((a, j) => {
      const u = (a - backtests[k]![j]!) / lv;
      if (j < h && Number.isFinite(u)) {
        sumSq[j]! += u * u;
        count[j]! += 1;
      }
    });
  });
  const sigma = smoothSigma(sumSq, count, y, m, positive);
  const scores: number[] = [];
  origins.forEach((o, k) => {
    const lvk = levelAt(o.length);
    o.actual.forEach((a, j) => {
      const v = Math.abs((a - backtests[k]![j]!) / lvk / sigma(j + 1));
      if (Number.isFinite(v)) scores.push(v);
    });
  });
  return { sigma, level: levelAt(y.length), scores };
}

/** The per-series quantile of the standardised scores, kept between normal and Student-t(2). */
export function seriesQuantile(scores: readonly number[], level: number): number {
  const p = 0.5 + level / 200;
  const lo0 = qnorm(p);
  const hi0 = studentT2(p);
  const emp = scores.length >= 8 ? conformalQuantile(scores, level / 100) : hi0;
  return Math.min(hi0, Math.max(lo0, emp));
}

/** Lower and upper bounds at `level` percent. */
export function calibratedInterval(
  y: readonly number[],
  m: number,
  forecast: readonly number[],
  origins: readonly Origin[],
  backtests: readonly number[][],
  level: number,
  calibration: Calibration = M1_CALIBRATION,
): { lo: number[]; hi: number[] } {
  const h = forecast.length;
  const em = errorModel(y, m, origins, backtests, Math.max(h, ...origins.map((o) => o.actual.length)));
  const q0 = seriesQuantile(em.scores, level);
  const nonNegative = y.every((v) => v >= 0);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let j = 0; j < h; j++) {
    const w = q0 * calibrationFactor(calibration, level, j + 1) * em.sigma(j + 1) * em.level;
    lo.push(nonNegative ? Math.max(0, forecast[j]! - w) : forecast[j]! - w);
    hi.push(forecast[j]! + w);
  }
  return { lo, hi };
}

/** Weighted log-log fit of the per-step RMS errors; falls back to naive one-step errors. */
function smoothSigma(sumSq: number[], count: number[], y: readonly number[], m: number, positive: boolean) {
  const pts: { lx: number; ly: number; w: number }[] = [];
  sumSq.forEach((s, j) => {
    const c = count[j]!;
    if (c > 0 && s > 0) pts.push({ lx: Math.log(j + 1), ly: 0.5 * Math.log(s / c), w: c });
  });
  if (pts.length === 0) {
    // No backtest possible (very short series): random-walk growth of the one-step naive error.
    const d: number[] = [];
    const lv = positive ? mean(y.slice(-m)) : 1;
    for (let t = 1; t < y.length; t++) d.push((y[t]! - y[t - 1]!) / lv);
    const s1 = Math.sqrt(mean(d.map((v) => v * v))) || 0;
    return (j: number) => s1 * Math.sqrt(j);
  }
  const W = pts.reduce((a, p) => a + p.w, 0);
  const mx = pts.reduce((a, p) => a + p.w * p.lx, 0) / W;
  const my = pts.reduce((a, p) => a + p.w * p.ly, 0) / W;
  let sxy = 0;
  let sxx = 0;
  for (const p of pts) {
    sxy += p.w * (p.lx - mx) * (p.ly - my);
    sxx += p.w * (p.lx - mx) * (p.lx - mx);
  }
  // Errors should not shrink with the horizon, nor grow faster than a trend error would.
  const b = sxx > 0 ? Math.min(1, Math.max(0, sxy / sxx)) : 0.5;
  const a = my - b * mx;
  return (j: number) => Math.exp(a + b * Math.log(j));
}

/** Quantile of Student's t with 2 degrees of freedom (closed form): heavy tails, as real errors have. */
export function studentT2(p: number): number {
  return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
}

/** Split-conformal quantile: the ceil((n+1)·level)-th smallest score (the largest when beyond n). */
function conformalQuantile(scores: readonly number[], level: number): number {
  const s = [...scores].sort((a, b) => a - b);
  const k = Math.min(s.length, Math.ceil((s.length + 1) * level));
  return s[k - 1]!;
}

/**
 * Correlation assumed between the forecast errors of different months when their bounds are
 * aggregated (sumInterval). Fitted on M1's training parts only (both windows, series with >= 30
 * values, sums over 2-12 months): 0.3-0.4 at 50-99%, 0.4 at 95%. Adding the monthly bounds (as if
 * errors were perfectly correlated, correlation 1) covered 95.8% / 98.1% at 95% and 87.4% / 92.2% at
 * 80% for 12-month sums; with 0.4: 94.6% / 95.3% and 77.0% / 79.0%, interval score 25-30% lower.
 */
export const MONTH_ERROR_CORRELATION = 0.4;

/**
 * The interval of a sum of forecast months from their own intervals: the half-widths below and
 * above combine as the spread of a sum of equally correlated errors,
 * sqrt(rho * (sum w)^2 + (1 - rho) * sum w^2): between the root of the sum of squares
 * (independent months) and the plain sum of the bounds (perfectly correlated). Never wider than
 * the summed bounds, and a single month keeps its own interval.
 */
export function sumInterval(
  mean: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  rho = MONTH_ERROR_CORRELATION,
): { mean: number; lo: number; hi: number } {
  let total = 0;
  let below = 0;
  let below2 = 0;
  let above = 0;
  let above2 = 0;
  mean.forEach((v, j) => {
    const b = v - lo[j]!;
    const a = hi[j]! - v;
    total += v;
    below += b;
    below2 += b * b;
    above += a;
    above2 += a * a;
  });
  const spread = (s: number, s2: number) => Math.sqrt(Math.max(0, rho * s * s + (1 - rho) * s2));
  return { mean: total, lo: total - spread(below, below2), hi: total + spread(above, above2) };
}
