/** Small numeric helpers shared by the models (pure functions over plain arrays). */

/** Arithmetic mean (NaN for an empty array). */
export function mean(x: readonly number[]): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** Sample standard deviation (0 for fewer than two values). */
export function sd(x: readonly number[]): number {
  if (x.length < 2) return 0;
  const mu = mean(x);
  let s = 0;
  for (const v of x) s += (v - mu) * (v - mu);
  return Math.sqrt(s / (x.length - 1));
}

/** Median of the values. */
export function median(x: readonly number[]): number {
  const s = [...x].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/** Empirical quantile with linear interpolation (type 7, as R's default). */
export function quantile(x: readonly number[], p: number): number {
  const s = [...x].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Autocorrelations at lags 1..lagMax. */
export function acf(x: readonly number[], lagMax: number): number[] {
  const n = x.length;
  const mu = mean(x);
  let c0 = 0;
  for (const v of x) c0 += (v - mu) * (v - mu);
  const r: number[] = [];
  for (let k = 1; k <= lagMax; k++) {
    let c = 0;
    for (let t = 0; t + k < n; t++) c += (x[t]! - mu) * (x[t + k]! - mu);
    r.push(c / c0);
  }
  return r;
}

/** M4's seasonality test: is the lag-m autocorrelation significant at 90%? */
export function isSeasonal(x: readonly number[], m: number): boolean {
  if (m <= 1 || x.length < 3 * m) return false;
  const r = acf(x, m);
  if (r.some((v) => !Number.isFinite(v))) return false;
  let cum = 1;
  for (let k = 0; k < m - 1; k++) cum += 2 * r[k]! * r[k]!;
  return Math.abs(r[m - 1]!) > (1.645 / Math.sqrt(x.length)) * Math.sqrt(cum);
}

/** Centred moving average of order m (2xm for even m), NaN at the ends. */
export function centredMa(x: readonly number[], m: number): number[] {
  const w: number[] = [];
  if (m % 2 === 0) {
    w.push(0.5 / m);
    for (let i = 1; i < m; i++) w.push(1 / m);
    w.push(0.5 / m);
  } else for (let i = 0; i < m; i++) w.push(1 / m);
  const half = Math.floor(w.length / 2);
  const out = new Array<number>(x.length).fill(Number.NaN);
  for (let t = half; t < x.length - half; t++) {
    let s = 0;
    for (let j = 0; j < w.length; j++) s += w[j]! * x[t - half + j]!;
    out[t] = s;
  }
  return out;
}

/**
 * Classical decomposition seasonal figure (R's decompose), index p = position relative to x[0].
 * Multiplicative figures average to 1, additive ones to 0; null when it cannot be estimated.
 */
export function seasonalFigure(x: readonly number[], m: number, multiplicative: boolean): number[] | null {
  if (x.length < 2 * m) return null;
  const trend = centredMa(x, m);
  const fig: number[] = [];
  for (let p = 0; p < m; p++) {
    let s = 0;
    let c = 0;
    for (let t = p; t < x.length; t += m) {
      const v = multiplicative ? x[t]! / trend[t]! : x[t]! - trend[t]!;
      if (Number.isFinite(v)) {
        s += v;
        c++;
      }
    }
    fig.push(c ? s / c : Number.NaN);
  }
  const fm = mean(fig);
  const out = fig.map((v) => (multiplicative ? v / fm : v - fm));
  if (!out.every(Number.isFinite) || (multiplicative && out.some((v) => v <= 0))) return null;
  return out;
}

/** Seasonal strength (Wang, Smith & Hyndman) from a classical decomposition. */
export function seasonalStrength(y: readonly number[], m: number): number {
  const fig = seasonalFigure(y, m, false);
  if (!fig) return 0;
  const trend = centredMa(y, m);
  const rem: number[] = [];
  const detr: number[] = [];
  y.forEach((v, t) => {
    if (Number.isFinite(trend[t]!)) {
      rem.push(v - trend[t]! - fig[t % m]!);
      detr.push(v - trend[t]!);
    }
  });
  const variance = (a: number[]) => {
    const mu = mean(a);
    return a.reduce((s, v) => s + (v - mu) ** 2, 0) / a.length;
  };
  return Math.max(0, 1 - variance(rem) / variance(detr));
}

/** Ordinary least squares of y on t = 0..n-1: [intercept, slope]. */
export function linearTrend(y: readonly number[]): [number, number] {
  const n = y.length;
  if (n < 2) return [y[0] ?? 0, 0];
  const tm = (n - 1) / 2;
  const ym = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t - tm) * (y[t]! - ym);
    sxx += (t - tm) * (t - tm);
  }
  const b = sxy / sxx;
  return [ym - b * tm, b];
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function qnorm(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((s, v) => s * x + v, 0);
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
