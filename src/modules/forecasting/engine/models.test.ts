import { describe, expect, it } from 'vitest';
import { forecastSeries } from './forecast.ts';
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
