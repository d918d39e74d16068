/**
 * Exponential smoothing state space models (ETS, Hyndman et al. 2008): additive or multiplicative
 * error, none/additive/damped trend, none/additive/multiplicative season, selected by AICc.
 * Smoothing parameters and the initial level/slope are estimated by maximum likelihood with
 * Nelder-Mead; initial seasonal states come from a classical decomposition (as R's starting
 * values) and are not re-estimated, which keeps a fit to a few milliseconds.
 */
import { levenbergMarquardt } from './lm.ts';
import { nelderMead } from './optim.ts';
import { linearTrend, mean, seasonalFigure } from './stats.ts';

export interface EtsSpec {
  error: 'A' | 'M';
  trend: 'N' | 'A' | 'Ad';
  season: 'N' | 'A' | 'M';
}

/** A fitted model: enough to forecast and to compare by AICc. */
export interface EtsFit {
  spec: EtsSpec;
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  level: number;
  slope: number;
  seasons: number[];
  aicc: number;
  /** Data were divided by this before fitting (numerical safety); forecasts are multiplied back. */
  scale: number;
  n: number;
  m: number;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));
const BAD = 1e12;

/** The model family R's ets() searches by default (no multiplicative trend, no A error with M season). */
export function etsCandidates(seasonal: boolean, positive: boolean): EtsSpec[] {
  const out: EtsSpec[] = [];
  for (const error of positive ? (['A', 'M'] as const) : (['A'] as const))
    for (const trend of ['N', 'A', 'Ad'] as const)
      for (const season of seasonal ? (['N', 'A', 'M'] as const) : (['N'] as const)) {
        if (season === 'M' && (error === 'A' || !positive)) continue;
        out.push({ error, trend, season });
      }
  return out;
}

interface Params {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  l0: number;
  b0: number;
}

function decode(x: readonly number[], spec: EtsSpec): Params {
  let i = 0;
  const alpha = 1e-4 + 0.9998 * sig(x[i++]!);
  const beta = spec.trend !== 'N' ? alpha * 0.9999 * sig(x[i++]!) : 0;
  const gamma = spec.season !== 'N' ? (1 - alpha) * 0.9999 * sig(x[i++]!) : 0;
  const phi = spec.trend === 'Ad' ? 0.8 + 0.18 * sig(x[i++]!) : 1;
  const l0 = x[i++]!;
  const b0 = spec.trend !== 'N' ? x[i++]! : 0;
  return { alpha, beta, gamma, phi, l0, b0 };
}

/**
 * Runs the filter; returns the -2 log-likelihood (up to a constant) and the final states. With
 * `res`, also writes the residuals whose sum of squares is exp(lik / n): eps for additive error,
 * eps / mu scaled by the geometric mean of mu for multiplicative error.
 */
function filter(
  y: readonly number[],
  spec: EtsSpec,
  m: number,
  p: Params,
  s0: readonly number[],
  res?: Float64Array,
) {
  const s = [...s0];
  let l = p.l0;
  let b = p.b0;
  let sse = 0;
  let sumLog = 0;
  const addSeason = spec.season === 'A';
  const mulSeason = spec.season === 'M';
  for (let t = 0; t < y.length; t++) {
    const k = t % m;
    const lb = l + p.phi * b;
    const st = s[k]!;
    const mu = mulSeason ? lb * st : addSeason ? lb + st : lb;
    if (!Number.isFinite(mu) || (spec.error === 'M' && mu <= 0)) return { lik: BAD, l, b, s };
    const eps = y[t]! - mu;
    if (spec.error === 'M') {
      const e = eps / mu;
      sse += e * e;
      sumLog += Math.log(mu);
      if (res) res[t] = e;
    } else {
      sse += eps * eps;
      if (res) res[t] = eps;
    }
    // Error-correction form written with the additive error; it equals the multiplicative-error
    // recursions once eps = mu * e, so one code path serves both error types.
    if (mulSeason) {
      l = lb + (p.alpha * eps) / st;
      b = p.phi * b + (p.beta * eps) / st;
      s[k] = st + (p.gamma * eps) / lb;
    } else {
      l = lb + p.alpha * eps;
      b = p.phi * b + p.beta * eps;
      if (addSeason) s[k] = st + p.gamma * eps;
    }
  }
  const n = y.length;
  if (res && spec.error === 'M') {
    const g = Math.exp(sumLog / n);
    for (let t = 0; t < n; t++) res[t]! *= g;
  }
  const lik = n * Math.log(Math.max(sse, 1e-300)) + 2 * sumLog;
  return { lik: Number.isFinite(lik) ? lik : BAD, l, b, s };
}

/** Initial seasonal states from the free ones: the last makes them sum to 0 (A) or m (M). */
function seasonStates(x: readonly number[], from: number, m: number, mul: boolean): number[] | null {
  const s = x.slice(from, from + m - 1);
  let sum = 0;
  for (const v of s) sum += v;
  s.push(mul ? m - sum : -sum);
  if (mul && s.some((v) => v <= 0)) return null;
  return s;
}

/** Fit options. */
export interface EtsOptions {
  /**
   * Estimate the m-1 free initial seasonal states with the other parameters, as R's ets does
   * (default). False keeps the classical-decomposition states (the starting values) fixed.
   */
  freeSeasons?: boolean;
}

