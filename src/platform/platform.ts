/** Opens everything a process needs (database, cache, keys) from the configuration. */
import type { AppConfig } from '../config/env.ts';
import { TenantRegistry } from './auth/authenticate.ts';
import { createTokenVerifier, resolveJwtSecret, type TokenVerifier } from './auth/jwt.ts';
import { type Cache, createMemoryCache, createRedisCache } from './cache/cache.ts';
import { type Database, openDatabase } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { OutboxRelay, outboxLag } from './events/relay.ts';
import { countedCache, Metrics } from './metrics/metrics.ts';
import { createMemoryPubSub, createRedisPubSub, type PubSub } from './pubsub/pubsub.ts';
import { createBullDispatcher, createInProcessDispatcher } from './queue/dispatchers.ts';
import { JobQueue, JobRunner } from './queue/queue.ts';
import { RedisMonitor } from './redis/redis.ts';
import { createStoredFiles, type StoredFiles } from './storage/index.ts';

export interface Platform {
  config: AppConfig;
  database: Database;
  cache: Cache;
  jwtSecret: string;
  verifier: TokenVerifier;
  tenants: TenantRegistry;
  queue: JobQueue;
  /** Fan-out between processes (collaboration). */
  pubsub: PubSub;
  /** Prefix of every Redis key this platform writes. */
  keyPrefix: string;
  /** The Redis connections (undefined without REDIS_URL): state, logging, new connections. */
  redis: RedisMonitor | undefined;
  /** Prometheus registry and instruments of this process (GET /metrics). */
  metrics: Metrics;
  /** The outbox relay to RabbitMQ (AMQP_URL set and EVENTS_RELAY on); started by serve and worker. */
  relay: OutboxRelay | undefined;
  /** Stored documents (uploaded actuals files, exported workbooks) in STORAGE (db or s3). */
  files: StoredFiles;
  close(): Promise<void>;
}

export interface PlatformOptions {
  /** Apply migrations at start (default true). */
  migrate?: boolean;
  /** Use this database instead of opening one (tests share one per file). */
  database?: Database;
  /** Prefix of Redis keys (tests isolate themselves with it). */
  redisPrefix?: string;
  /** Share this pub/sub instead of opening one (tests run several apps in one process). */
  pubsub?: PubSub;
  /** Re-queue jobs left unfinished by a dead process at queue start (default: see below). */
  recoverJobs?: boolean;
}

/** Opens the database (PGlite or PostgreSQL), applies migrations, connects the cache. */
export async function createPlatform(config: AppConfig, options: PlatformOptions = {}): Promise<Platform> {
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      pgliteDir: config.pgliteDir,
    }));
  if (options.migrate !== false && !options.database) await migrateDatabase(database);
  const keyPrefix = options.redisPrefix ?? config.REDIS_KEY_PREFIX;
  // Start-up waits only for Redis's first answer (ready or refused, at most REDIS_TIMEOUT_MS):
  // with Redis down the service starts and degrades.
  const redis = config.REDIS_URL
    ? new RedisMonitor(config.REDIS_URL, {
        connectMs: config.REDIS_TIMEOUT_MS,
        commandMs: config.REDIS_TIMEOUT_MS,
      })
    : undefined;
  const metrics = new Metrics();
  const cache = countedCache(redis ? createRedisCache(redis, keyPrefix) : createMemoryCache(), metrics);
  const pubsub = options.pubsub ?? (redis ? createRedisPubSub(redis, keyPrefix) : createMemoryPubSub());
  const jwtSecret = resolveJwtSecret(config);
  const dispatcher = redis
    ? createBullDispatcher(redis, {
        queueName: config.JOB_QUEUE_NAME,
        concurrency: config.JOB_CONCURRENCY,
        retryBaseMs: config.JOB_RETRY_BASE_MS,
        stallTimeoutMs: config.JOB_STALL_TIMEOUT_MS,
      })
    : createInProcessDispatcher(config.JOB_CONCURRENCY, config.JOB_RETRY_BASE_MS);
  // In-process jobs die with their process; on the embedded database no other process can
  // own the ones left unfinished, so this one re-queues them.
  const recover = options.recoverJobs ?? (!redis && database.kind === 'pglite' && !options.database);
  const runner = new JobRunner(database.db, (type, outcome, seconds) =>
    metrics.jobDuration.observe({ type, outcome }, seconds),
  );
  const queue = new JobQueue(runner, dispatcher, database.db, recover);
  metrics.observe({
    pool: database.poolStats,
    jobs: () => queue.depth(),
    // Without a broker the outbox only grows (GET /events serves it): no lag to report.
    ...(config.AMQP_URL ? { outbox: () => outboxLag(database.db) } : {}),
  });
  const relay =
    config.AMQP_URL && config.EVENTS_RELAY
      ? new OutboxRelay(database.db, {
          url: config.AMQP_URL,
          exchange: config.EVENTS_EXCHANGE,
          pollMs: config.EVENTS_POLL_MS,
          leaseMs: config.EVENTS_LEASE_MS,
          retentionDays: config.EVENTS_RETENTION_DAYS,
        })
      : undefined;
  const files = createStoredFiles(database.db, config);
  await redis?.settled();
  return {
    files,
    config,
    database,
    cache,
    jwtSecret,
    verifier: createTokenVerifier(config, jwtSecret),
    tenants: new TenantRegistry(database.db),
    queue,
    keyPrefix,
    pubsub,
    redis,
    metrics,
    relay,
    async close() {
      await relay?.stop();
      redis?.shutdown();
      if (!options.pubsub) await pubsub.close();
      await queue.close();
      await cache.close();
      await files.close();
      if (!options.database) await database.close();
    },
  };
}
