/**
 * The login rate limit's store: counts in Redis (shared by every process) while Redis answers,
 * and in this process's memory while it does not, so a Redis outage neither fails logins (500)
 * nor lifts the limit. During an outage each process enforces the limit on its own (a client
 * spread over N processes gets up to N times the limit); counts start afresh on either side.
 */
import { createRequire } from 'node:module';
import type {
  FastifyRateLimitOptions,
  FastifyRateLimitStore,
  FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import type { Redis } from 'ioredis';

type Store = FastifyRateLimitStore;
type RouteOptions = Parameters<Store['child']>[0];

// The plugin's own stores (CommonJS, not in its type declarations): the same counting rules.
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => Store;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  key: string,
) => Store;

class FallbackStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly shared: Store,
    private readonly local: Store,
  ) {}

  incr(key: string, callback: Parameters<Store['incr']>[1], timeWindow: number, max: number): void {
    if (this.redis.status !== 'ready') {
      this.local.incr(key, callback, timeWindow, max);
      return;
    }
    this.shared.incr(
      key,
      (error, result) => {
        if (error) this.local.incr(key, callback, timeWindow, max);
        else callback(null, result);
      },
      timeWindow,
      max,
    );
  }

  child(routeOptions: RouteOptions): Store {
    return new FallbackStore(this.redis, this.shared.child(routeOptions), this.local.child(routeOptions));
  }
}

/** A store class for @fastify/rate-limit over `redis` with an in-process fallback. */
export function redisWithLocalFallback(redis: Redis, nameSpace: string): FastifyRateLimitStoreCtor {
  return class extends FallbackStore {
    constructor(o: FastifyRateLimitOptions) {
      // The plugin passes its resolved global parameters, which carry these two flags.
      const flags = o as { continueExceeding?: boolean; exponentialBackoff?: boolean };
      const continueExceeding = flags.continueExceeding ?? false;
      const exponentialBackoff = flags.exponentialBackoff ?? false;
      super(
        redis,
        new RedisStore(continueExceeding, exponentialBackoff, redis, nameSpace),
        new LocalStore(continueExceeding, exponentialBackoff),
      );
    }
  };
}
