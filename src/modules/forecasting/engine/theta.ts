/**
 * Standard Theta method (Assimakopoulos & Nikolopoulos 2000, as Hyndman & Billah's `thetaf`):
 * multiplicative classical deseasonalisation when the 90% seasonality test passes, SES with
 * drift equal to half the slope of the linear trend, then reseasonalisation.
 */
import { nelderMead } from './optim.ts';
import { isSeasonal, linearTrend, seasonalFigure } from './stats.ts';

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
  if (m > 1 && y.every((v) => v > 0) && isSeasonal(y, m)) fig = seasonalFigure(y, m, true);
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
