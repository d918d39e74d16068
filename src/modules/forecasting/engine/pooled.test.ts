import { describe, expect, it } from 'vitest';
import { planOrigins } from './backtest.ts';
import { DEFAULT_PLAN, forecastSeries, type SeriesInput, trainBatchPooled } from './forecast.ts';
import { runMember } from './members.ts';
import { cutsFor, POOLED_MIN_SERIES, pooledForecast, trainPooled } from './pooled.ts';
import { createRng } from './prng.ts';
import { synthetic } from './testing.ts';

// A batch of series sharing one seasonal shape and growth rate at different scales: what a pooled
// model can learn and a single short series can hardly estimate.
const shape = [1.0, 0.9, 1.1, 1.3, 1.2, 1.0, 0.8, 0.7, 0.9, 1.0, 1.2, 1.4];
function batch(count: number, n: number, seed = 1) {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, k) => {
    const scale = 50 * (1 + k);
    const phase = k % 12;
    return Array.from(
      { length: n + (k % 7) },
      (_, t) => scale * 1.005 ** t * shape[(t + phase) % 12]! * Math.exp(0.02 * rng.normal()),
    );
  });
}

describe('pooled model', () => {
  it('learns the shared seasonal shape and forecasts it at each series’ own scale', () => {
    const ys = batch(60, 48);
    const model = trainPooled(ys, 12, [0])!;
    expect(model).not.toBeNull();
    // A new series of the family, at a scale none of the batch has.
    const y = Array.from({ length: 36 }, (_, t) => 7777 * 1.005 ** t * shape[(t + 5) % 12]!);
    const truth = Array.from({ length: 12 }, (_, j) => 7777 * 1.005 ** (36 + j) * shape[(36 + j + 5) % 12]!);
    const f = pooledForecast(model, y, 12, 0)!;
    const mape = f.reduce((a, v, j) => a + Math.abs(v / truth[j]! - 1), 0) / 12;
    expect(mape).toBeLessThan(0.03);
    // The seasonal naive forecast misses the growth; the pooled one is closer than it.
    const sn = truth.map((_, j) => y[24 + j]!);
    const snMape = sn.reduce((a, v, j) => a + Math.abs(v / truth[j]! - 1), 0) / 12;
    expect(mape).toBeLessThan(snMape);
  });

  it('at a cut, never depends on the last `cut` values of any series (backtests stay out of sample)', () => {
    const ys = batch(60, 60, 2);
    const a = trainPooled(ys, 6, [6, 12])!;
    // Change the last 6 values of every series: the cut-6 and cut-12 weights stay, the full one moves.
    const changed = ys.map((y) => y.map((v, t) => (t >= y.length - 6 ? v * 3 : v)));
    const b = trainPooled(changed, 6, [6, 12])!;
    expect(b.cuts).toEqual([0, 6, 12]);
    expect(b.weights[1]).toEqual(a.weights[1]);
    expect(b.weights[2]).toEqual(a.weights[2]);
    expect(b.weights[0]).not.toEqual(a.weights[0]);
    // An origin 7 values before the end uses the cut-12 model (the smallest cut >= 7).
    const y = ys[0]!.slice(0, ys[0]!.length - 7);
    expect(pooledForecast(a, y, 6, 7)).toEqual(pooledForecast(b, y, 6, 7));
    expect(pooledForecast(a, y, 6, 13)).toBeNull();
  });

  it('is not trained on a small batch, and refuses series it cannot use', () => {
    expect(trainPooled(batch(POOLED_MIN_SERIES - 1, 48), 6, [0])).toBeNull();
    const model = trainPooled(batch(POOLED_MIN_SERIES, 48), 6, [0])!;
    expect(pooledForecast(model, [1, 2, 3], 6, 0)).toBeNull();
    expect(pooledForecast(model, [...batch(1, 30)[0]!, -1], 6, 0)).toBeNull();
    expect(pooledForecast(model, batch(1, 30)[0]!, 7, 0)).toBeNull();
    expect(cutsFor([40, 50], [[22, 28], [44]], 6)).toEqual([0, 6, 12, 18]);
  });

  it('joins auto’s median when the batch has one, with backtests from the cut models', () => {
    const ys = batch(60, 48, 3);
    const series: SeriesInput[] = ys.map((train, k) => ({ id: `P${k}`, train, period: 12, startIndex: 0 }));
    const opts = series.map(() => ({ model: 'auto' as const, horizon: 12, level: 95, seed: 1 }));
    const model = trainBatchPooled(series, opts)!;
    expect(model).not.toBeNull();
    const withPooled = forecastSeries(series[0]!, { ...opts[0]!, pooled: model });
    const without = forecastSeries(series[0]!, opts[0]!);
    expect(withPooled.model).toContain('pooled');
    expect(without.model).not.toContain('pooled');
    expect(withPooled.mean).not.toEqual(without.mean);
    // Other models ignore it.
    const theta = { ...opts[0]!, model: 'theta' as const };
    expect(forecastSeries(series[0]!, { ...theta, pooled: model })).toEqual(
      forecastSeries(series[0]!, theta),
    );
    // The member's backtest at each origin is the forecast of the model trained without those values.
    const y = series[0]!.train;
    const origins = planOrigins(y, 12, 12, DEFAULT_PLAN);
    const run = runMember(
      'pooled',
      y,
      12,
      { period: 12, startIndex: 0, rng: createRng(1), pooled: model },
      origins,
    );
    origins.forEach((o, k) => {
      const cut = y.length - o.length;
      const c = model.cuts.find((v) => v >= cut)!;
      const alone = trainPooled(
        ys.map((s) => s.slice(0, s.length - c)),
        12,
        [0],
      )!;
      const f = pooledForecast(alone, y.slice(0, o.length), o.actual.length, 0)!;
      run.backtests[k]!.forEach((v, j) => {
        expect(v).toBeCloseTo(f[j]!, 6);
      });
    });
    // Without a pooled model (or where it cannot forecast) the member is Theta.
    const { y: short } = synthetic({ n: 20, seed: 4 });
    const r = runMember(
      'pooled',
      short,
      6,
      { period: 12, startIndex: 0, rng: createRng(1), pooled: model },
      [],
    );
    expect(r.full).toEqual(
      runMember('theta', short, 6, { period: 12, startIndex: 0, rng: createRng(1) }, []).full,
    );
  });
});
