/** The two dispatchers behind JobQueue: BullMQ (Redis, durable, shared) and in-process. */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../http/errors.ts';
import { type RedisMonitor, settleWithin, withTimeout } from '../redis/redis.ts';
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
    available: () => true,
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

export interface BullOptions {
  queueName: string;
  concurrency: number;
  retryBaseMs: number;
  /** A job whose lock is not renewed for this long (its process died) is retried. */
  stallTimeoutMs: number;
}

/**
 * BullMQ dispatcher: jobs persist in Redis and any `bf worker` or API process may run them.
 * Enqueueing fails at once (503 naming Redis) while Redis is down; the worker reconnects by
 * itself. A job whose process died (kill -9) keeps its lock no longer than `stallTimeoutMs`;
 * BullMQ's stalled-job check then puts it back in the queue and the runner records the
 * interrupted attempt on the job row.
 */
export function createBullDispatcher(monitor: RedisMonitor, o: BullOptions): Dispatcher {
  // The producer fails fast (no offline queue); only the worker's connection may block.
  const connection = monitor.connect('job queue');
  const queue = new Queue(o.queueName, { connection });
  queue.on('error', () => {});
  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  return {
    available: () => connection.status === 'ready',
    async dispatch(ref, maxAttempts) {
      if (connection.status !== 'ready') throw new DependencyUnavailableError('Redis', 'the job queue');
      await withTimeout(
        queue.add('run', ref, {
          jobId: ref.jobId,
          attempts: maxAttempts,
          backoff: { type: 'exponential', delay: o.retryBaseMs },
          removeOnComplete: 1000,
          removeOnFail: 5000,
        }),
        monitor.timeouts.commandMs * 2,
        'the job queue',
      );
    },
    async start(fn) {
      workerConnection = monitor.connect('job worker', { blocking: true });
      worker = new Worker<JobRef>(o.queueName, (job) => fn(job.data, job.attemptsMade + 1), {
        connection: workerConnection,
        concurrency: o.concurrency,
        lockDuration: o.stallTimeoutMs,
        stalledInterval: o.stallTimeoutMs,
        // The runner counts interrupted attempts against max_attempts itself.
        maxStalledCount: 100,
      });
      worker.on('error', () => {});
      // Not awaited: with Redis down at start the service must still listen; BullMQ reconnects.
      worker.waitUntilReady().catch(() => {});
    },
    async close() {
      // Bounded: with Redis away BullMQ's close would wait for it forever.
      const wait = monitor.timeouts.commandMs * 2;
      if (worker) await settleWithin(worker.close(connection.status !== 'ready'), wait);
      workerConnection?.disconnect();
      await settleWithin(queue.close(), wait);
      connection.disconnect();
    },
  };
}
