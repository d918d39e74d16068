/** The two dispatchers behind JobQueue: BullMQ (Redis, durable, shared) and in-process. */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Dispatcher, JobRef } from './queue.ts';

/** Delay before attempt n+1 after attempt n failed: base x 2^(n-1). */
export function backoffDelay(baseMs: number, failedAttempt: number): number {
  return baseMs * 2 ** (failedAttempt - 1);
}

/**
 * In-process dispatcher: a FIFO with bounded concurrency and timers for retries. Jobs queued
 * here do not survive the process; use Redis for that.
 */
export function createInProcessDispatcher(concurrency: number, retryBaseMs: number): Dispatcher {
  const pending: { ref: JobRef; attempt: number; maxAttempts: number }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let running = 0;
  let run: ((ref: JobRef, attempt: number) => Promise<void>) | undefined;
  let closed = false;

  const pump = () => {
    while (run && !closed && running < concurrency && pending.length) {
      const item = pending.shift()!;
      running++;
      run(item.ref, item.attempt)
        .catch(() => {
          if (closed || item.attempt >= item.maxAttempts) return;
          const timer = setTimeout(
            () => {
              timers.delete(timer);
              pending.push({ ...item, attempt: item.attempt + 1 });
              pump();
            },
            backoffDelay(retryBaseMs, item.attempt),
          );
          timers.add(timer);
        })
        .finally(() => {
          running--;
          pump();
        });
    }
  };

  return {
    async dispatch(ref, maxAttempts) {
      pending.push({ ref, attempt: 1, maxAttempts });
      // Runs after the caller's response path, never on its stack.
      setImmediate(pump);
    },
    async start(fn) {
      run = fn;
      pump();
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/** BullMQ dispatcher: jobs persist in Redis and any `bf worker` or API process may run them. */
export function createBullDispatcher(
  redisUrl: string,
  queueName: string,
  concurrency: number,
  retryBaseMs: number,
): Dispatcher {
  // BullMQ needs maxRetriesPerRequest: null on its connections.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => {});
  const queue = new Queue(queueName, { connection });
  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  return {
    async dispatch(ref, maxAttempts) {
      await queue.add('run', ref, {
        jobId: ref.jobId,
        attempts: maxAttempts,
        backoff: { type: 'exponential', delay: retryBaseMs },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      });
    },
    async start(fn) {
      workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      workerConnection.on('error', () => {});
      worker = new Worker<JobRef>(queueName, (job) => fn(job.data, job.attemptsMade + 1), {
        connection: workerConnection,
        concurrency,
      });
      worker.on('error', () => {});
      await worker.waitUntilReady();
    },
    async close() {
      await worker?.close();
      await workerConnection?.quit().catch(() => workerConnection?.disconnect());
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
