/** Shared types of the forecasting engine. */
import type { PooledModel } from './pooled.ts';
import type { Rng } from './prng.ts';

/** Every model the engine can run by name. */
export const MODEL_NAMES = [
  'auto',
  'snaive',
  'naive2',
  'ets',
  'theta',
  'arima',
  'random_forest',
  'gradient_boosting',
  'neural_network',
] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** What a point forecaster sees: the history, the season length and the calendar. */
export interface FitContext {
  /** Season length (12 for monthly). */
  period: number;
  /** Month index (year*12 + month-1) of y[0]; used by the ML calendar features. */
  startIndex: number;
  /** Seeded generator: the only source of randomness. */
  rng: Rng;
  /** The batch's pooled model (`pooled.ts`), when auto runs over a batch large enough to train one. */
  pooled?: PooledModel | undefined;
}

/** A point forecaster: history in, `h` future means out. */
export type PointForecaster = (y: readonly number[], h: number, ctx: FitContext) => number[];

/** A forecast with its interval and the model (or combination) that produced it. */
export interface Forecast {
  model: string;
  mean: number[];
  lo: number[];
  hi: number[];
  /** Bounds at the options' `extraLevels`, when asked for. */
  intervals?: { level: number; lo: number[]; hi: number[] }[];
}
