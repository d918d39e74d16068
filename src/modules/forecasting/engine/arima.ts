/**
 * SARIMA through the `arima` package (ctsa compiled to wasm) with orders chosen by our own
 * stepwise AICc search. Its AutoARIMA is not used: it is unreliable on seasonal data. The package
 * does not expose the log-likelihood, so we load its wasm module ourselves and read `loglik` from
 * the fitted model struct (layout of ctsa's sarimax_set, checked against its printed AIC).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mean, seasonalStrength } from './stats.ts';

interface ArimaInstance {
  model: number;
  train(ts: number[]): ArimaInstance;
  predict(l: number): [number[], number[]];
  destroy(): void;
}
type ArimaCtor = new (o: Record<string, number | boolean>) => ArimaInstance;
interface WasmModule {
  HEAPF64: Float64Array;
}

let cached: { ARIMA: ArimaCtor; wasm: WasmModule } | null = null;

function load() {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('arima'));
  const Module = require(join(dir, 'wasm/native-sync.js')) as (o: object) => WasmModule;
  const bin = require(join(dir, 'wrapper/native.bin.js')) as Uint8Array;
  // ctsa prints optimiser diagnostics with printf: keep them off stdout, which may carry JSON.
  const wasm = Module({ wasmBinary: bin, print: () => {}, printErr: () => {} });
  const ARIMA = (require(join(dir, 'load.js')) as (m: WasmModule) => ArimaCtor)(wasm);
  cached = { ARIMA, wasm };
  return cached;
}

/** A SARIMA order (s is the season length, 0 when non-seasonal). */
export interface ArimaOrder {
  p: number;
  d: number;
  q: number;
  P: number;
  D: number;
  Q: number;
  s: number;
}

// Offset of `loglik` in the wrapper's model struct: 16 bytes of wrapper header, then sarimax_set
// (14 ints, 6 pointers, int, pointer, then doubles mean, var, loglik).
const LOGLIK_OFFSET = 120;

/** Fits one order; returns its AICc and forecasts, or null when the fit fails. */
export function fitArima(
  y: readonly number[],
  order: ArimaOrder,
  h: number,
): { aicc: number; mean: number[] } | null {
  const { ARIMA, wasm } = load();
  const { p, d, q, P, D, Q, s } = order;
  const minLength = d + s * D + Math.max(p + q, 2 * s, 10);
  // ctsa mis-handles pure differencing (no ARMA term at all): skip those orders.
  if (y.length < minLength + 2 || p + q + P + Q === 0) return null;
  const scale = Math.abs(mean(y)) || 1;
  // BFGS (optimizer 5) is about twice as fast as the default L-BFGS here, with the same fits.
  const a = new ARIMA({ p, d, q, P, D, Q, s, method: 0, optimizer: 5, verbose: false });
  try {
    a.train(y.map((v) => v / scale));
    const loglik = wasm.HEAPF64[(a.model + LOGLIK_OFFSET) / 8]!;
    const [pred] = a.predict(h);
    // Diverging fits (non-stationary AR parts the optimiser wandered into) forecast wild values.
    const bound = 3 * Math.max(...y.map((v) => Math.abs(v / scale)));
    if (!Number.isFinite(loglik) || !pred.every((v) => Number.isFinite(v) && Math.abs(v) <= bound))
      return null;
    const nEff = y.length - d - s * D;
    const k = p + q + P + Q + (d + D === 0 ? 1 : 0) + 1;
    const aicc =
      -2 * loglik +
      2 * k +
      (nEff - k - 1 > 0 ? (2 * k * (k + 1)) / (nEff - k - 1) : Number.POSITIVE_INFINITY);
    return { aicc, mean: pred.map((v) => v * scale) };
  } catch {
    return null;
  } finally {
    a.destroy();
  }
}

/** KPSS level-stationarity statistic (lag truncation as in R's tseries, "short"). */
function kpss(x: readonly number[]): number {
  const n = x.length;
  const mu = mean(x);
  const e = x.map((v) => v - mu);
  let s = 0;
  let eta = 0;
  for (const v of e) {
    s += v;
    eta += s * s;
  }
  const l = Math.trunc(4 * (n / 100) ** 0.25);
  let lrv = e.reduce((a, v) => a + v * v, 0) / n;
  for (let k = 1; k <= l; k++) {
    let c = 0;
    for (let t = k; t < n; t++) c += e[t]! * e[t - k]!;
    lrv += (2 * (1 - k / (l + 1)) * c) / n;
  }
  return eta / (n * n) / lrv;
}

