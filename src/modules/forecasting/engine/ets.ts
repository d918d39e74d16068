/**
 * Exponential smoothing state space models (ETS, Hyndman et al. 2008): additive or multiplicative
 * error, none/additive/damped trend, none/additive/multiplicative season, selected by AICc.
 * Smoothing parameters, the initial level/slope and the m-1 free initial seasonal states are
 * estimated by maximum likelihood (Levenberg-Marquardt for seasonal forms, Nelder-Mead otherwise);
 * the classical decomposition of the first three years gives the starting values. `etsPath` fits
 * the backtest origins warm-started, shortest first.
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
  /** The optimum's raw parameter vector in data units (level, slope, additive seasons unscaled). */
  start: number[];
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
  work?: Float64Array,
) {
  // `work` (length m) holds the seasonal states when given, so repeated runs allocate nothing.
  const s = work ?? new Float64Array(m);
  for (let k = 0; k < m; k++) s[k] = s0[k] ?? 0;
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

/**
 * Initial seasonal states from the free ones: the last makes them sum to 0 (A) or m (M). Written
 * into `out` (length m) when given.
 */
function seasonStates(
  x: readonly number[],
  from: number,
  m: number,
  mul: boolean,
  out: number[] = new Array<number>(m),
): number[] | null {
  let sum = 0;
  for (let k = 0; k < m - 1; k++) {
    const v = x[from + k]!;
    out[k] = v;
    sum += v;
    if (mul && v <= 0) return null;
  }
  out[m - 1] = mul ? m - sum : -sum;
  if (mul && out[m - 1]! <= 0) return null;
  return out;
}

/** Fit options. */
export interface EtsOptions {
  /**
   * Estimate the m-1 free initial seasonal states with the other parameters, as R's ets does
   * (default). False keeps the classical-decomposition states (the starting values) fixed.
   */
  freeSeasons?: boolean;
  /**
   * Starting point: the `start` of an earlier fit of the same form (a shorter history of the same
   * series). Ignored when inadmissible for this history; the default starting values are used then.
   */
  start?: readonly number[];
  /** Fits of every form are also recorded here, by form name, to warm-start the next history. */
  starts?: Map<string, number[]>;
  /**
   * Relative improvement of the likelihood below which the optimiser stops (default 1e-7). The
   * backtest fits use a looser one (BACKTEST_TOL): they only score forecasts.
   */
  tol?: number;
}

/** The form's name, e.g. "MAdM". */
export const specName = (s: EtsSpec) => `${s.error}${s.trend}${s.season}`;

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
  const stBuf = new Array<number>(m);
  const statesOf = (x: readonly number[], out?: number[]) =>
    freeSeasons ? seasonStates(x, nx, m, spec.season === 'M', out) : s0;
  // Which entries of x are in data units: the initial level and slope, additive seasonal states.
  const lvl = nx - (spec.trend === 'N' ? 1 : 2);
  const unitScaled = (i: number) => (i >= lvl && i < nx) || (i >= nx && spec.season === 'A');
  let best: { x: number[]; fx: number };
  if (opts.start && opts.start.length === x0.length) {
    const warm = opts.start.map((v, i) => (unitScaled(i) ? v / scale : v));
    const st = statesOf(warm);
    if (st && filter(y, spec, m, decode(warm, spec), st).lik < BAD) x0.splice(0, x0.length, ...warm);
  }
  if (freeSeasons) {
    const r = new Float64Array(n);
    const work = new Float64Array(m);
    const resid = (x: number[]) => {
      const st = statesOf(x, stBuf);
      if (!st) return null;
      return filter(y, spec, m, decode(x, spec), st, r, work).lik >= BAD ? null : r;
    };
    best = levenbergMarquardt(resid, x0, { maxIter: 60, tol: opts.tol ?? 1e-7 });
    best.fx = Number.isFinite(best.fx)
      ? filter(y, spec, m, decode(best.x, spec), statesOf(best.x)!).lik
      : BAD;
  } else {
    const work = new Float64Array(m);
    const obj = (x: number[]) => filter(y, spec, m, decode(x, spec), s0, undefined, work).lik;
    best = nelderMead(obj, x0, { maxIter: 120 * x0.length, tol: opts.tol ?? 1e-7, step: 0.4 });
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
    seasons: Array.from(st.s),
    aicc,
    start: best.x.map((v, i) => (unitScaled(i) ? v * scale : v)),
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
    const name = specName(spec);
    const start = opts.starts?.get(name);
    const fit = fitEtsSpec(y, m, spec, start ? { ...opts, start } : opts);
    if (fit) opts.starts?.set(name, fit.start);
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
  opts: EtsOptions = {},
): { spec: EtsSpec | null; mean: number[] } {
  if (y.every((v) => v === y[0])) return { spec: null, mean: new Array<number>(h).fill(y[0]!) };
  const fit = fitEts(y, m, specs, opts);
  return { spec: fit.spec, mean: etsPredict(fit, h) };
}

/** Optimiser tolerance of the backtest fits (etsPath); the forecasting fit keeps 1e-7. */
export const BACKTEST_TOL = 1e-4;

/**
 * ETS on several prefixes of one series (the backtest origins and the full history), each form
 * searched again on each, the shortest first: every fit starts from the same form's optimum on the
 * previous, shorter prefix, which is close, so Levenberg-Marquardt needs a few iterations instead
 * of ~18. A prefix never sees a later value: nothing leaks from the values a backtest scores.
 * `horizons[k]` forecasts are returned for `lengths[k]`.
 */
export function etsPath(
  y: readonly number[],
  lengths: readonly number[],
  horizons: readonly number[],
  m: number,
  specs?: readonly EtsSpec[],
): number[][] {
  const order = lengths.map((_, k) => k).sort((a, b) => lengths[a]! - lengths[b]!);
  const out = new Array<number[]>(lengths.length);
  const starts = new Map<string, number[]>();
  for (const k of order) {
    const cold = lengths[k]! >= y.length;
    const o = cold ? {} : { starts, tol: BACKTEST_TOL };
    out[k] = etsSearch(y.slice(0, lengths[k]), horizons[k]!, m, specs, o).mean;
  }
  return out;
}