/** Fits one ETS form by maximum likelihood; null when it cannot be fitted to this series. */
export function fitEtsSpec(
  yRaw: readonly number[],
  m: number,
  spec: EtsSpec,
  opts: EtsOptions = {},
): EtsFit | null {
  const n = yRaw.length;
  const seasonal = spec.season !== 'N';
  if (seasonal && n < 2 * m + 2) return null;
  const scale = Math.abs(mean(yRaw)) || 1;
  const y = yRaw.map((v) => v / scale);
  let s0 = new Array<number>(m).fill(spec.season === 'M' ? 1 : 0);
  let sa = y;
  if (seasonal) {
    const fig = seasonalFigure(y.slice(0, Math.min(n, 3 * m)), m, spec.season === 'M');
    if (!fig) return null;
    s0 = fig;
    sa = y.map((v, t) => (spec.season === 'M' ? v / fig[t % m]! : v - fig[t % m]!));
  }
  const maxn = Math.min(Math.max(10, 2 * m), n);
  const [a, slope] = linearTrend(sa.slice(0, maxn));
  const x0 = [logit(spec.season !== 'N' ? 0.2 : 0.5)];
  if (spec.trend !== 'N') x0.push(logit(0.1));
  if (seasonal) x0.push(logit(0.05));
  if (spec.trend === 'Ad') x0.push(logit(0.9));
  x0.push(spec.trend === 'N' ? mean(sa.slice(0, maxn)) : a - slope);
  if (spec.trend !== 'N') x0.push(slope);
  const nx = x0.length;
  const freeSeasons = seasonal && (opts.freeSeasons ?? true);
  if (freeSeasons) x0.push(...s0.slice(0, m - 1));
  const statesOf = (x: readonly number[]) => (freeSeasons ? seasonStates(x, nx, m, spec.season === 'M') : s0);
  let best: { x: number[]; fx: number };
  if (freeSeasons) {
    const r = new Float64Array(n);
    const resid = (x: number[]) => {
      const st = statesOf(x);
      if (!st) return null;
      return filter(y, spec, m, decode(x, spec), st, r).lik >= BAD ? null : r.slice();
    };
    best = levenbergMarquardt(resid, x0, { maxIter: 60 });
    best.fx = Number.isFinite(best.fx)
      ? filter(y, spec, m, decode(best.x, spec), statesOf(best.x)!).lik
      : BAD;
  } else {
    const obj = (x: number[]) => filter(y, spec, m, decode(x, spec), s0).lik;
    best = nelderMead(obj, x0, { maxIter: 120 * x0.length, tol: 1e-7, step: 0.4 });
  }
  if (best.fx >= BAD) return null;
  s0 = statesOf(best.x)!;
  const p = decode(best.x, spec);
  const st = filter(y, spec, m, p, s0);
  const k = nx + (seasonal ? m - 1 : 0) + 1;
  const aicc = n - k - 1 > 0 ? best.fx + 2 * k + (2 * k * (k + 1)) / (n - k - 1) : Number.POSITIVE_INFINITY;
  return {
    spec,
    alpha: p.alpha,
    beta: p.beta,
    gamma: p.gamma,
    phi: p.phi,
    level: st.l,
    slope: st.b,
    seasons: st.s,
    aicc,
    scale,
    n,
    m,
  };
}

/** Point forecasts h steps ahead from a fitted model. */
export function etsPredict(fit: EtsFit, h: number): number[] {
  const out: number[] = [];
  let damp = 0;
  let pw = 1;
  for (let j = 1; j <= h; j++) {
    pw *= fit.phi;
    damp += pw;
    const lb = fit.level + (fit.spec.trend === 'N' ? 0 : damp * fit.slope);
    const st = fit.seasons[(fit.n - 1 + j) % fit.m]!;
    const f = fit.spec.season === 'M' ? lb * st : fit.spec.season === 'A' ? lb + st : lb;
    out.push(f * fit.scale);
  }
  return out;
}

/** Fits every admissible ETS form and keeps the lowest AICc. */
export function fitEts(
  y: readonly number[],
  m: number,
  specs?: readonly EtsSpec[],
  opts: EtsOptions = {},
): EtsFit {
  const positive = y.every((v) => v > 0);
  const seasonal = m > 1 && y.length >= 2 * m + 2;
  let best: EtsFit | null = null;
  for (const spec of specs ?? etsCandidates(seasonal, positive)) {
    const fit = fitEtsSpec(y, m, spec, opts);
    if (fit && (!best || fit.aicc < best.aicc)) best = fit;
  }
  // ANN always fits; keep it as the floor for degenerate series.
  return best ?? (fitEtsSpec(y, m, { error: 'A', trend: 'N', season: 'N' }) as EtsFit);
}

/** ETS point forecaster (model chosen by AICc, or the given forms only). */
export function etsForecast(
  y: readonly number[],
  h: number,
  m: number,
  specs?: readonly EtsSpec[],
): number[] {
  return etsSearch(y, h, m, specs).mean;
}

/** The AICc choice and its forecasts; `spec` is null for a constant series (flat forecast). */
export function etsSearch(
  y: readonly number[],
  h: number,
  m: number,
  specs?: readonly EtsSpec[],
): { spec: EtsSpec | null; mean: number[] } {
  if (y.every((v) => v === y[0])) return { spec: null, mean: new Array<number>(h).fill(y[0]!) };
  const fit = fitEts(y, m, specs);
  return { spec: fit.spec, mean: etsPredict(fit, h) };
}
