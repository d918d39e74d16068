/**
 * The guide's ML models (random_forest, gradient_boosting, neural_network) as forecasters over the
 * feature pipeline. Multi-step forecasts use the RECURSIVE strategy: one model predicts one step
 * ahead, its prediction is appended to the history and the features are rebuilt for the next step
 * (one model per series instead of one per horizon step, which matters on 30-130-point series).
 */
import {
  buildDataset,
  DEFAULT_FEATURES,
  type FeatureConfig,
  featureNames,
  featureRow,
  fromNormal,
  normaliser,
  refLevel,
  warmup,
} from './features.ts';
import { DEFAULT_FOREST, type ForestParams, fitForest } from './forest.ts';
import { DEFAULT_MLP, fitMlp, type MlpParams } from './mlp.ts';
import { createRng, type Rng } from './prng.ts';
import { mean, sd } from './stats.ts';
import type { FitContext, PointForecaster } from './types.ts';
import { DEFAULT_GBM, fitGbm, type GbmParams } from './xgb.ts';

export type MlAlgorithm = 'random_forest' | 'gradient_boosting' | 'neural_network';
export type MlHyperparameters = Partial<ForestParams & GbmParams & MlpParams>;

/** A fitted regressor on normalised features. */
interface Regressor {
  predict: (x: readonly number[]) => number;
  free: () => void;
}

function fitRegressor(
  alg: MlAlgorithm,
  X: number[][],
  z: number[],
  hp: MlHyperparameters,
  rng: Rng,
): Regressor {
  if (alg === 'random_forest')
    return { predict: fitForest(X, z, { ...DEFAULT_FOREST, ...hp }, rng), free: () => {} };
  if (alg === 'neural_network')
    return { predict: fitMlp(X, z, { ...DEFAULT_MLP, ...hp }, rng), free: () => {} };
  return fitGbm(X, z, { ...DEFAULT_GBM, ...hp }, rng.int(2 ** 31));
}

/** Recursive multi-step forecast with a fitted regressor. */
function recursive(
  y: readonly number[],
  h: number,
  ctx: FitContext,
  cfg: FeatureConfig,
  reg: Regressor,
): number[] {
  const nz = normaliser(y);
  const hist = [...y];
  for (let j = 0; j < h; j++) {
    const t = hist.length;
    const z = reg.predict(featureRow(hist, t, ctx.startIndex, cfg, nz));
    hist.push(fromNormal(nz, z, refLevel(hist, t)));
  }
  return hist.slice(y.length);
}

/** A point forecaster for one algorithm; falls back to the last value when the history is too short. */
export function mlForecaster(
  alg: MlAlgorithm,
  hp: MlHyperparameters = {},
  cfg = DEFAULT_FEATURES,
): PointForecaster {
  return (y, h, ctx) => {
    if (y.length < warmup(cfg) + 6) return new Array<number>(h).fill(y[y.length - 1]!);
    const { X, z } = buildDataset(y, ctx.startIndex, cfg, normaliser(y));
    const reg = fitRegressor(alg, X, z, hp, ctx.rng);
    try {
      return recursive(y, h, ctx, cfg, reg);
    } finally {
      reg.free();
    }
  };
}

/** The guide's training report: time-series CV MAE (mean, std) and feature importance. */
export interface MlTrainingReport {
  cvMae: number;
  cvMaeStd: number;
  trainingSamples: number;
  featureImportance: Record<string, number>;
}

/**
 * 5-fold time-series cross-validation (expanding window, as scikit-learn's TimeSeriesSplit) of
 * one-step predictions on the original scale, and permutation importance on the full fit.
 */
export function trainReport(
  alg: MlAlgorithm,
  y: readonly number[],
  startIndex: number,
  seed: number,
  hp: MlHyperparameters = {},
  cfg = DEFAULT_FEATURES,
): MlTrainingReport {
  const nz = normaliser(y);
  const { X, z } = buildDataset(y, startIndex, cfg, nz);
  const refs = X.map((_, i) => refLevel(y, warmup(cfg) + i));
  const n = X.length;
  const fold = Math.floor(n / 6);
  if (fold < 2) throw new Error(`${alg}: ${y.length} values are too few for 5-fold cross-validation`);
  const rng = createRng(seed);
  const maes: number[] = [];
  for (let k = 1; k <= 5; k++) {
    const end = n - (5 - k + 1) * fold;
    const reg = fitRegressor(alg, X.slice(0, end), z.slice(0, end), hp, rng);
    const errs: number[] = [];
    for (let i = end; i < end + fold; i++)
      errs.push(Math.abs(fromNormal(nz, reg.predict(X[i]!), refs[i]!) - fromNormal(nz, z[i]!, refs[i]!)));
    reg.free();
    maes.push(mean(errs));
  }
  const reg = fitRegressor(alg, X, z, hp, rng);
  const base = mean(X.map((x, i) => Math.abs(reg.predict(x) - z[i]!)));
  const importance: Record<string, number> = {};
  featureNames(cfg).forEach((name, j) => {
    // Permutation importance: error increase when column j is shuffled (works for all three models).
    const perm = X.map((r) => r[j]!);
    for (let i = perm.length - 1; i > 0; i--) {
      const r = rng.int(i + 1);
      [perm[i], perm[r]] = [perm[r]!, perm[i]!];
    }
    const err = mean(
      X.map((x, i) => Math.abs(reg.predict(x.map((v, c) => (c === j ? perm[i]! : v))) - z[i]!)),
    );
    importance[name] = Math.max(0, err - base);
  });
  reg.free();
  const total = Object.values(importance).reduce((a, v) => a + v, 0) || 1;
  for (const k of Object.keys(importance)) importance[k] = importance[k]! / total;
  return { cvMae: mean(maes), cvMaeStd: sd(maes), trainingSamples: n, featureImportance: importance };
}
