/** Worker thread of the forecasting pool: trains models and forecasts, one task at a time. */
import { parentPort } from 'node:worker_threads';
import { forecastSeries } from './engine/forecast.ts';
import { prepareModels } from './engine/setup.ts';
import { forecastWith, TrainingInputError, trainModel } from './forecasting.compute.ts';
import type { ComputeTask, WorkerReply } from './forecasting.pool.ts';

const port = parentPort;
if (!port) throw new Error('forecasting.worker.ts must run in a worker thread');
const reply = (msg: WorkerReply) => port.postMessage(msg);

/** Holds the thread at its first checkpoint until the gate is opened (tests prove the API answers meanwhile). */
function checkpoint(id: number, gate: Int32Array | undefined) {
  if (!gate || Atomics.load(gate, 0) !== 0) return;
  reply({ id, paused: true });
  Atomics.wait(gate, 0, 0);
}

port.on('message', async (task: ComputeTask) => {
  const { id } = task;
  try {
    if (task.kind === 'train') {
      await prepareModels(task.spec.algorithm);
      const gate = task.gate ? new Int32Array(task.gate) : undefined;
      const result = trainModel(task.spec, task.series, task.horizon, (fraction) => {
        reply({ id, progress: fraction });
        checkpoint(id, gate);
      });
      reply({ id, result });
    } else if (task.kind === 'series') {
      await prepareModels(task.opts.model);
      const t0 = performance.now();
      const forecast = forecastSeries(task.series, task.opts);
      reply({ id, result: { forecast, ms: performance.now() - t0 } });
    } else {
      const out = [];
      for (const item of task.items) {
        await prepareModels(item.spec.algorithm);
        out.push(forecastWith(item.spec, item.series, item.horizon, item.level));
      }
      reply({ id, result: out });
    }
  } catch (error) {
    reply({
      id,
      error: error instanceof Error ? error.message : String(error),
      inputError: error instanceof TrainingInputError,
    });
  }
});
