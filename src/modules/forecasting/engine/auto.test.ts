import { describe, expect, it } from 'vitest';
import { AUTO_CANDIDATES, AUTO_MARGIN, autoSelect, SEASONAL_GUARD, seasonalRange } from './auto.ts';
import { planOrigins } from './backtest.ts';
import { etsForecast } from './ets.ts';
import { DEFAULT_PLAN, forecastSeries } from './forecast.ts';
import { parseSeriesFile } from './input.ts';
import { createRng } from './prng.ts';
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

describe('seasonal guard (a real short seasonal series)', () => {
  // M1's MND24, first 36 months: a September peak every year, then a fall in the third year. On
  // its four backtest origins `theta` alone scored best by more than the margin; its forecast kept
  // a third of the seasonal swing that `ets` (and the default median) keep.
  const MND24 = [
    1097, 708, 1344, 937, 799, 1062, 712, 769, 2612, 1285, 1333, 865, 1444, 1241, 1152, 1054, 1467, 1445,
    1517, 1299, 2484, 2421, 1742, 1422, 936, 757, 616, 415, 599, 544, 429, 296, 407, 329, 221, 136,
  ];
  const ctx = () => ({ period: 12, startIndex: 0, rng: createRng(1) });
  const origins = planOrigins(MND24, 12, 12, DEFAULT_PLAN);
  const ets = etsForecast(MND24, 12, 12);
  it('without the guard auto picks a candidate with a third of the seasonal swing of ets', () => {
    const loose = autoSelect(MND24, 12, ctx(), origins, AUTO_CANDIDATES, AUTO_MARGIN, 0);
    expect(loose.candidate.name).toBe('theta');
    expect(seasonalRange(loose.mean, 12)).toBeLessThan(0.4 * seasonalRange(ets, 12));
  });
  it('with the guard auto keeps the season of ets', () => {
    const f = forecastSeries(
      { id: 'MND24', train: MND24, period: 12, startIndex: 0 },
      { model: 'auto', horizon: 12, level: 95, seed: 1 },
    );
    // etsA (additive errors) is flat here as well: the guard swaps in R's full ETS family.
    expect(f.model).toBe('auto:median(ets,theta,snaive)');
    expect(seasonalRange(f.mean, 12)).toBeGreaterThan(0.8 * seasonalRange(ets, 12));
    expect(seasonalRange(f.mean, 12)).toBeGreaterThan(SEASONAL_GUARD * seasonalRange(MND24.slice(-12), 12));
  });
});
