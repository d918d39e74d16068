/**
 * Forecasting benchmark on M1 monthly (../shared/data/m1_monthly.json): sMAPE, MASE, OWA against
 * Naive2 (same run), 95% coverage and CPU seconds per series, for every model and `auto`.
 *   npm run bench:forecast -- --help
 * --dev scores on the training parts only (the last `horizon` values of train held out), which is
 * where tuning happens; the reported table is without --dev.
 *
 * CPU s/series: user + system CPU of the whole process (main thread and every worker) while the
 * model forecasts all series, divided by their number. Start-up is excluded: before the timed run
 * each worker forecasts three series with the model (loading the code, the wasm modules and warming
 * the JIT), so worker start, tsx registration and wasm compilation are not counted. The load
 * average is printed with the table: on shared cores CPU time per series grows with the load.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { ModelName } from '../src/modules/forecasting/index.ts';
import {
  ForecastPool,
  parseSeriesFile,
  type SeriesScore,
  scoreSeries,
  summarise,
} from '../src/modules/forecasting/index.ts';

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

/** ../shared/data beside the checkout; from a worktree under /work/wt/<name> that is two levels up. */
function defaultData(): string {
  for (const rel of ['../../shared/data/m1_monthly.json', '../../../shared/data/m1_monthly.json']) {
    const p = new URL(rel, import.meta.url).pathname;
    if (existsSync(p)) return p;
  }
  return new URL('../../shared/data/m1_monthly.json', import.meta.url).pathname;
}

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: defaultData() },
    models: { type: 'string', default: ALL.join(',') },
    limit: { type: 'string' },
    workers: { type: 'string', default: String(availableParallelism()) },
    seed: { type: 'string', default: '42' },
    level: { type: 'string', default: '95' },
    dev: { type: 'boolean', default: false },
    deep: { type: 'string', default: '1' },
    save: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`npm run bench:forecast -- [options]
  --data FILE      series file (default ../shared/data/m1_monthly.json beside the checkout)
  --models a,b     models to run (default all: ${ALL.join(',')})
  --limit N        only the first N series
  --workers N      worker threads (default: one per core)
  --seed N         seed (default 42)
  --level L        interval level scored for coverage and MSIS (default 95; 80% coverage is also shown)
  --dev            development split: score on the last horizon of train, the test part is never read
  --deep K         with --dev: hold out the K-th horizon from the end of train (default 1; series
                   left with fewer than 30 values are dropped)
  --save DIR       write each model's forecasts to DIR/<model>.json
CPU s/series is user+system CPU of the process (main thread + workers) during the timed run,
divided by the series; start-up (workers, tsx, wasm, JIT warm-up on three series per worker) is
excluded.`);
  process.exit(0);
}

const models = values.models.split(',').map((s) => s.trim()) as ModelName[];
for (const m of models) if (!ALL.includes(m)) throw new Error(`unknown model ${m}; known: ${ALL.join(', ')}`);
const raw = JSON.parse(readFileSync(values.data, 'utf8')) as {
  train: number[];
  test: number[];
  horizon: number;
}[];
let rows = values.limit ? raw.slice(0, Number(values.limit)) : raw;
if (values.dev) {
  // Development split: hold out the last horizon of train (or the K-th from the end with --deep K);
  // the real test part is dropped unread.
  const k = Number(values.deep);
  rows = rows
    .filter((s) => s.train.length - k * s.horizon >= 30 || k === 1)
    .map((s) => {
      const cut = s.train.length - k * s.horizon;
      return { ...s, train: s.train.slice(0, cut), test: s.train.slice(cut, cut + s.horizon) };
    });
}
const truth = rows.map((s) => ({ train: s.train, test: s.test }));
const series = parseSeriesFile(rows.map(({ test: _t, ...rest }) => rest));
const level = Number(values.level);
const pool = new ForecastPool(Number(values.workers));
const table: string[] = [];
// 1-minute load average after each model's run: CPU seconds grow when other processes share the
// cores (caches, SMT siblings), so a figure is comparable only at a similar load.
const loads: string[] = [];
table.push(
  `| model | sMAPE | MASE | OWA | ${level}% coverage | 80% coverage | MSIS${level === 95 ? '' : ` (${level}%)`} | CPU s/series | worker ms/series |`,
);
table.push('|---|---|---|---|---|---|---|---|---|');
try {
  for (const model of models) {
    const bar = new SingleBar({
      stream: process.stderr,
      format: `${model.padEnd(18)} [{bar}] {value}/{total}`,
    });
    const optsOf = (i: number) => ({
      model,
      horizon: series[i]!.horizon,
      level,
      extraLevels: [80],
      seed: Number(values.seed),
    });
    // Warm-up (not timed): three series per worker load the model's code and wasm and let the JIT
    // compile the hot paths (one series leaves most ETS forms to be optimised inside the timed run).
    const warm = series.slice(0, 3 * Number(values.workers));
    await pool.run(warm, optsOf);
    bar.start(series.length, 0);
    const cpu0 = process.cpuUsage();
    const results = await pool.run(series, optsOf, () => bar.increment());
    const cpu = process.cpuUsage(cpu0);
    bar.stop();
    loads.push(`${model} ${loadavg()[0]!.toFixed(1)}`);
    const scores: SeriesScore[] = results.map((r, i) =>
      scoreSeries(
        truth[i]!.train,
        truth[i]!.test,
        series[i]!.period,
        r.forecast.mean,
        r.forecast.lo,
        r.forecast.hi,
        level,
      ),
    );
    const s = summarise(scores);
    const s80 = summarise(
      results.map((r, i) => {
        const b = r.forecast.intervals![0]!;
        return scoreSeries(
          truth[i]!.train,
          truth[i]!.test,
          series[i]!.period,
          r.forecast.mean,
          b.lo,
          b.hi,
          80,
        );
      }),
    );
    const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);
    const cpuPer = (cpu.user + cpu.system) / 1e6 / series.length;
    const msPer = results.reduce((a, r) => a + r.ms, 0) / series.length;
    const line = `| ${model} | ${s.smape.toFixed(2)} | ${s.mase.toFixed(3)} | ${s.owa.toFixed(3)} | ${pct(
      s.coverage,
    )} | ${pct(s80.coverage)} | ${s.msis === null ? '—' : s.msis.toFixed(2)} | ${cpuPer.toFixed(4)} | ${msPer.toFixed(1)} |`;
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
const split = values.dev
  ? values.deep === '1'
    ? 'dev split (train minus its last horizon)'
    : `deep dev split (horizon ${values.deep} from the end of train)`
  : 'test split';
console.log(
  `# ${values.data.split('/').pop()}: ${series.length} series, ${split}, ${values.workers} workers`,
);
console.log(table.join('\n'));
console.log(`load average (1 min, ${availableParallelism()} cores) after each run: ${loads.join(', ')}`);
