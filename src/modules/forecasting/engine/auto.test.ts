import { describe, expect, it } from 'vitest';
import { forecastSeries } from './forecast.ts';
import { parseSeriesFile } from './input.ts';
import { isSeasonal } from './stats.ts';
import { synthetic } from './testing.ts';
import { thetaForecast, thetaSeasonal } from './theta.ts';

describe('auto never reads the test part', () => {
  it('forecasts a series whose `test` throws when read, and ignores NaN-poisoned test values', () => {
    const { y } = synthetic({ n: 60, seed: 11 });
    const poisoned = {
      id: 'P1',
      freq: 12,
      start: '2001-01',
      horizon: 6,
      train: y,
      get test(): number[] {
        throw new Error('test was read');
      },
    };
    const [task] = parseSeriesFile([poisoned]);
    const withThrowingTest = forecastSeries(
      {
        ...task!,
        get test(): never {
          throw new Error('test was read');
        },
      } as never,
      {
        model: 'auto',
        horizon: 6,
        level: 95,
        seed: 5,
      },
    );
    const [nanTask] = parseSeriesFile([
      { id: 'P1', freq: 12, start: '2001-01', horizon: 6, train: y, test: [Number.NaN] },
    ]);
    const withNanTest = forecastSeries(nanTask!, { model: 'auto', horizon: 6, level: 95, seed: 5 });
    expect(withThrowingTest.mean.every(Number.isFinite)).toBe(true);
    expect(withThrowingTest).toEqual(withNanTest);
  });
});

describe('auto on a short seasonal series', () => {
  // 36 months with a strong, smooth season: the 90% autocorrelation test alone calls it
  // non-seasonal (its Bartlett bound grows with the lag 1..11 autocorrelations), ARIMA cannot fit
  // a seasonally differenced model on 3 seasons, and auto used to return an almost flat median.
  const amplitude = (x: readonly number[]) => Math.max(...x.slice(0, 12)) - Math.min(...x.slice(0, 12));
  for (const seed of [1, 2, 3]) {
    it(`keeps the seasonal shape that ets keeps (seed ${seed})`, () => {
      const { y } = synthetic({ n: 36, level: 1000, slope: 2, amplitude: 200, noise: 30, seed });
      const series = { id: `short${seed}`, train: y, period: 12, startIndex: 0 };
      const auto = forecastSeries(series, { model: 'auto', horizon: 12, level: 95, seed: 1 });
      const ets = forecastSeries(series, { model: 'ets', horizon: 12, level: 95, seed: 1 });
      expect(amplitude(ets.mean)).toBeGreaterThan(300);
      expect(amplitude(auto.mean)).toBeGreaterThan(0.8 * amplitude(ets.mean));
      expect(amplitude(auto.mean)).toBeGreaterThan(0.8 * amplitude(y.slice(-12)));
    });
  }
  it('Theta treats it as seasonal through the seasonal strength', () => {
    const { y } = synthetic({ n: 36, level: 1000, slope: 2, amplitude: 200, noise: 30, seed: 1 });
    expect(isSeasonal(y, 12)).toBe(false);
    expect(thetaSeasonal(y, 12)).toBe(true);
    expect(amplitude(thetaForecast(y, 12, 12))).toBeGreaterThan(300);
  });
});
