/**
 * Publish/subscribe between server processes: Redis when REDIS_URL is set, in-process
 * otherwise; one interface. Delivery is at most once and, per publisher, in order; consumers
 * that need every message (the collaboration change log) number them and fill gaps themselves.
 */
import { DependencyUnavailableError } from '../http/errors.ts';
import type { RedisMonitor } from '../redis/redis.ts';

export type MessageHandler = (message: string) => void;

export interface PubSub {
  /** Sends a message to every subscriber of the channel, in every process. */
  publish(channel: string, message: string): Promise<void>;
  /** Starts receiving a channel's messages; the returned function stops it. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
  /** False while messages cannot reach other processes (Redis down). */
  available(): boolean;
  /**
   * Calls `fn` when delivery between processes works again after an outage: messages published
   * meanwhile were lost, so consumers catch up from their durable source.
   */
  onRecovered(fn: () => void): void;
  close(): Promise<void>;
}

/** Handlers per channel; shared by both adapters. */
class Subscribers {
  private readonly byChannel = new Map<string, Set<MessageHandler>>();

  /** Adds a handler; true when it is the channel's first. */
  add(channel: string, handler: MessageHandler): boolean {
    let set = this.byChannel.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.byChannel.set(channel, set);
    }
    set.add(handler);
    return first;
  }

  /** Removes a handler; true when the channel has none left. */
  remove(channel: string, handler: MessageHandler): boolean {
    const set = this.byChannel.get(channel);
    if (!set) return false;
    set.delete(handler);
    if (set.size > 0) return false;
    this.byChannel.delete(channel);
    return true;
  }

  deliver(channel: string, message: string): void {
    const set = this.byChannel.get(channel);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(message);
      } catch {
        // One failing subscriber must not starve the others.
      }
    }
  }

  clear(): void {
    this.byChannel.clear();
  }
}

/** In-process pub/sub (one process; tests may share one between several apps). */
export function createMemoryPubSub(): PubSub {
  const subs = new Subscribers();
  return {
    publish: async (channel, message) => {
      // Asynchronous like Redis, so that publishers never re-enter their subscribers.
      queueMicrotask(() => subs.deliver(channel, message));
    },
    subscribe: async (channel, handler) => {
      subs.add(channel, handler);
      return async () => {
        subs.remove(channel, handler);
      };
    },
    available: () => true,
    onRecovered: () => {},
    close: async () => subs.clear(),
  };
}

/**
 * Redis pub/sub shared by every process; channels are namespaced by `prefix`. While Redis is
 * down, publishing still reaches this process's own subscribers (one-process deployments keep
 * working) and then fails; subscribing fails at once with a 503 naming Redis; channels already
 * subscribed are re-subscribed by ioredis on reconnect, and `onRecovered` listeners run.
 */
export function createRedisPubSub(monitor: RedisMonitor, prefix = 'bf:'): PubSub {
  // A subscribed Redis connection can do nothing else: one connection publishes, one listens.
  const pub = monitor.connect('pubsub');
  const sub = monitor.connect('pubsub-subscriber');
  const subs = new Subscribers();
  const recovered = new Set<() => void>();
  let lost = false;
  sub.on('close', () => {
    lost = true;
  });
  sub.on('ready', () => {
    if (!lost) return;
    lost = false;
    for (const fn of recovered) fn();
  });
  // A channel's SUBSCRIBE in flight: later subscribers wait for it too.
  const ready = new Map<string, Promise<unknown>>();
  sub.on('message', (channel: string, message: string) => {
    subs.deliver(channel.slice(prefix.length), message);
  });
  return {
    publish: async (channel, message) => {
      try {
        if (pub.status !== 'ready') throw new DependencyUnavailableError('Redis', 'collaboration fan-out');
        await pub.publish(prefix + channel, message);
      } catch (error) {
        // Consumers drop duplicates (sequence numbers) if the message did reach Redis after all.
        subs.deliver(channel, message);
        throw error;
      }
    },
    subscribe: async (channel, handler) => {
      if (subs.add(channel, handler)) ready.set(channel, sub.subscribe(prefix + channel));
      try {
        await ready.get(channel);
      } catch {
        if (subs.remove(channel, handler)) ready.delete(channel);
        throw new DependencyUnavailableError('Redis', 'collaboration fan-out');
      }
      return async () => {
        if (!subs.remove(channel, handler)) return;
        ready.delete(channel);
        await sub.unsubscribe(prefix + channel).catch(() => {});
      };
    },
    available: () => pub.status === 'ready' && sub.status === 'ready',
    onRecovered: (fn) => {
      recovered.add(fn);
    },
    close: async () => {
      subs.clear();
      recovered.clear();
      await Promise.all([pub.quit().catch(() => pub.disconnect()), sub.quit().catch(() => sub.disconnect())]);
    },
  };
}
