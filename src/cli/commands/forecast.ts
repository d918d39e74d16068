import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import {
  ForecastPool,
  MODEL_NAMES,
  type ModelName,
  parseSeriesFile,
  SeriesFileError,
  type SeriesTask,
} from '../../modules/forecasting/index.ts';

interface ForecastCliOptions {
  input: string;
  output: string;
  model: string;
  horizon?: string;
  level: string;
  seed: string;
  workers?: string;
}

/** Parses an integer option or fails with a message naming the option. */
function intOption(name: string, value: string, min: number): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${name} must be an integer >= ${min}; got "${value}"`);
  return v;
}

/** Reads and validates the series file. */
async function readSeries(path: string, horizon?: number): Promise<SeriesTask[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return parseSeriesFile(data, horizon);
  } catch (e) {
    if (e instanceof SeriesFileError) throw new Error(`${path}: ${e.message}`);
    throw e;
  }
}

/** Runs `bf forecast`: series file in, forecasts file out, on a worker pool. */
export async function runForecast(o: ForecastCliOptions): Promise<void> {
  if (!(MODEL_NAMES as readonly string[]).includes(o.model))
    throw new Error(`--model must be one of ${MODEL_NAMES.join(', ')}; got "${o.model}"`);
  const model = o.model as ModelName;
  const level = Number(o.level);
  if (!(level > 0 && level < 100))
    throw new Error(`--level must be a number between 0 and 100; got "${o.level}"`);
  const seed = intOption('seed', o.seed, 0);
  const horizon = o.horizon === undefined ? undefined : intOption('horizon', o.horizon, 1);
  const workers = o.workers === undefined ? availableParallelism() : intOption('workers', o.workers, 1);
  const series = await readSeries(o.input, horizon);
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'forecast [{bar}] {value}/{total} series | {duration}s',
    hideCursor: true,
  });
  bar.start(series.length, 0);
  const pool = new ForecastPool(Math.min(workers, Math.max(1, series.length)));
  try {
    const results = await pool.run(
      series,
      (i) => ({ model, horizon: series[i]!.horizon, level, seed }),
      () => bar.increment(),
    );
    const out = results.map((r, i) => ({
      id: series[i]!.id,
      model: r.forecast.model,
      mean: r.forecast.mean,
      [`lo${level}`]: r.forecast.lo,
      [`hi${level}`]: r.forecast.hi,
    }));
    await writeFile(o.output, `${JSON.stringify(out)}\n`);
  } finally {
    bar.stop();
    await pool.close();
  }
}

/** Registers `bf forecast` (batch forecasting of series files). */
export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('Forecast every series of a file (formats: ../shared/data/README.md)')
    .requiredOption('--input <file>', 'series JSON file')
    .requiredOption('--output <file>', 'forecasts JSON file to write')
    .option('--model <name>', `one of ${MODEL_NAMES.join(', ')}`, 'auto')
    .option('--horizon <n>', 'steps to forecast (overrides the file)')
    .option('--level <pct>', 'prediction interval level in percent', '95')
    .option('--seed <n>', 'random seed (results are identical for a seed)', '42')
    .option('--workers <n>', 'worker threads (default: every core)')
    .action(async (opts: ForecastCliOptions) => {
      await runForecast(opts);
    });
}
