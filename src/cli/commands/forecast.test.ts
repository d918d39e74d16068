import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

function bf(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/index.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('bf forecast', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bf-forecast-'));
  const good = Array.from({ length: 40 }, (_, t) => 100 + t + 10 * Math.sin(t / 2));

  it('rejects a malformed series with exit code 1, naming the series and the field', () => {
    const input = join(dir, 'bad.json');
    const train = [...good];
    (train as unknown[])[17] = 'abc';
    writeFileSync(
      input,
      JSON.stringify([
        { id: 'A', train: good, horizon: 6 },
        { id: 'B', train: good, horizon: 6 },
        { id: 'C', train: good, horizon: 6 },
        { id: 'X', train, horizon: 6 },
      ]),
    );
    const r = bf(['forecast', '--input', input, '--output', join(dir, 'out.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'series[3] (id "X"): train must be an array of finite numbers; item 17 is "abc"',
    );
  });

  it('rejects a missing horizon and a non-array file', () => {
    const input = join(dir, 'nohorizon.json');
    writeFileSync(input, JSON.stringify([{ id: 'A', train: good }]));
    const r = bf(['forecast', '--input', input, '--output', join(dir, 'out.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('series[0] (id "A"): horizon is missing');
    writeFileSync(input, JSON.stringify({ id: 'A' }));
    const r2 = bf(['forecast', '--input', input, '--output', join(dir, 'out.json')]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain('must hold a JSON array');
  });

  it('writes forecasts in the documented format, identical for any worker count', () => {
    const input = join(dir, 'ok.json');
    writeFileSync(
      input,
      JSON.stringify([0, 1, 2].map((k) => ({ id: `S${k}`, train: good.map((v) => v + k) }))),
    );
    const outs = ['1', '2'].map((w) => {
      const output = join(dir, `out${w}.json`);
      const r = bf([
        'forecast',
        '--input',
        input,
        '--output',
        output,
        '--horizon',
        '5',
        '--level',
        '80',
        '--workers',
        w,
      ]);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(output, 'utf8');
    });
    expect(outs[0]).toBe(outs[1]);
    const parsed = JSON.parse(outs[0]!);
    expect(parsed).toHaveLength(3);
    expect(Object.keys(parsed[0]).sort()).toEqual(['hi80', 'id', 'lo80', 'mean', 'model']);
    expect(parsed[0].mean).toHaveLength(5);
  });

  it('shares the pooled model of a large batch with auto, identically for any worker count', () => {
    const input = join(dir, 'batch.json');
    const rows = Array.from({ length: 60 }, (_, k) => ({
      id: `B${k}`,
      horizon: 6,
      train: Array.from(
        { length: 40 + (k % 5) },
        (_, t) => (50 + 7 * k) * (1 + 0.01 * t) * (1 + 0.2 * Math.sin((t + k) / 1.9)),
      ),
    }));
    writeFileSync(input, JSON.stringify(rows));
    const outs = ['1', '2'].map((w) => {
      const output = join(dir, `batch${w}.json`);
      const r = bf(['forecast', '--input', input, '--output', output, '--workers', w]);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(output, 'utf8');
    });
    expect(outs[0]).toBe(outs[1]);
    const parsed = JSON.parse(outs[0]!) as { model: string }[];
    expect(parsed.some((p) => p.model.includes('pooled'))).toBe(true);
  });
});
