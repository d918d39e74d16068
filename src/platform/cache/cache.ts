/** Key-value cache: Redis when REDIS_URL is set, an in-process LRU otherwise; one interface. */
import { LRUCache } from 'lru-cache';
import { v7 as uuidv7 } from 'uuid';
import { DependencyUnavailableError } from '../http/errors.ts';
import type { RedisMonitor } from '../redis/redis.ts';

/**
 * Key whose value changes whenever entries already in the cache may be stale: Redis came back
 * after an outage, or a write to the cache failed (a missed invalidation). Versioned keys
 * include its value, so a new epoch makes every older entry unreachable at once.
 */
export const CACHE_EPOCH_KEY = 'cache:epoch';

export interface Cache {
  get(key: string): Promise<string | undefined>;
  /** Several keys in one round trip. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the key only if it is absent; returns the value now stored. */
  setIfAbsent(key: string, value: string): Promise<string>;
  del(...keys: string[]): Promise<void>;
  /** False while the cache is unreachable or not yet trusted again: skip it, do not wait. */
  available(): boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** In-process LRU cache (single-process deployments and tests). */
export function createMemoryCache(maxEntries = 10_000): Cache {
  const lru = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  return {
    get: async (key) => lru.get(key),
    getMany: async (keys) => keys.map((k) => lru.get(k)),
    set: async (key, value, ttlSeconds) => {
      lru.set(key, value, { ttl: ttlSeconds * 1000 });
    },
    setIfAbsent: async (key, value) => {
      const existing = lru.get(key);
      if (existing !== undefined) return existing;
      lru.set(key, value);
      return value;
    },
    del: async (...keys) => {
      for (const k of keys) lru.delete(k);
    },
    available: () => true,
    ping: async () => {},
    close: async () => {
      lru.clear();
    },
  };
}

/**
 * Redis-backed cache shared by every process; `prefix` namespaces the keys. Every command is
 * bounded by the connection's timeouts and fails at once while Redis is down. After any
 * failure (and after every (re)connect) the cache is not trusted until this process has
 * written a new epoch: an invalidation this process could not write can never leave a stale
 * entry reachable once Redis answers again.
 */
export function createRedisCache(monitor: RedisMonitor, prefix = 'bf:'): Cache {
  const redis = monitor.connect('cache', { keyPrefix: prefix });
  let trusted = false;
  let failures = 0;
  let renewing = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const scheduleRenew = () => {
    if (retry || closed) return;
    retry = setTimeout(() => {
      retry = undefined;
      void renew();
    }, 250);
    retry.unref();
  };
  const renew = async () => {
    if (renewing || closed || redis.status !== 'ready') return;
    renewing = true;
    const seen = failures;
    try {
      await redis.set(CACHE_EPOCH_KEY, uuidv7());
      // A failure while the epoch was in flight may not be covered by it: renew again.
      if (failures === seen) trusted = true;
      else scheduleRenew();
    } catch {
      scheduleRenew();
    } finally {
      renewing = false;
    }
  };
  const failed = () => {
    failures++;
    trusted = false;
    scheduleRenew();
  };
  redis.on('ready', () => void renew());
  redis.on('close', () => {
    trusted = false;
  });

  const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (!trusted || redis.status !== 'ready') {
      failed();
      throw new DependencyUnavailableError('Redis', 'the cache');
    }
    try {
      return await fn();
    } catch (error) {
      failed();
      throw error;
    }
  };

  return {
    get: (key) => guarded(async () => (await redis.get(key)) ?? undefined),
    getMany: (keys) =>
      guarded(async () => (keys.length ? (await redis.mget(...keys)).map((v) => v ?? undefined) : [])),
    set: (key, value, ttlSeconds) =>
      guarded(async () => {
        await redis.set(key, value, 'EX', ttlSeconds);
      }),
    setIfAbsent: (key, value) =>
      guarded(async () => {
        const ok = await redis.set(key, value, 'NX');
        if (ok === 'OK') return value;
        return (await redis.get(key)) ?? value;
      }),
    del: (...keys) =>
      guarded(async () => {
        if (keys.length) await redis.del(...keys);
      }),
    available: () => trusted && redis.status === 'ready',
    ping: async () => {
      if (!trusted || redis.status !== 'ready') throw new DependencyUnavailableError('Redis', 'the cache');
      await redis.ping();
    },
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
