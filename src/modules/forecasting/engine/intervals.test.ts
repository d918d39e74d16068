import { describe, expect, it } from 'vitest';
import { forecastSeries } from './forecast.ts';
import { synthetic } from './testing.ts';

// Simulated series with Gaussian noise: the share of future points inside the interval should be
// near the nominal level. 40 series x 12 steps = 480 points; tolerances allow sampling noise.
function coverage(level: number) {
  let inside = 0;
  let total = 0;
  for (let k = 0; k < 40; k++) {
    const { y } = synthetic({ n: 72 + 12, level: 200, slope: 0.3, amplitude: 20, noise: 4, seed: 100 + k });
    const train = y.slice(0, 72);
    const test = y.slice(72);
    const f = forecastSeries(
      { id: `sim${k}`, train, period: 12, startIndex: 0 },
      // Stationary Gaussian data: no widening for real-world drift (see INTERVAL_INFLATION).
      { model: 'ets', horizon: 12, level, seed: 1, intervalInflation: 1 },
    );
    test.forEach((v, j) => {
      if (v >= f.lo[j]! && v <= f.hi[j]!) inside++;
      total++;
    });
  }
  return inside / total;
}

describe('calibrated intervals', () => {
  it('cover about 80% of simulated future values at level 80', () => {
    const c = coverage(80);
    expect(c).toBeGreaterThan(0.72);
    expect(c).toBeLessThan(0.9);
  });
  it('cover about 95% of simulated future values at level 95', () => {
    const c = coverage(95);
    expect(c).toBeGreaterThan(0.9);
    expect(c).toBeLessThan(0.99);
  });
});
