import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES } from './engine/features.ts';
import { forecastWith, type ModelSpec, trainModel } from './forecasting.compute.ts';
import { ComputePool } from './forecasting.pool.ts';

// 36 months of trend + season + a deterministic wiggle, starting January 2023.
const series = {
  values: Array.from(
    { length: 36 },
    (_, i) => 1000 + 10 * i + 100 * Math.sin((2 * Math.PI * i) / 12) + (((i * 7919) % 13) - 6) * 5,
  ),
  startIndex: 2023 * 12,
};
const spec = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  algorithm: 'ets',
  hyperparameters: {},
  features: DEFAULT_FEATURES,
  seed: 42,
  backtestOrigins: 2,
  ...over,
});

describe('registry training and forecasting', () => {
  const pool = new ComputePool(1);
  afterAll(() => pool.close());

  it('reports CV MAE mean/std, backtest accuracy and coverage at 80% and 95%', () => {
    const r = trainModel(spec(), series, 6);
    expect(r.resolvedModel).toBe('ets');
    expect(r.cv.cvMae).toBeGreaterThan(0);
    expect(r.cv.cvMaeStd).toBeGreaterThanOrEqual(0);
    expect(r.cv.trainingSamples).toBe(24);
    expect(r.cv.featureImportance).toBeNull();
    expect(r.backtest).toMatchObject({ origins: 1, horizon: 6, points: 6 });
    expect(r.backtest.coverage.map((c) => c.level)).toEqual([80, 95]);
    for (const c of r.backtest.coverage) expect(c.share).toBeGreaterThanOrEqual(0);
    expect(r.fittedMean).toHaveLength(6);
  });

  it('gives ML models the guide feature importance from their own hyperparameters', () => {
    const r = trainModel(
      spec({ algorithm: 'random_forest', hyperparameters: { n_estimators: 5 } }),
      series,
      3,
    );
    const imp = r.cv.featureImportance!;
    expect(Object.keys(imp)).toContain('lag_12');
    expect(Object.values(imp).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
  });

  it('trains in a worker thread with the same numbers as in-process (deterministic from seed and snapshot)', async () => {
    const progress: number[] = [];
    const inWorker = await pool.train({ spec: spec(), series, horizon: 6 }, (f) => progress.push(f));
    expect(inWorker).toEqual(trainModel(spec(), series, 6));
    expect(progress.at(-1)).toBe(1);
    const [f] = await pool.forecast([{ spec: spec(), series, horizon: 6, level: 95 }]);
    expect(f).toEqual(forecastWith(spec(), series, 6, 95));
  });

  it('refuses a series shorter than two seasons as an input error', async () => {
    await expect(
      pool.train({ spec: spec(), series: { values: series.values.slice(0, 20), startIndex: 0 }, horizon: 6 }),
    ).rejects.toMatchObject({ inputError: true });
  });
});
