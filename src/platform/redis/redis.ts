/**
 * Every Redis connection of a process comes from here: bounded waits (connect and command
 * timeouts, no offline queue, reconnect at least once a second) and one log line when Redis
 * goes away and one when it is back, instead of a stack dump per reconnect attempt.
 */
import { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../http/errors.ts';

/** Where the monitor writes its two lines (Fastify's logger once the app exists). */
export interface RedisLog {
  warn(message: string): void;
  info(message: string): void;
}

export interface RedisTimeouts {
  /** Longest wait for a TCP connection. */
  connectMs: number;
  /** Longest wait for a command's reply (not for blocking commands). */
  commandMs: number;
}

export interface ConnectOptions {
  /** BullMQ workers block on Redis: they need an offline queue and unlimited retries. */
  blocking?: boolean;
  /** Prefix ioredis puts before every key. */
  keyPrefix?: string;
}

/**
 * What ioredis says when a command could not be sent or got no reply in time. Only ioredis's
 * own wording: a bare ECONNREFUSED may come from PostgreSQL and must not be blamed on Redis.
 */
const REDIS_FAILURE =
  /^(Connection is closed\.?|Stream isn't writeable and enableOfflineQueue options is false|Command timed out|Reached the max retries per request limit.*)$/;

/** Whether an error says Redis could not be reached (as opposed to a bug or a bad command). */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return error.dependency === 'Redis';
  if (!(error instanceof Error)) return false;
  return error.name === 'MaxRetriesPerRequestError' || REDIS_FAILURE.test(error.message);
}

/** Rejects with a 503 naming Redis when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, feature: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyUnavailableError('Redis', feature)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits for `promise` at most `ms` (closing must not hang while Redis is away). */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** The host and port of a Redis URL, without credentials (for logs). */
export function describeRedisUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}`;
}

/** Opens and watches the Redis connections of one process. */
export class RedisMonitor {
  private readonly connections = new Map<Redis, string>();
  private log: RedisLog | undefined;
  private outage: { since: number; reason: string; logged: boolean } | undefined;
  private readonly readyListeners = new Set<() => void>();
  private closing = false;

  constructor(
    readonly url: string,
    readonly timeouts: RedisTimeouts,
  ) {}

  /** A new connection for one use (cache, pubsub, queue, rate limit). */
  connect(role: string, options: ConnectOptions = {}): Redis {
    const redis = new Redis(this.url, {
      connectTimeout: this.timeouts.connectMs,
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
      // Reconnect quickly (100 ms, 200 ms, ... at most 1 s apart): recovery within seconds.
      retryStrategy: (times) => Math.min(100 * times, 1000),
      ...(options.blocking
        ? { maxRetriesPerRequest: null }
        : {
            commandTimeout: this.timeouts.commandMs,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
          }),
    });
    this.connections.set(redis, role);
    redis.on('error', (error: Error) => this.down(error.message || String(error)));
    redis.on('close', () => this.down('connection closed'));
    redis.on('ready', () => this.checkUp());
    redis.on('end', () => {
      this.connections.delete(redis);
      this.checkUp();
    });
    return redis;
  }

  /** Whether every connection is ready. */
  get up(): boolean {
    for (const redis of this.connections.keys()) if (redis.status !== 'ready') return false;
    return true;
  }

  /**
   * Resolves once each connection has either become ready or failed its first attempt, or
   * after `ms`. Start-up awaits it so the first requests after a start with Redis up do not
   * answer 503 while the sockets are still connecting; with Redis down it returns at once
   * (the refusal is immediate) and the service starts degraded.
   */
  async settled(ms = this.timeouts.connectMs): Promise<void> {
    const pending = [...this.connections.keys()].filter((r) => r.status !== 'ready' && r.status !== 'end');
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(
        pending.map(
          (redis) =>
            new Promise<void>((resolve) => {
              redis.once('ready', () => resolve());
              redis.once('error', () => resolve());
              redis.once('end', () => resolve());
            }),
        ),
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Calls `fn` each time every connection is ready again after an outage. */
  onRecovered(fn: () => void): () => void {
    this.readyListeners.add(fn);
    return () => this.readyListeners.delete(fn);
  }

  /** Starts logging through `log` (a start-up outage is reported at once). */
  setLog(log: RedisLog): void {
    this.log = log;
    if (this.outage && !this.outage.logged) this.logOutage();
  }

  /** Called before the connections are closed on purpose: that is not an outage. */
  shutdown(): void {
    this.closing = true;
  }

  private down(reason: string): void {
    if (this.outage || this.closing) return;
    this.outage = { since: Date.now(), reason, logged: false };
    this.logOutage();
  }

  private logOutage(): void {
    if (!this.outage || !this.log) return;
    this.outage.logged = true;
    this.log.warn(
      `Redis unreachable at ${describeRedisUrl(this.url)} (${this.outage.reason}): budget reads bypass the cache, login limits are per process, collaboration fan-out and job enqueue answer 503 dependency_unavailable; reconnecting every second`,
    );
  }

  private checkUp(): void {
    if (!this.outage || !this.up) return;
    const seconds = ((Date.now() - this.outage.since) / 1000).toFixed(1);
    const wasLogged = this.outage.logged;
    this.outage = undefined;
    if (wasLogged)
      this.log?.info(`Redis reachable again at ${describeRedisUrl(this.url)} after ${seconds} s`);
    for (const fn of this.readyListeners) fn();
  }
}