const diff = (x: readonly number[], lag: number) => x.slice(lag).map((v, i) => v - x[i]!);

/** Chooses D by seasonal strength (> 0.64, R's nsdiffs) and d by repeated KPSS tests at 5%. */
export function chooseDifferences(y: readonly number[], m: number): { d: number; D: number } {
  const D = m > 1 && y.length >= 3 * m && seasonalStrength(y, m) > 0.64 ? 1 : 0;
  let x = D ? diff(y, m) : [...y];
  let d = 0;
  while (d < 2 && x.length > 10 && kpss(x) > 0.463) {
    x = diff(x, 1);
    d++;
  }
  return { d, D };
}

/**
 * Rounds of stepwise refinement (neighbouring orders, p,q <= 2 and P,Q <= 1) after the three
 * starting orders. 0, chosen on M1's dev split (train minus its last 18 values): stepwise rounds
 * overfit the AICc there (OWA 1.017 with 3 rounds, 1.008 with 1, 0.971 with 0) and cost 3-6x the CPU.
 */
export const ARIMA_STEPS = 0;

/** d, D by tests, then the orders (0,d,1)(0,D,1), (1,d,0)(1,D,0), (1,d,1)(0,D,1) [+ stepwise] by AICc. */
export function arimaForecast(y: readonly number[], h: number, m: number): number[] {
  return arimaSearch(y, h, m).mean;
}

/** Refits a given order (e.g. the one found on the full history, at a backtest origin). */
export function arimaWithOrder(y: readonly number[], h: number, order: ArimaOrder | null): number[] {
  const r = order ? fitArima(y, order, h) : null;
  return r ? r.mean : new Array<number>(h).fill(y[y.length - 1]!);
}

/** The stepwise search: the chosen order (null when nothing could be fitted) and its forecasts. */
export function arimaSearch(
  y: readonly number[],
  h: number,
  m: number,
  steps = ARIMA_STEPS,
): { order: ArimaOrder | null; mean: number[] } {
  const { d, D } = chooseDifferences(y, m);
  const s = D || (m > 1 && y.length >= 3 * m) ? m : 0;
  const seen = new Map<string, { aicc: number; mean: number[] } | null>();
  const tryOrder = (o: ArimaOrder) => {
    const key = `${o.p}${o.q}${o.P}${o.Q}`;
    if (!seen.has(key)) seen.set(key, fitArima(y, o, h));
    return seen.get(key) ?? null;
  };
  const mk = (p: number, q: number, P: number, Q: number): ArimaOrder => ({
    p,
    d,
    q,
    P: s ? P : 0,
    D: s ? D : 0,
    Q: s ? Q : 0,
    s,
  });
  let best: { o: ArimaOrder; r: { aicc: number; mean: number[] } } | null = null;
  const consider = (o: ArimaOrder) => {
    const r = tryOrder(o);
    if (r && (!best || r.aicc < best.r.aicc)) {
      best = { o, r };
      return true;
    }
    return false;
  };
  for (const o of [mk(0, 1, 0, 1), mk(1, 0, 1, 0), mk(1, 1, 0, 1)]) consider(o);
  for (let iter = 0; iter < steps && best; iter++) {
    const c: ArimaOrder = (best as { o: ArimaOrder }).o;
    let improved = false;
    for (const [dp, dq, dP, dQ] of [
      [1, 0, 0, 0],
      [-1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, -1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, -1, 0],
      [0, 0, 0, 1],
      [0, 0, 0, -1],
    ] as const) {
      const p = c.p + dp;
      const q = c.q + dq;
      const P = c.P + dP;
      const Q = c.Q + dQ;
      if (p < 0 || q < 0 || P < 0 || Q < 0 || p > 2 || q > 2 || P > 1 || Q > 1) continue;
      if (consider(mk(p, q, P, Q))) improved = true;
    }
    if (!improved) break;
  }
  const found = best as { o: ArimaOrder; r: { mean: number[] } } | null;
  return found
    ? { order: found.o, mean: found.r.mean }
    : { order: null, mean: new Array<number>(h).fill(y[y.length - 1]!) };
}
