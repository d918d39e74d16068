/** Opens everything a process needs (database, cache, keys) from the configuration. */
import type { AppConfig } from '../config/env.ts';
import { setAuditEnabled } from '../modules/audit/audit.repository.ts';
import { TenantRegistry } from './auth/authenticate.ts';
import { createTokenVerifier, resolveJwtSecret, type TokenVerifier } from './auth/jwt.ts';
import { type Cache, createMemoryCache, createRedisCache } from './cache/cache.ts';
import { type Database, openDatabase } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { createMemoryPubSub, createRedisPubSub, type PubSub } from './pubsub/pubsub.ts';
import { createBullDispatcher, createInProcessDispatcher } from './queue/dispatchers.ts';
import { JobQueue, JobRunner } from './queue/queue.ts';

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
}

/** Opens the database (PGlite or PostgreSQL), applies migrations, connects the cache. */
export async function createPlatform(config: AppConfig, options: PlatformOptions = {}): Promise<Platform> {
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      pgliteDir: config.pgliteDir,
    }));
  if (options.migrate !== false && !options.database) await migrateDatabase(database);
  const keyPrefix = options.redisPrefix ?? 'bf:';
  const cache = config.REDIS_URL ? createRedisCache(config.REDIS_URL, keyPrefix) : createMemoryCache();
  const pubsub =
    options.pubsub ??
    (config.REDIS_URL ? createRedisPubSub(config.REDIS_URL, keyPrefix) : createMemoryPubSub());
  setAuditEnabled(config.AUDIT_ENABLED);
  const jwtSecret = resolveJwtSecret(config);
  const dispatcher = config.REDIS_URL
    ? createBullDispatcher(
        config.REDIS_URL,
        config.JOB_QUEUE_NAME,
        config.JOB_CONCURRENCY,
        config.JOB_RETRY_BASE_MS,
      )
    : createInProcessDispatcher(config.JOB_CONCURRENCY, config.JOB_RETRY_BASE_MS);
  const queue = new JobQueue(new JobRunner(database.db), dispatcher, database.db);
  return {
    config,
    database,
    cache,
    jwtSecret,
    verifier: createTokenVerifier(config, jwtSecret),
    tenants: new TenantRegistry(database.db),
    queue,
    keyPrefix,
    pubsub,
    async close() {
      if (!options.pubsub) await pubsub.close();
      await queue.close();
      await cache.close();
      if (!options.database) await database.close();
    },
  };
}
