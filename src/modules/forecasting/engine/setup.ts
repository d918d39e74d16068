/** Loads what a model needs before its first use (the wasm modules load asynchronously). */
import type { ModelName } from './types.ts';
import { loadXgboost } from './xgb.ts';

/** Resolves when every forecaster `model` may call is ready (xgboost's wasm loads asynchronously). */
export async function prepareModels(model: ModelName): Promise<void> {
  if (model === 'gradient_boosting' || model === 'auto') await loadXgboost();
}
