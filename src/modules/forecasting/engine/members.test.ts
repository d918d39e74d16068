import { describe, expect, it } from 'vitest';
import { arimaWithOrder } from './arima.ts';
import { AUTO_CANDIDATES, autoSelect } from './auto.ts';
import { planOrigins } from './backtest.ts';
import { runMember } from './members.ts';
import { createRng } from './prng.ts';
import { synthetic } from './testing.ts';

describe("auto's members and median combination", () => {
  const { y } = synthetic({ n: 84, level: 100, slope: 0.5, amplitude: 12, noise: 1.5, seed: 21 });
  const ctx = { period: 12, startIndex: 0, rng: createRng(1) };
  const origins = planOrigins(y, 12, 12, { maxOrigins: 4, step: 6 });

  it('runs ARIMA with the order found on the full history at every origin', () => {
    const r = runMember('arima', y, 12, ctx, origins);
    expect(r.full).toHaveLength(12);
    expect(r.backtests.map((b) => b.length)).toEqual(origins.map((o) => o.actual.length));
    expect(r.backtests.flat().every(Number.isFinite)).toBe(true);
    expect(arimaWithOrder([1, 2, 3], 2, null)).toEqual([3, 3]);
  });

  it('defaults to the median of ETS, Theta and seasonal naive, and forecasts each of its steps as that median', () => {
    expect(AUTO_CANDIDATES[0]!.name).toBe('median(etsA,theta,snaive)');
    const choice = autoSelect(y, 12, ctx, origins, [AUTO_CANDIDATES[0]!]);
    const parts = (['etsA', 'theta', 'snaive'] as const).map((mb) => runMember(mb, y, 12, ctx, []).full);
    choice.mean.forEach((v, j) => {
      const s = parts.map((p) => p[j]!).sort((a, b) => a - b);
      expect(v).toBeCloseTo(s[1]!, 8);
    });
    expect(Object.keys(choice.scores)).toEqual(['median(etsA,theta,snaive)']);
  });
});
