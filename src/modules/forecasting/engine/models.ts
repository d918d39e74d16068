/** The registry of point forecasters by name (everything except `auto`, which selects among them). */
import { arimaForecast } from './arima.ts';
import { naive2, seasonalNaive } from './baseline.ts';
import { etsForecast } from './ets.ts';
import { mlForecaster } from './ml.ts';
import { thetaForecast } from './theta.ts';
import type { ModelName, PointForecaster } from './types.ts';

export type BaseModel = Exclude<ModelName, 'auto'>;

const registry: Partial<Record<BaseModel, PointForecaster>> = {
  snaive: (y, h, ctx) => seasonalNaive(y, h, ctx.period),
  naive2: (y, h, ctx) => naive2(y, h, ctx.period),
  ets: (y, h, ctx) => etsForecast(y, h, ctx.period),
  theta: (y, h, ctx) => thetaForecast(y, h, ctx.period),
  arima: (y, h, ctx) => arimaForecast(y, h, ctx.period),
  random_forest: mlForecaster('random_forest'),
  gradient_boosting: mlForecaster('gradient_boosting'),
  neural_network: mlForecaster('neural_network'),
};

/** Adds a forecaster to the registry (used by the ARIMA and ML modules). */
export function registerModel(name: BaseModel, fn: PointForecaster): void {
  registry[name] = fn;
}

/** The forecaster for a name; throws for an unknown or unregistered one. */
export function getModel(name: BaseModel): PointForecaster {
  const fn = registry[name];
  if (!fn) throw new Error(`model ${name} is not available`);
  return fn;
}
