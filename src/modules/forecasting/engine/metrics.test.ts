import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreSeries, summarise } from './metrics.ts';
import { synthetic } from './testing.ts';

const SCORER = '/work/shared/data/score.mjs';

describe('metrics agree with ../shared/data/score.mjs', () => {
  it('gives the same sMAPE, MASE, OWA, coverage and MSIS on a small example', () => {
    const series = [1, 2, 3].map((k) => {
      const { y } = synthetic({ n: 60, seed: k, noise: 3 + k, slope: k - 2 });
      return { id: `S${k}`, freq: 12, train: y.slice(0, 48), test: y.slice(48) };
    });
    const forecasts = series.map((s, k) => {
      const mean = s.test.map((v, j) => v * (1 + 0.03 * Math.sin(j + k)) + k);
      return { id: s.id, mean, lo95: mean.map((v) => v - 4), hi95: mean.map((v) => v + 4) };
    });
    const dir = mkdtempSync(join(tmpdir(), 'bf-metrics-'));
    writeFileSync(join(dir, 's.json'), JSON.stringify(series));
    writeFileSync(join(dir, 'f.json'), JSON.stringify(forecasts));
    execFileSync(process.execPath, [
      SCORER,
      join(dir, 's.json'),
      join(dir, 'f.json'),
      '--json',
      join(dir, 'r.json'),
    ]);
    const ref = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).overall;
    const ours = summarise(
      series.map((s, k) =>
        scoreSeries(s.train, s.test, 12, forecasts[k]!.mean, forecasts[k]!.lo95, forecasts[k]!.hi95),
      ),
    );
    expect(ours.smape).toBeCloseTo(ref.smape, 10);
    expect(ours.mase).toBeCloseTo(ref.mase, 10);
    expect(ours.owa).toBeCloseTo(ref.owa, 10);
    expect(ours.coverage).toBeCloseTo(ref.cov95, 10);
    expect(ours.msis).toBeCloseTo(ref.msis, 10);
  });
});
