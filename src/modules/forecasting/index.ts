/**
 * The public surface of the forecasting module. Other modules, src/app, src/cli, the benches and test/
 * import it only through this file, its zod schemas too (biome.json, noRestrictedImports;
 * docs/architecture.md, module boundaries).
 */
export type { SeriesTask } from './engine/input.ts';
export { parseSeriesFile, SeriesFileError } from './engine/input.ts';
export type { SeriesScore } from './engine/metrics.ts';
export { scoreSeries, summarise } from './engine/metrics.ts';
export type { Rng } from './engine/prng.ts';
export { createRng, deriveSeed } from './engine/prng.ts';
export type { ModelName } from './engine/types.ts';
export { MODEL_NAMES } from './engine/types.ts';
export { forecastingModule } from './forecasting.module.ts';
export { ForecastPool } from './forecasting.pool.ts';
export { TRAIN_JOB } from './forecasting.service.ts';
