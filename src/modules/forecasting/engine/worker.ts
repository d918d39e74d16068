/** Worker thread: forecasts the series it is sent, one message per series. */
import { parentPort } from 'node:worker_threads';
import { forecastSeries } from './forecast.ts';
import type { TaskMessage } from './pool.ts';
import { prepareModels } from './setup.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

port.on('message', async (msg: TaskMessage) => {
  try {
    await prepareModels(msg.opts.model);
    const t0 = performance.now();
    const f = forecastSeries(msg.series, msg.opts);
    port.postMessage({ index: msg.index, forecast: f, ms: performance.now() - t0 });
  } catch (error) {
    port.postMessage({ index: msg.index, error: error instanceof Error ? error.message : String(error) });
  }
});
