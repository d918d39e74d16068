/** Loads what a model needs before its first use (the wasm modules load asynchronously). */
import type { ModelName } from './types.ts';

/** Resolves when every forecaster `model` may call is registered and ready. */
export async function prepareModels(_model: ModelName): Promise<void> {}
