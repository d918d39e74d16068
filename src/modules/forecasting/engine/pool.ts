/** A worker-thread pool that forecasts many series on every core; results come back in input order. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ForecastOptions, SeriesInput } from './forecast.ts';
import type { Forecast } from './types.ts';

/** Message to a worker. */
export interface TaskMessage {
  index: number;
  series: SeriesInput;
  opts: ForecastOptions;
}

interface ResultMessage {
  index: number;
  forecast?: Forecast;
  ms?: number;
  error?: string;
}

/** A forecast plus the wall time spent on it inside its worker. */
export interface PoolResult {
  forecast: Forecast;
  ms: number;
}

/** Keeps N workers alive across runs (the bench runs several models through one pool). */
export class ForecastPool {
  private readonly workers: Worker[];

  constructor(size = availableParallelism()) {
    // Workers are TypeScript. On Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's
    // entry module ("Unknown file extension .ts"), so a tiny JS bootstrap registers tsx first.
    const api = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./worker.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
    this.workers = Array.from({ length: Math.max(1, size) }, () => new Worker(boot, { eval: true }));
  }

  /** Forecasts every series; `onDone` is called after each one (for progress bars). */
  run(series: readonly SeriesInput[], optsOf: (i: number) => ForecastOptions, onDone?: () => void) {
    return new Promise<PoolResult[]>((resolve, reject) => {
      const out = new Array<PoolResult>(series.length);
      let next = 0;
      let done = 0;
      let failed = false;
      const feed = (w: Worker) => {
        if (next >= series.length) return;
        const index = next++;
        w.postMessage({ index, series: series[index]!, opts: optsOf(index) } satisfies TaskMessage);
      };
      const cleanups: (() => void)[] = [];
      const finish = (err?: Error) => {
        for (const c of cleanups) c();
        if (err) reject(err);
        else resolve(out);
      };
      for (const w of this.workers) {
        const onMessage = (msg: ResultMessage) => {
          if (failed) return;
          if (msg.error !== undefined || !msg.forecast) {
            failed = true;
            finish(new Error(`series[${msg.index}] (id "${series[msg.index]?.id}"): ${msg.error}`));
            return;
          }
          out[msg.index] = { forecast: msg.forecast, ms: msg.ms ?? 0 };
          done++;
          onDone?.();
          if (done === series.length) finish();
          else feed(w);
        };
        const onError = (e: Error) => {
          if (!failed) {
            failed = true;
            finish(e);
          }
        };
        w.on('message', onMessage);
        w.on('error', onError);
        cleanups.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
        });
        feed(w);
      }
      if (series.length === 0) finish();
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
