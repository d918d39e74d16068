/** Accuracy metrics with the M4 definitions used by ../shared/data/score.mjs. */
import { naive2 } from './baseline.ts';

/** sMAPE (in %) of one forecast. */
export function smape(y: readonly number[], f: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const d = Math.abs(y[i]!) + Math.abs(f[i]!);
    s += d === 0 ? 0 : (200 * Math.abs(y[i]! - f[i]!)) / d;
  }
  return s / y.length;
}

/** In-sample MAE of the seasonal naive forecast (MASE's denominator; lag 1 for short series). */
export function snaiveScale(x: readonly number[], m: number): number {
  const lag = x.length <= m ? 1 : m;
  let s = 0;
  let n = 0;
  for (let t = lag; t < x.length; t++) {
    s += Math.abs(x[t]! - x[t - lag]!);
    n++;
  }
  return n ? s / n : Number.NaN;
}

/** MASE of one forecast given the scale from the training part. */
export function mase(y: readonly number[], f: readonly number[], scale: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i]! - f[i]!);
  return s / y.length / scale;
}

/**
 * Mean interval score over the horizon (M4): width plus 2/alpha times the distance of each actual
 * outside the bounds, alpha = 1 - level/100. Divided by the seasonal-naive scale it is MSIS.
 */
export function intervalScore(
  y: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  level: number,
): number {
  const a = 1 - level / 100;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const l = lo[i]!;
    const u = hi[i]!;
    const v = y[i]!;
    s += u - l + (v < l ? (2 / a) * (l - v) : 0) + (v > u ? (2 / a) * (v - u) : 0);
  }
  return s / y.length;
}

/** One series' contribution to the summary. */
export interface SeriesScore {
  smape: number;
  mase: number | null;
  naive2Smape: number;
  naive2Mase: number | null;
  inside: number;
  points: number;
  /** Scaled interval score (M4's MSIS, at the interval's level) of this series; null without scale. */
  msis: number | null;
}

/** Scores one forecast against the held-out truth (used by the benchmark, never by models). */
export function scoreSeries(
  train: readonly number[],
  test: readonly number[],
  m: number,
  mean: readonly number[],
  lo?: readonly number[],
  hi?: readonly number[],
  level = 95,
): SeriesScore {
  const h = test.length;
  const f = mean.slice(0, h);
  const scale = snaiveScale(train, m);
  const n2 = naive2(train, h, m);
  let inside = 0;
  if (lo && hi) for (let i = 0; i < h; i++) if (test[i]! >= lo[i]! && test[i]! <= hi[i]!) inside++;
  return {
    smape: smape(test, f),
    mase: scale > 0 ? mase(test, f, scale) : null,
    naive2Smape: smape(test, n2),
    naive2Mase: scale > 0 ? mase(test, n2, scale) : null,
    inside,
    points: lo && hi ? h : 0,
    msis: lo && hi && scale > 0 ? intervalScore(test, lo, hi, level) / scale : null,
  };
}

/** Overall figures: means over series, pooled coverage and OWA against Naive2. */
export interface Summary {
  n: number;
  smape: number;
  mase: number;
  owa: number;
  coverage: number | null;
  /** Mean MSIS over the series with a scale (null without intervals). */
  msis: number | null;
}

/** Aggregates series scores exactly as score.mjs does. */
export function summarise(rows: readonly SeriesScore[]): Summary {
  const avg = (k: (r: SeriesScore) => number | null) => {
    const v = rows.map(k).filter((x): x is number => x !== null && Number.isFinite(x));
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  const sm = avg((r) => r.smape);
  const ma = avg((r) => r.mase);
  const pts = rows.reduce((a, r) => a + r.points, 0);
  const ins = rows.reduce((a, r) => a + r.inside, 0);
  return {
    n: rows.length,
    smape: sm,
    mase: ma,
    owa: 0.5 * (sm / avg((r) => r.naive2Smape) + ma / avg((r) => r.naive2Mase)),
    coverage: pts ? ins / pts : null,
    msis: pts ? avg((r) => r.msis) : null,
  };
}
