/**
 * The one pool of worker threads for forecasting: the model registry trains and forecasts there
 * so the API's event loop keeps answering, and batch runs (`bf forecast`, `npm run
 * bench:forecast`) forecast many series on every core through `ForecastPool`. Workers start on
 * first use and are reused; a crashed worker fails its task and is replaced.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ForecastOptions, type SeriesInput, trainBatchPooled } from './engine/forecast.ts';
import type { Forecast } from './engine/types.ts';
import type { ModelSpec, Series, TrainResult } from './forecasting.compute.ts';

/** One forecast to compute. */
export interface ForecastItem {
  spec: ModelSpec;
  series: Series;
  horizon: number;
  level: number;
}

/** A task for a worker. */
export type ComputeTask =
  | { id: number; kind: 'train'; spec: ModelSpec; series: Series; horizon: number; gate?: SharedArrayBuffer }
  | { id: number; kind: 'forecast'; items: ForecastItem[] }
  | { id: number; kind: 'series'; series: SeriesInput; opts: ForecastOptions };

/** A batch forecast plus the wall time spent on it inside its worker. */
export interface PoolResult {
  forecast: Forecast;
  ms: number;
}

/** A worker's message about a task. */
export type WorkerReply =
  | { id: number; progress: number }
  | { id: number; paused: true }
  | { id: number; result: unknown }
  | { id: number; error: string; inputError: boolean };

/** A task failed in its worker; `inputError` means the input cannot be trained on (no retry helps). */
export class ComputeError extends Error {
  override name = 'ComputeError';
  constructor(
    message: string,
    readonly inputError: boolean,
  ) {
    super(message);
  }
}

type TaskBody = ComputeTask extends infer T ? (T extends ComputeTask ? Omit<T, 'id'> : never) : never;

interface Pending {
  task: ComputeTask;
  onProgress?: ((fraction: number) => void) | undefined;
  onPaused?: (() => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy?: Pending | undefined;
}

// Workers are TypeScript: a tiny JS bootstrap registers tsx first (on Node 20
// `execArgv: ['--import', 'tsx']` does not reach a worker's entry module: "Unknown file
// extension .ts").
function bootstrap(): string {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./forecasting.worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
}

/** Worker threads that train and forecast; results come back as promises. */
export class ComputePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private gate: { buffer: SharedArrayBuffer; onPaused: () => void } | undefined;
  private closed = false;

  /**
   * `keepAlive`: workers hold the process open while they exist (batch runs, whose main thread
   * only awaits them); the API's pool leaves that to the server.
   */
  constructor(
    private readonly size = Math.max(1, Math.min(2, availableParallelism())),
    private readonly keepAlive = false,
  ) {}

  /** Trains in a worker; `onProgress` gets 0..1. */
  train(
    body: Omit<Extract<ComputeTask, { kind: 'train' }>, 'id' | 'kind'>,
    onProgress?: (f: number) => void,
  ) {
    return this.run({ kind: 'train', ...body }, onProgress) as Promise<TrainResult>;
  }

  /** Computes forecasts in a worker, in order. */
  forecast(items: ForecastItem[]) {
    return this.run({ kind: 'forecast', items }) as Promise<Forecast[]>;
  }

  /** Forecasts one series of a batch run with the engine's options (timed inside the worker). */
  series(series: SeriesInput, opts: ForecastOptions) {
    return this.run({ kind: 'series', series, opts }) as Promise<PoolResult>;
  }

  /** Computes forecasts split over every worker of the pool; results in input order. */
  async forecastParallel(items: ForecastItem[]): Promise<Forecast[]> {
    if (items.length === 0) return [];
    const chunk = Math.ceil(items.length / this.size);
    const parts: ForecastItem[][] = [];
    for (let i = 0; i < items.length; i += chunk) parts.push(items.slice(i, i + chunk));
    return (await Promise.all(parts.map((p) => this.forecast(p)))).flat();
  }

  /**
   * Makes the next training stop at its first checkpoint until `release()`; `paused` resolves
   * when it has stopped there. Lets a test prove the API answers while a training is under way.
   */
  holdNextTraining(): { paused: Promise<void>; release: () => void } {
    const buffer = new SharedArrayBuffer(4);
    let onPaused = () => {};
    const paused = new Promise<void>((r) => {
      onPaused = r;
    });
    this.gate = { buffer, onPaused };
    const release = () => {
      Atomics.store(new Int32Array(buffer), 0, 1);
      Atomics.notify(new Int32Array(buffer), 0);
    };
    return { paused, release };
  }

  private run(body: TaskBody, onProgress?: (f: number) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the forecasting pool is closed'));
    const task = { ...body, id: this.nextId++ } as ComputeTask;
    let onPaused: (() => void) | undefined;
    if (task.kind === 'train' && this.gate) {
      task.gate = this.gate.buffer;
      onPaused = this.gate.onPaused;
      this.gate = undefined;
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ task, onProgress, onPaused, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.postMessage(p.task);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(bootstrap(), { eval: true }) };
    if (!this.keepAlive) slot.worker.unref();
    slot.worker.on('message', (msg: WorkerReply) => {
      const p = slot.busy;
      if (!p || p.task.id !== msg.id) return;
      if ('progress' in msg) return p.onProgress?.(msg.progress);
      if ('paused' in msg) return p.onPaused?.();
      slot.busy = undefined;
      if ('error' in msg) p.reject(new ComputeError(msg.error, msg.inputError));
      else p.resolve(msg.result);
      this.pump();
    });
    const fail = (error: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.busy?.reject(new ComputeError(`forecasting worker failed: ${error.message}`, false));
      slot.busy = undefined;
      if (!this.closed) this.pump();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** Stops the workers; queued and running tasks fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the forecasting pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/**
 * Batch forecasting on `size` workers (`bf forecast`, the forecast bench): each series goes to
 * the next free worker, results come back in input order; the first failure rejects the run.
 */
export class ForecastPool {
  private readonly pool: ComputePool;

  constructor(size = availableParallelism()) {
    this.pool = new ComputePool(Math.max(1, size), true);
  }

  /**
   * Forecasts every series; `onDone` is called after each one (for progress bars). Series forecast
   * with `auto` share the batch's pooled model, trained here once on their training parts (in this
   * thread, so the result does not depend on the number of workers).
   */
  run(
    series: readonly SeriesInput[],
    optsOf: (i: number) => ForecastOptions,
    onDone?: () => void,
  ): Promise<PoolResult[]> {
    const opts = series.map((_, i) => optsOf(i));
    const pooled = trainBatchPooled(series, opts);
    if (pooled) for (const o of opts) if (o.model === 'auto' && o.pooled === undefined) o.pooled = pooled;
    return Promise.all(
      series.map((s, i) =>
        this.pool.series(s, opts[i]!).then(
          (r) => {
            onDone?.();
            return r;
          },
          (error: Error) => {
            throw new Error(`series[${i}] (id "${s.id}"): ${error.message}`);
          },
        ),
      ),
    );
  }

  /** Stops the workers. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
