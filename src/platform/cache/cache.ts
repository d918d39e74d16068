/** Key-value cache: Redis when REDIS_URL is set, an in-process LRU otherwise; one interface. */
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface Cache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the key only if it is absent; returns the value now stored. */
  setIfAbsent(key: string, value: string): Promise<string>;
  del(...keys: string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** In-process LRU cache (single-process deployments and tests). */
export function createMemoryCache(maxEntries = 10_000): Cache {
  const lru = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  return {
    get: async (key) => lru.get(key),
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
    ping: async () => {},
    close: async () => {
      lru.clear();
    },
  };
}

/** Redis-backed cache shared by every process; `prefix` namespaces the keys. */
export function createRedisCache(url: string, prefix = 'bf:'): Cache {
  const redis = new Redis(url, { keyPrefix: prefix, lazyConnect: false, maxRetriesPerRequest: 2 });
  redis.on('error', () => {});
  return {
    get: async (key) => (await redis.get(key)) ?? undefined,
    set: async (key, value, ttlSeconds) => {
      await redis.set(key, value, 'EX', ttlSeconds);
    },
    setIfAbsent: async (key, value) => {
      const ok = await redis.set(key, value, 'NX');
      if (ok === 'OK') return value;
      return (await redis.get(key)) ?? value;
    },
    del: async (...keys) => {
      if (keys.length) await redis.del(...keys);
    },
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
