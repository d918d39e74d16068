/**
 * Prometheus metrics (prom-client), one registry per platform so that several apps in one process
 * (tests) do not share counters. What is measured and what each name means: docs/operations.md
 * "Metrics". Collected at scrape time where a figure is a state (pool, queue depth), counted as
 * it happens where it is an event (requests, messages, job attempts, cache lookups).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Cache } from '../cache/cache.ts';

/** What the scrape asks the platform for (each optional: a process may lack the part). */
export interface MetricSources {
  /** Connections of the PostgreSQL pool (undefined on the embedded database). */
  pool?: () => { total: number; idle: number; waiting: number } | undefined;
  /** Jobs waiting or running, by type and status, over all tenants. */
  jobs?: () => Promise<{ type: string; status: string; count: number }[]>;
  /** Outbox events not yet confirmed by the broker, over all tenants (with AMQP_URL). */
  outbox?: () => Promise<{ unpublished: number; oldestSeconds: number }>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'bf_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: 'bf_websocket_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  readonly wsMessages = new Counter({
    name: 'bf_websocket_messages_received_total',
    help: 'WebSocket messages received from clients',
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'bf_job_attempt_duration_seconds',
    help: 'Background job attempts by job type and outcome (completed, retried, failed)',
    labelNames: ['type', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly collaborationEdits = new Counter({
    name: 'bf_collaboration_edits_total',
    help: 'Line edits applied through collaboration sessions (rate() gives edits per second)',
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'bf_cache_lookups_total',
    help: 'Cache reads by result (hit, miss); the hit ratio is hit / (hit + miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'bf_' });
  }

  /** Adds the scrape-time gauges (pool, queue depth). */
  observe(sources: MetricSources): void {
    const { pool, jobs, outbox } = sources;
    if (outbox) {
      // One query per scrape for both gauges: the first collect reads, the second reuses it.
      let last: Promise<{ unpublished: number; oldestSeconds: number }> | undefined;
      const read = () => {
        last ??= outbox().finally(() => setTimeout(() => (last = undefined), 0));
        return last;
      };
      new Gauge({
        name: 'bf_outbox_unpublished_events',
        help: 'Domain events in the outbox not yet confirmed by RabbitMQ, over all tenants',
        registers: [this.registry],
        async collect() {
          this.set((await read()).unpublished);
        },
      });
      new Gauge({
        name: 'bf_outbox_lag_seconds',
        help: 'Age of the oldest domain event not yet confirmed by RabbitMQ (0 when none)',
        registers: [this.registry],
        async collect() {
          this.set((await read()).oldestSeconds);
        },
      });
    }
    if (pool)
      new Gauge({
        name: 'bf_db_pool_connections',
        help: 'PostgreSQL pool connections by state (total, idle, waiting clients)',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const s = pool();
          if (!s) return;
          this.set({ state: 'total' }, s.total);
          this.set({ state: 'idle' }, s.idle);
          this.set({ state: 'waiting' }, s.waiting);
        },
      });
    if (jobs)
      new Gauge({
        name: 'bf_jobs',
        help: 'Background jobs queued or running, by type and status',
        labelNames: ['type', 'status'] as const,
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const j of await jobs()) this.set({ type: j.type, status: j.status }, j.count);
        },
      });
  }
}

/** The cache, counting hits and misses of its reads. */
export function countedCache(cache: Cache, metrics: Metrics): Cache {
  const count = (value: string | undefined) =>
    metrics.cacheLookups.inc({ result: value === undefined ? 'miss' : 'hit' });
  return {
    ...cache,
    get: async (key) => {
      const value = await cache.get(key);
      count(value);
      return value;
    },
    getMany: async (keys) => {
      const values = await cache.getMany(keys);
      for (const v of values) count(v);
      return values;
    },
    set: (key, value, ttl) => cache.set(key, value, ttl),
    setIfAbsent: (key, value) => cache.setIfAbsent(key, value),
    del: (...keys) => cache.del(...keys),
    available: () => cache.available(),
    ping: () => cache.ping(),
    close: () => cache.close(),
  };
}
