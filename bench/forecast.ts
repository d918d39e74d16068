/**
 * Forecasting benchmark on M1 monthly (../shared/data/m1_monthly.json): sMAPE, MASE, OWA against
 * Naive2 (same run), 95% coverage and CPU seconds per series, for every model and `auto`.
 *   npm run bench:forecast -- [--models a,b] [--limit N] [--workers N] [--seed N] [--dev] [--save DIR]
 * --dev scores on the training parts only (the last `horizon` values of train held out), which is
 * where tuning happens; the reported table is without --dev.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { parseSeriesFile } from '../src/modules/forecasting/engine/input.ts';
import { type SeriesScore, scoreSeries, summarise } from '../src/modules/forecasting/engine/metrics.ts';
import { ForecastPool } from '../src/modules/forecasting/engine/pool.ts';
import type { ModelName } from '../src/modules/forecasting/engine/types.ts';

const ALL: ModelName[] = [
  'snaive',
  'naive2',
  'ets',
  'theta',
  'arima',
  'random_forest',
  'gradient_boosting',
  'neural_network',
  'auto',
];

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: new URL('../../shared/data/m1_monthly.json', import.meta.url).pathname },
    models: { type: 'string', default: ALL.join(',') },
    limit: { type: 'string' },
    workers: { type: 'string', default: String(availableParallelism()) },
    seed: { type: 'string', default: '42' },
    level: { type: 'string', default: '95' },
    dev: { type: 'boolean', default: false },
    save: { type: 'string' },
  },
});

const models = values.models.split(',').map((s) => s.trim()) as ModelName[];
for (const m of models) if (!ALL.includes(m)) throw new Error(`unknown model ${m}; known: ${ALL.join(', ')}`);
const raw = JSON.parse(readFileSync(values.data, 'utf8')) as {
  train: number[];
  test: number[];
  horizon: number;
}[];
let rows = values.limit ? raw.slice(0, Number(values.limit)) : raw;
if (values.dev) {
  // Development split: hold out the last horizon of train; the real test part is dropped unread.
  rows = rows.map((s) => ({ ...s, train: s.train.slice(0, -s.horizon), test: s.train.slice(-s.horizon) }));
}
const truth = rows.map((s) => ({ train: s.train, test: s.test }));
const series = parseSeriesFile(rows.map(({ test: _t, ...rest }) => rest));
const level = Number(values.level);
const pool = new ForecastPool(Number(values.workers));
const table: string[] = [];
table.push('| model | sMAPE | MASE | OWA | 95% coverage | CPU s/series | worker ms/series |');
table.push('|---|---|---|---|---|---|---|');
try {
  for (const model of models) {
    const bar = new SingleBar({
      stream: process.stderr,
      format: `${model.padEnd(18)} [{bar}] {value}/{total}`,
    });
    bar.start(series.length, 0);
    const cpu0 = process.cpuUsage();
    const results = await pool.run(
      series,
      (i) => ({ model, horizon: series[i]!.horizon, level, seed: Number(values.seed) }),
      () => bar.increment(),
    );
    const cpu = process.cpuUsage(cpu0);
    bar.stop();
    const scores: SeriesScore[] = results.map((r, i) =>
      scoreSeries(
        truth[i]!.train,
        truth[i]!.test,
        series[i]!.period,
        r.forecast.mean,
        r.forecast.lo,
        r.forecast.hi,
      ),
    );
    const s = summarise(scores);
    const cpuPer = (cpu.user + cpu.system) / 1e6 / series.length;
    const msPer = results.reduce((a, r) => a + r.ms, 0) / series.length;
    const line = `| ${model} | ${s.smape.toFixed(2)} | ${s.mase.toFixed(3)} | ${s.owa.toFixed(3)} | ${
      s.coverage === null ? '—' : `${(100 * s.coverage).toFixed(1)}%`
    } | ${cpuPer.toFixed(4)} | ${msPer.toFixed(1)} |`;
    table.push(line);
    process.stderr.write(`${line}\n`);
    if (model === 'auto') {
      const picks = new Map<string, number>();
      for (const r of results) picks.set(r.forecast.model, (picks.get(r.forecast.model) ?? 0) + 1);
      process.stderr.write(`auto picked: ${[...picks].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    }
    if (values.save) {
      const out = results.map((r, i) => ({
        id: series[i]!.id,
        model: r.forecast.model,
        mean: r.forecast.mean,
        [`lo${level}`]: r.forecast.lo,
        [`hi${level}`]: r.forecast.hi,
      }));
      writeFileSync(`${values.save}/${model}.json`, JSON.stringify(out));
    }
  }
} finally {
  await pool.close();
}
const split = values.dev ? 'dev split (train minus its last horizon)' : 'test split';
console.log(
  `# ${values.data.split('/').pop()}: ${series.length} series, ${split}, ${values.workers} workers`,
);
console.log(table.join('\n'));
