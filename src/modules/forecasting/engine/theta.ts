/**
 * Standard Theta method (Assimakopoulos & Nikolopoulos 2000, as Hyndman & Billah's `thetaf`):
 * multiplicative classical deseasonalisation when the series is seasonal, SES with drift equal to
 * half the slope of the linear trend, then reseasonalisation.
 *
 * Seasonal means: the 90% lag-m autocorrelation test (thetaf's) passes, or, for series too short
 * for it or where it is blind, the seasonal strength exceeds 0.64 (R's nsdiffs threshold). The
 * autocorrelation test needs 3 seasons and its Bartlett bound grows with the autocorrelations at
 * lags 1..m-1, so a smooth strong season over 36 months fails it and Theta came back flat. On the
 * dev split Theta alone went from OWA 0.926 to 0.911 (deep dev window 0.952 to 0.889).
 */
import { nelderMead } from './optim.ts';
import { isSeasonal, linearTrend, seasonalFigure, seasonalStrength } from './stats.ts';

/** Simple exponential smoothing fitted by least squares over (alpha, initial level). */
export function ses(y: readonly number[]): { alpha: number; level: number } {
  const sse = (x: number[]) => {
    const alpha = 1e-4 + 0.9998 / (1 + Math.exp(-x[0]!));
    let l = x[1]!;
    let s = 0;
    for (const v of y) {
      const e = v - l;
      s += e * e;
      l += alpha * e;
    }
    return s;
  };
  const scale = Math.abs(y[0]!) || 1;
  const best = nelderMead((x) => sse([x[0]!, x[1]! * scale]), [0, 1], { maxIter: 300, tol: 1e-10 });
  const alpha = 1e-4 + 0.9998 / (1 + Math.exp(-best.x[0]!));
  let l = best.x[1]! * scale;
  for (const v of y) l += alpha * (v - l);
  return { alpha, level: l };
}

/** Theta point forecaster. */
export function thetaForecast(y: readonly number[], h: number, m: number): number[] {
  const n = y.length;
  let fig: number[] | null = null;
  if (m > 1 && y.every((v) => v > 0) && thetaSeasonal(y, m)) fig = seasonalFigure(y, m, true);
  const sa = fig ? y.map((v, t) => v / fig[t % m]!) : [...y];
  if (sa.every((v) => v === sa[0])) return new Array<number>(h).fill(y[n - 1]!);
  const { alpha, level } = ses(sa);
  const drift = linearTrend(sa)[1] / 2;
  const tail = (1 - (1 - alpha) ** n) / alpha;
  return Array.from({ length: h }, (_, i) => {
    const f = level + drift * (i + tail);
    return fig ? f * fig[(n + i) % m]! : f;
  });
}

/** Theta's seasonality decision: the 90% autocorrelation test, or seasonal strength > 0.64. */
export function thetaSeasonal(y: readonly number[], m: number): boolean {
  if (isSeasonal(y, m)) return true;
  return y.length >= 2 * m + 2 && seasonalStrength(y, m) > SEASONAL_STRENGTH;
}

/** Seasonal strength above which a series counts as seasonal (R's nsdiffs uses 0.64). */
export const SEASONAL_STRENGTH = 0.64;
