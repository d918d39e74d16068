import { describe, expect, it } from 'vitest';
import { forecastSeries } from './forecast.ts';
import { calibrationFactor, M1_CALIBRATION, sumInterval, uniformCalibration } from './intervals.ts';
import { createRng } from './prng.ts';
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
      // Stationary Gaussian data: no widening for real-world drift (see M1_CALIBRATION).
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

describe('calibration by level and step', () => {
  it('uses the fitted factor at a grid level, interpolates between levels and holds the ends', () => {
    const c = { levels: [80, 95], factors: [1.2, 1.5], stepBoost: 0 };
    expect(calibrationFactor(c, 80, 5)).toBeCloseTo(1.2, 12);
    expect(calibrationFactor(c, 87.5, 5)).toBeCloseTo(1.35, 12);
    expect(calibrationFactor(c, 60, 5)).toBeCloseTo(1.2, 12);
    expect(calibrationFactor(c, 99.9, 5)).toBeCloseTo(1.5, 12);
  });
  it('widens the first steps more than the later ones, and the 95% level more than the 80%', () => {
    expect(calibrationFactor(M1_CALIBRATION, 95, 1)).toBeGreaterThan(
      calibrationFactor(M1_CALIBRATION, 95, 12),
    );
    expect(calibrationFactor(M1_CALIBRATION, 95, 6)).toBeGreaterThan(
      calibrationFactor(M1_CALIBRATION, 80, 6),
    );
    expect(calibrationFactor(uniformCalibration(1.4), 95, 1)).toBe(1.4);
    expect(calibrationFactor(uniformCalibration(1.4), 80, 18)).toBe(1.4);
  });
  it('gives a real series wider 95% bounds at step 1 than the uniform factor, relative to step 18', () => {
    const { y } = synthetic({ n: 84, level: 300, slope: 0.5, amplitude: 30, noise: 8, seed: 9 });
    const series = { id: 'w', train: y, period: 12, startIndex: 0 };
    const cal = forecastSeries(series, { model: 'theta', horizon: 18, level: 95, seed: 1 });
    const uni = forecastSeries(series, {
      model: 'theta',
      horizon: 18,
      level: 95,
      seed: 1,
      intervalInflation: 1,
    });
    const ratio = (f: typeof cal, j: number) => (f.hi[j]! - f.mean[j]!) / (uni.hi[j]! - uni.mean[j]!);
    expect(cal.mean).toEqual(uni.mean);
    expect(ratio(cal, 0) / ratio(cal, 17)).toBeCloseTo((1 + 0.5) / (1 + 0.5 / 18), 6);
  });
});

describe('interval of a sum of months', () => {
  it('lies between the independent-errors and the perfectly-correlated (summed) bounds', () => {
    const mean = [100, 110, 120, 130];
    const lo = [90, 95, 100, 105];
    const hi = [115, 130, 150, 170];
    const s = sumInterval(mean, lo, hi);
    const summedLo = lo.reduce((a, b) => a + b, 0);
    const summedHi = hi.reduce((a, b) => a + b, 0);
    expect(s.mean).toBe(460);
    expect(s.lo).toBeGreaterThan(summedLo);
    expect(s.hi).toBeLessThan(summedHi);
    const indepHi = 460 + Math.sqrt(15 ** 2 + 20 ** 2 + 30 ** 2 + 40 ** 2);
    expect(s.hi).toBeGreaterThan(indepHi);
    expect(sumInterval(mean, lo, hi, 1).hi).toBeCloseTo(summedHi, 9);
    expect(sumInterval(mean, lo, hi, 0).hi).toBeCloseTo(indepHi, 9);
  });
  it('keeps a single month its own interval', () => {
    expect(sumInterval([50], [40], [70])).toEqual({ mean: 50, lo: 40, hi: 70 });
  });
  it('covers about the nominal share of simulated 12-month totals whose months are correlated 0.4', () => {
    // Monthly errors = common shock + own shock, pairwise correlation 0.4, unit variance: exact
    // monthly 95% bounds, aggregated, should cover about 95% of the totals; the summed monthly
    // bounds cover far more (they assume correlation 1).
    const rng = createRng(7);
    let inside = 0;
    let insideSummed = 0;
    const n = 4000;
    const rho = 0.4;
    const w = 1.959964;
    const zeros = new Array<number>(12).fill(0);
    const s = sumInterval(
      zeros,
      zeros.map(() => -w),
      zeros.map(() => w),
      rho,
    );
    for (let k = 0; k < n; k++) {
      const common = rng.normal();
      let total = 0;
      for (let j = 0; j < 12; j++) total += Math.sqrt(rho) * common + Math.sqrt(1 - rho) * rng.normal();
      if (total >= s.lo && total <= s.hi) inside++;
      if (Math.abs(total) <= 12 * w) insideSummed++;
    }
    expect(inside / n).toBeGreaterThan(0.935);
    expect(inside / n).toBeLessThan(0.965);
    expect(insideSummed / n).toBeGreaterThan(0.995);
  });
});
