/**
 * Gradient boosting through ml-xgboost (XGBoost compiled to wasm). Only old objective names work
 * (`reg:linear`); an unknown one aborts the wasm module, so the objective is fixed here. The module
 * loads asynchronously: call loadXgboost() once (prepareModels does) before fitting.
 */
import { createRequire } from 'node:module';

/** Hyperparameters with XGBoost's names (the guide's gradient_boosting). */
export interface GbmParams {
  n_estimators: number;
  max_depth: number;
  learning_rate: number;
  subsample: number;
}

export const DEFAULT_GBM: GbmParams = { n_estimators: 100, max_depth: 3, learning_rate: 0.1, subsample: 1 };

interface Booster {
  train(X: number[][], y: number[]): void;
  predict(X: number[][]): number[];
  free(): void;
}
type BoosterCtor = new (o: Record<string, string | number>) => Booster;

let ctor: BoosterCtor | null = null;

/** Loads the wasm module once per thread. */
export async function loadXgboost(): Promise<void> {
  if (ctor) return;
  const require = createRequire(import.meta.url);
  // The emscripten loader warns on stderr that it falls back from streaming compilation; harmless.
  const warn = console.warn;
  const error = console.error;
  console.warn = () => {};
  console.error = () => {};
  try {
    ctor = (await (require('ml-xgboost') as Promise<BoosterCtor>)) as BoosterCtor;
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

/** Fits a booster; returns its predictor and a function freeing its wasm memory. */
export function fitGbm(X: number[][], z: number[], p: GbmParams, seed: number) {
  if (!ctor) throw new Error('gradient_boosting: call loadXgboost() first');
  const booster = new ctor({
    booster: 'gbtree',
    objective: 'reg:linear',
    max_depth: p.max_depth,
    eta: p.learning_rate,
    subsample: p.subsample,
    colsample_bytree: 1,
    min_child_weight: 1,
    silent: 1,
    seed,
    nthread: 1,
    iterations: p.n_estimators,
  });
  booster.train(X, z);
  return {
    predict: (x: readonly number[]) => booster.predict([[...x]])[0]!,
    free: () => booster.free(),
  };
}
