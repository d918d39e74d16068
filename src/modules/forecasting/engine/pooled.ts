/**
 * A pooled (global) linear model across the series of a batch: one ridge regression per horizon
 * step on every window of every positive series, in log ratios to the window's level (mean of its
 * last 12 values), so series of any scale share the coefficients. Inputs: the last POOLED_LAGS
 * values; target: the value j steps after the window. Forecasts are direct (one coefficient vector
 * per step, no recursion). It has no calendar or series feature and ~25 coefficients per step, so it
 * cannot memorise a period or a series: what it learns is the average shape of how these series
 * continue (level, trend and seasonal persistence).
 *
 * Backtests must not see what they score: the model used at an origin `c` values before the end of
 * a series is trained on every series of the batch with its last `c'` >= c values removed
 * (`cuts`, multiples of the backtest step), so no series' values at or after that origin enter it.
 * Training is deterministic (normal equations, Cholesky) and runs once per batch in the main
 * thread, so results do not depend on the number of workers.
 */

/** Inputs per window (months). */
export const POOLED_LAGS = 24;
/** Ridge penalty on the lag coefficients (not the intercept); dev split: 1 and 10 alike. */
export const POOLED_RIDGE = 10;
/** A batch needs at least this many positive series long enough for a window to pool over. */
export const POOLED_MIN_SERIES = 50;

/** Trained weights: `weights[c][j]` for the model that dropped `cuts[c]` values, step j+1. */
export interface PooledModel {
  lags: number;
  horizon: number;
  cuts: number[];
  weights: number[][][];
}

/** Features of the window ending before index t: intercept and log(y / level) of the last `lags` values. */
function features(y: readonly number[], t: number, lags: number, out: number[]): number {
  let lv = 0;
  for (let i = t - 12; i < t; i++) lv += y[i]!;
  lv /= 12;
  out[0] = 1;
  for (let i = 1; i <= lags; i++) out[i] = Math.log(y[t - i]! / lv);
  return lv;
}

/** Solves A x = b for a symmetric positive definite A (Cholesky, in place on copies). */
function choleskySolve(A: number[][], b: number[]): number[] {
  const d = b.length;
  const L = A.map((r) => new Array<number>(r.length).fill(0));
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j]![j]!;
    }
  const x = [...b];
  for (let i = 0; i < d; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * x[k]!;
    x[i] = s / L[i]![i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < d; k++) s -= L[k]![i]! * x[k]!;
    x[i] = s / L[i]![i]!;
  }
  return x;
}

/** Ridge weights per step from the histories, each with its last `cut` values removed. */
function trainCut(
  histories: readonly (readonly number[])[],
  cut: number,
  lags: number,
  H: number,
): number[][] {
  const d = lags + 1;
  // Gram matrices by how many targets a window has (1..H): step j uses the windows with > j.
  const gram = Array.from({ length: H + 1 }, () =>
    Array.from({ length: d }, () => new Array<number>(d).fill(0)),
  );
  const xz = Array.from({ length: H }, () => new Array<number>(d).fill(0));
  const x = new Array<number>(d).fill(0);
  for (const full of histories) {
    const n = full.length - cut;
    for (let t = lags; t < n; t++) {
      const lv = features(full, t, lags, x);
      const k = Math.min(H, n - t);
      const g = gram[k]!;
      for (let a = 0; a < d; a++) {
        const row = g[a]!;
        const xa = x[a]!;
        for (let b = 0; b <= a; b++) row[b]! += xa * x[b]!;
      }
      for (let j = 0; j < k; j++) {
        const z = Math.log(full[t + j]! / lv);
        const r = xz[j]!;
        for (let a = 0; a < d; a++) r[a]! += x[a]! * z;
      }
    }
  }
  const A = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const weights: number[][] = new Array(H);
  for (let j = H - 1; j >= 0; j--) {
    // Accumulate the windows with more than j targets (k = j+1..H), from the longest down.
    const g = gram[j + 1]!;
    for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) A[a]![b]! += g[a]![b]!;
    const M = A.map((r, a) =>
      r.map((_, b) => (b <= a ? A[a]![b]! : A[b]![a]!) + (a === b && a > 0 ? POOLED_RIDGE : 0)),
    );
    weights[j] = choleskySolve(M, xz[j]!);
  }
  return weights;
}

/** Whether a history can feed the pooled model (positive, long enough for one window). */
export function pooledUsable(y: readonly number[], lags = POOLED_LAGS): boolean {
  return y.length >= Math.max(lags, 12) && y.every((v) => v > 0 && Number.isFinite(v));
}

/**
 * Trains the pooled model on a batch: one set of weights per cut (0 for forecasting from the full
 * histories, and every cut a backtest needs). Null when fewer than POOLED_MIN_SERIES series can
 * take part.
 */
export function trainPooled(
  histories: readonly (readonly number[])[],
  horizon: number,
  cuts: readonly number[],
): PooledModel | null {
  const usable = histories.filter((y) => pooledUsable(y));
  if (usable.length < POOLED_MIN_SERIES || horizon < 1) return null;
  const sorted = [...new Set([0, ...cuts])].sort((a, b) => a - b);
  return {
    lags: POOLED_LAGS,
    horizon,
    cuts: sorted,
    weights: sorted.map((c) => trainCut(usable, c, POOLED_LAGS, horizon)),
  };
}

/**
 * Forecast of `h` steps from history `y`, with the weights of the smallest cut >= `cut` (the
 * values the origin is before the end of its series). Null when the series cannot use the model
 * (not positive, too short, no such cut, or a horizon beyond the trained one).
 */
export function pooledForecast(
  model: PooledModel,
  y: readonly number[],
  h: number,
  cut: number,
): number[] | null {
  const c = model.cuts.findIndex((v) => v >= cut);
  if (c < 0 || h > model.horizon || !pooledUsable(y, model.lags)) return null;
  const x = new Array<number>(model.lags + 1).fill(0);
  const lv = features(y, y.length, model.lags, x);
  return model.weights[c]!.slice(0, h).map((w) => {
    let s = 0;
    for (let a = 0; a < w.length; a++) s += w[a]! * x[a]!;
    return lv * Math.exp(s);
  });
}

/** The cuts a batch's backtests need, rounded up to multiples of `step` (fewer models to train). */
export function cutsFor(
  lengths: readonly number[],
  originLengths: readonly (readonly number[])[],
  step: number,
): number[] {
  const cuts = new Set<number>([0]);
  lengths.forEach((n, i) => {
    for (const len of originLengths[i]!) cuts.add(Math.ceil((n - len) / step) * step);
  });
  return [...cuts].sort((a, b) => a - b);
}
