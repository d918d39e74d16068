import { describe, expect, it } from 'vitest';
import { forecastSeries } from './forecast.ts';
import { parseSeriesFile } from './input.ts';
import { synthetic } from './testing.ts';

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
