/**
 * Rolling-origin backtests on the training part: the model is refitted at each origin and its
 * forecasts compared with the values that follow, which are still inside the training part.
 */
import type { FitContext, PointForecaster } from './types.ts';

/** One origin: the length of history used and the actual values that followed it. */
export interface Origin {
  length: number;
  actual: number[];
}

/** How many origins at most, and how far apart (in steps). */
export interface BacktestPlan {
  maxOrigins: number;
  step: number;
}

/**
 * Origins for a series of length n and horizon h: the latest origin with a full horizon (or as
 * much as the history allows), earlier ones every `step` steps, and shorter-horizon origins
 * after it so the most recent behaviour is also scored.
 */
export function planOrigins(y: readonly number[], h: number, m: number, plan: BacktestPlan): Origin[] {
  const n = y.length;
  const minTrain = Math.max(m + 4, Math.min(2 * m + 2, n - 6));
  const hb = Math.min(h, n - minTrain);
  if (hb < 1) return [];
  const lengths = new Set<number>();
  for (let o = n - hb; o >= minTrain && lengths.size < plan.maxOrigins; o -= plan.step) lengths.add(o);
  for (let o = n - plan.step; o > n - hb && lengths.size < plan.maxOrigins; o -= plan.step) lengths.add(o);
  return [...lengths]
    .sort((a, b) => a - b)
    .map((length) => ({ length, actual: y.slice(length, Math.min(n, length + h)) }));
}

/** Forecasts of one model at every origin (each as long as that origin's actuals). */
export function backtestModel(
  y: readonly number[],
  origins: readonly Origin[],
  model: PointForecaster,
  ctx: FitContext,
): number[][] {
  return origins.map((o) => model(y.slice(0, o.length), o.actual.length, ctx));
}

/** Mean absolute scaled error of a model over all origins (scale: in-sample naive MAE). */
export function backtestError(
  y: readonly number[],
  origins: readonly Origin[],
  forecasts: readonly number[][],
  m: number,
): number {
  let total = 0;
  origins.forEach((o, k) => {
    const hist = y.slice(0, o.length);
    const lag = hist.length > m ? m : 1;
    let sc = 0;
    for (let t = lag; t < hist.length; t++) sc += Math.abs(hist[t]! - hist[t - lag]!);
    sc = sc / (hist.length - lag) || 1;
    const f = forecasts[k]!;
    let e = 0;
    let sm = 0;
    o.actual.forEach((a, j) => {
      e += Math.abs(a - f[j]!);
      const d = Math.abs(a) + Math.abs(f[j]!);
      sm += d === 0 ? 0 : (2 * Math.abs(a - f[j]!)) / d;
    });
    // Half MASE, half sMAPE (as a fraction): the two halves of OWA, so auto optimises what is scored.
    total += (0.5 * e) / sc / o.actual.length + (0.5 * sm) / o.actual.length / 0.15;
  });
  return total / Math.max(1, origins.length);
}
