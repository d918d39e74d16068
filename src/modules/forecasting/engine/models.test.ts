import { beforeAll, describe, expect, it } from 'vitest';
import { forecastSeries } from './forecast.ts';
import { trainReport } from './ml.ts';
import { prepareModels } from './setup.ts';
import { synthetic } from './testing.ts';
import type { ModelName } from './types.ts';

const H = 12;

function mape(f: number[], truth: (t: number) => number, n: number) {
  return f.reduce((a, v, j) => a + Math.abs(v - truth(n + j)) / truth(n + j), 0) / f.length;
}

describe('each model recovers a known trend and seasonality', () => {
  const { y, truth } = synthetic({ n: 96, level: 100, slope: 0.8, amplitude: 15, noise: 1, seed: 7 });
  const series = { id: 's', train: y, period: 12, startIndex: 2000 * 12 };
  const cases: [ModelName, number][] = [
    ['ets', 0.03],
    ['theta', 0.05],
    ['auto', 0.03],
    // Seasonal naive cannot follow the trend: it lags one year of slope (about 7% here).
    ['snaive', 0.1],
  ];
  for (const [model, tol] of cases) {
    it(`${model} forecasts within ${tol * 100}% of the noiseless curve`, () => {
      const f = forecastSeries(series, { model, horizon: H, level: 95, seed: 1 });
      expect(f.mean).toHaveLength(H);
      expect(mape(f.mean, truth, y.length)).toBeLessThan(tol);
      for (let j = 0; j < H; j++) {
        expect(f.lo[j]!).toBeLessThanOrEqual(f.mean[j]!);
        expect(f.hi[j]!).toBeGreaterThanOrEqual(f.mean[j]!);
      }
    });
  }

  it('is deterministic for a seed', () => {
    const a = forecastSeries(series, { model: 'auto', horizon: H, level: 95, seed: 3 });
    const b = forecastSeries(series, { model: 'auto', horizon: H, level: 95, seed: 3 });
    expect(a).toEqual(b);
  });
});

describe('the guide ML models recover a known trend and seasonality (recursive strategy)', () => {
  const { y, truth } = synthetic({ n: 96, level: 100, slope: 0.4, amplitude: 15, noise: 1, seed: 9 });
  const series = { id: 'ml', train: y, period: 12, startIndex: 2000 * 12 };
  beforeAll(async () => {
    await prepareModels('gradient_boosting');
  });
  for (const model of ['random_forest', 'gradient_boosting', 'neural_network'] as const) {
    it(`${model} forecasts within 6% of the noiseless curve, with intervals`, () => {
      const f = forecastSeries(series, {
        model,
        horizon: H,
        level: 95,
        seed: 1,
        plan: { maxOrigins: 2, step: 6 },
      });
      expect(mape(f.mean, truth, y.length)).toBeLessThan(0.06);
      expect(f.hi.every((v, j) => v >= f.mean[j]! && f.lo[j]! <= f.mean[j]!)).toBe(true);
    });
  }

  it('report 5-fold time-series CV MAE and feature importance', () => {
    const r = trainReport('random_forest', y, 2000 * 12, 1);
    expect(r.cvMae).toBeGreaterThan(0);
    expect(r.cvMaeStd).toBeGreaterThanOrEqual(0);
    const total = Object.values(r.featureImportance).reduce((a, v) => a + v, 0);
    expect(total).toBeCloseTo(1, 6);
    expect(Object.keys(r.featureImportance)).toContain('lag_12');
  });
});

describe('ARIMA', () => {
  it('recovers a seasonal series with its own AICc order search', () => {
    const { y, truth } = synthetic({ n: 84, level: 50, slope: 0.2, amplitude: 8, noise: 0.5, seed: 3 });
    const f = forecastSeries(
      { id: 'a', train: y, period: 12, startIndex: 0 },
      { model: 'arima', horizon: H, level: 95, seed: 1, plan: { maxOrigins: 1, step: 6 } },
    );
    expect(mape(f.mean, truth, y.length)).toBeLessThan(0.05);
  });
});
