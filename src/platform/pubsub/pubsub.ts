/**
 * Publish/subscribe between server processes: Redis when REDIS_URL is set, in-process
 * otherwise; one interface. Delivery is at most once and, per publisher, in order; consumers
 * that need every message (the collaboration change log) number them and fill gaps themselves.
 */
import { Redis } from 'ioredis';

export type MessageHandler = (message: string) => void;

export interface PubSub {
  /** Sends a message to every subscriber of the channel, in every process. */
  publish(channel: string, message: string): Promise<void>;
  /** Starts receiving a channel's messages; the returned function stops it. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
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
    close: async () => subs.clear(),
  };
}

/** Redis pub/sub shared by every process; channels are namespaced by `prefix`. */
export function createRedisPubSub(url: string, prefix = 'bf:'): PubSub {
  // A subscribed Redis connection can do nothing else: one connection publishes, one listens.
  const pub = new Redis(url, { maxRetriesPerRequest: 2 });
  const sub = new Redis(url, { maxRetriesPerRequest: null });
  pub.on('error', () => {});
  sub.on('error', () => {});
  const subs = new Subscribers();
  // A channel's SUBSCRIBE in flight: later subscribers wait for it too.
  const ready = new Map<string, Promise<unknown>>();
  sub.on('message', (channel: string, message: string) => {
    subs.deliver(channel.slice(prefix.length), message);
  });
  return {
    publish: async (channel, message) => {
      await pub.publish(prefix + channel, message);
    },
    subscribe: async (channel, handler) => {
      if (subs.add(channel, handler)) ready.set(channel, sub.subscribe(prefix + channel));
      await ready.get(channel);
      return async () => {
        if (!subs.remove(channel, handler)) return;
        ready.delete(channel);
        await sub.unsubscribe(prefix + channel).catch(() => {});
      };
    },
    close: async () => {
      subs.clear();
      await Promise.all([pub.quit().catch(() => pub.disconnect()), sub.quit().catch(() => sub.disconnect())]);
    },
  };
}
