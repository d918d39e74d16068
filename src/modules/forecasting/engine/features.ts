/**
 * The design guide's feature pipeline: `historical_values` lags, `rolling_statistics` (windows x
 * mean/std) and `seasonal` calendar features (month, quarter, year). Values are normalised by the
 * mean of the 12 values before the target (ratio for positive series, difference otherwise) so
 * that tree models, which cannot extrapolate, still follow the level of a trending series.
 */
import { mean, sd } from './stats.ts';

/** Which features to build (names follow the guide's feature configuration). */
export interface FeatureConfig {
  lags: number[];
  windows: number[];
  statistics: ('mean' | 'std')[];
  seasonal: ('month' | 'quarter' | 'year')[];
}

/** Lags 1..12, rolling mean/std over 3, 6 and 12 months, month, quarter and year. */
export const DEFAULT_FEATURES: FeatureConfig = {
  lags: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  windows: [3, 6, 12],
  statistics: ['mean', 'std'],
  seasonal: ['month', 'quarter', 'year'],
};

/** Column names, in the order of featureRow's output. */
export function featureNames(cfg: FeatureConfig): string[] {
  return [
    ...cfg.lags.map((l) => `lag_${l}`),
    ...cfg.windows.flatMap((w) => cfg.statistics.map((s) => `rolling_${w}_${s}`)),
    ...cfg.seasonal,
  ];
}

/** History needed before the first target. */
export function warmup(cfg: FeatureConfig): number {
  return Math.max(12, ...cfg.lags, ...cfg.windows);
}

/** How values are normalised around the recent level. */
export interface Normaliser {
  ratio: boolean;
  spread: number;
}

/** Ratio normalisation for positive series, else a difference scaled by the series' spread. */
export function normaliser(y: readonly number[]): Normaliser {
  return { ratio: y.every((v) => v > 0), spread: sd(y) || 1 };
}

const to = (nz: Normaliser, v: number, ref: number) => (nz.ratio ? v / ref : (v - ref) / nz.spread);
/** Maps a normalised prediction back to the series' scale. */
export const fromNormal = (nz: Normaliser, z: number, ref: number) =>
  nz.ratio ? z * ref : z * nz.spread + ref;

/** Reference level for the target at index t: mean of the 12 values before it. */
export const refLevel = (hist: readonly number[], t: number) => mean(hist.slice(Math.max(0, t - 12), t));

/** Features of the target at index t, from hist[0..t-1] only. */
export function featureRow(
  hist: readonly number[],
  t: number,
  startIndex: number,
  cfg: FeatureConfig,
  nz: Normaliser,
): number[] {
  const ref = refLevel(hist, t);
  const row = cfg.lags.map((l) => to(nz, hist[t - l]!, ref));
  for (const w of cfg.windows) {
    const win = hist.slice(t - w, t).map((v) => to(nz, v, ref));
    for (const s of cfg.statistics) row.push(s === 'mean' ? mean(win) : sd(win));
  }
  const mi = startIndex + t;
  for (const s of cfg.seasonal) {
    const month = ((mi % 12) + 12) % 12;
    row.push(s === 'month' ? month + 1 : s === 'quarter' ? Math.floor(month / 3) + 1 : Math.floor(mi / 12));
  }
  return row;
}

/** Training matrix and normalised targets for every index with a full warm-up. */
export function buildDataset(y: readonly number[], startIndex: number, cfg: FeatureConfig, nz: Normaliser) {
  const X: number[][] = [];
  const z: number[] = [];
  for (let t = warmup(cfg); t < y.length; t++) {
    X.push(featureRow(y, t, startIndex, cfg, nz));
    z.push(to(nz, y[t]!, refLevel(y, t)));
  }
  return { X, z };
}
