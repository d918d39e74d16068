/**
 * A small pool of worker threads for the model registry: training and forecasting run there so
 * the API's event loop keeps answering. Workers start on first use and are reused; a crashed
 * worker fails its task and is replaced.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
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
  | { id: number; kind: 'forecast'; items: ForecastItem[] };

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

// Workers are TypeScript: a tiny JS bootstrap registers tsx first (as the engine's pool does;
// on Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's entry module).
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

  constructor(private readonly size = Math.max(1, Math.min(2, availableParallelism()))) {}

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
    slot.worker.unref();
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
