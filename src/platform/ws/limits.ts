/**
 * Abuse limits of a WebSocket gateway: token buckets (messages, bytes), counted slots (sockets
 * per key) with release-once handles. A tiny bucket rather than a library: the one fitting
 * library (rate-limiter-flexible) is not installed, @fastify/rate-limit counts HTTP requests in
 * fixed windows and cannot be asked per message, and a bucket is a dozen lines of arithmetic.
 * Everything here is per process: sockets live in one process, and so do their limits.
 */
import { LRUCache } from 'lru-cache';

/** A token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Takes `cost` tokens if there are enough; otherwise takes none and returns the wait in ms. */
  take(cost = 1): { ok: true } | { ok: false; retryAfterMs: number } {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    // A cost above the capacity could never pass; it is charged as a full bucket instead.
    const c = Math.min(cost, this.capacity);
    if (this.tokens >= c) {
      this.tokens -= c;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((c - this.tokens) / this.perSecond) * 1000) };
  }
}

/** Token buckets by key (e.g. one per user), forgotten when unused for a while. */
export class KeyedBuckets {
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: 100_000, ttl: 10 * 60_000 });

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {}

  /** The bucket of a key (created full). */
  get(key: string): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.capacity, this.perSecond);
      this.buckets.set(key, b);
    }
    return b;
  }
}

/** Counted slots by key: at most `max` held at once per key. */
export class SlotCounter {
  private readonly held = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A release function if a slot was free, else undefined. Releasing twice is harmless. */
  acquire(key: string): (() => void) | undefined {
    const n = this.held.get(key) ?? 0;
    if (n >= this.max) return undefined;
    this.held.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left <= 0) this.held.delete(key);
      else this.held.set(key, left);
    };
  }

  /** Slots held for a key. */
  count(key: string): number {
    return this.held.get(key) ?? 0;
  }
}
