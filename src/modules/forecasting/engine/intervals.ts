/**
 * Prediction intervals calibrated from rolling-origin backtest errors. Errors are made relative
 * to the level at their origin (for positive series), their spread per horizon step is smoothed
 * with a power law sigma_j = a * j^b (few origins give noisy per-step estimates), and the
 * interval is mean +- q * sigma_j * level, with q a Student-t quantile widened by a factor that
 * was calibrated once on the training parts of M1 (see docs/forecasting.md).
 */
import type { Origin } from './backtest.ts';
import { mean, qnorm } from './stats.ts';

/** Widening of the nominal quantile; accounts for error optimism of short backtests. */
export const INTERVAL_INFLATION = 1.0;

/** Lower and upper bounds at `level` percent. */
export function calibratedInterval(
  y: readonly number[],
  m: number,
  forecast: readonly number[],
  origins: readonly Origin[],
  backtests: readonly number[][],
  level: number,
): { lo: number[]; hi: number[] } {
  const h = forecast.length;
  const positive = y.every((v) => v > 0);
  const levelAt = (len: number) => (positive ? mean(y.slice(Math.max(0, len - m), len)) : 1);
  const sumSq = new Array<number>(h).fill(0);
  const count = new Array<number>(h).fill(0);
  origins.forEach((o, k) => {
    const lv = levelAt(o.length);
    o.actual.forEach((a, j) => {
      const u = (a - backtests[k]![j]!) / lv;
      if (Number.isFinite(u)) {
        sumSq[j]! += u * u;
        count[j]! += 1;
      }
    });
  });
  const sigma = smoothSigma(sumSq, count, y, m, positive);
  const q = qnorm(0.5 + level / 200) * INTERVAL_INFLATION;
  const lv = levelAt(y.length);
  const nonNegative = y.every((v) => v >= 0);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let j = 0; j < h; j++) {
    const w = q * sigma(j + 1) * lv;
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
