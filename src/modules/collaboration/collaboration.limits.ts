/**
 * The collaboration socket's abuse limits (docs/collaboration.md, "Limits"): rate buckets per
 * socket and per user, stored-message buckets per user, socket caps per user and session and
 * per client address before authentication. One instance per app, shared by its sockets.
 */
import type { AppConfig } from '../../config/env.ts';
import { KeyedBuckets, SlotCounter, TokenBucket } from '../../platform/ws/limits.ts';

/** Which limit refused a message (the `limit` field of a `rate_limited` error). */
export type LimitName = 'socket_messages' | 'socket_bytes' | 'user_messages' | 'user_writes';

/** A refused message: which limit, and when to try again. */
export interface Refusal {
  limit: LimitName;
  retryAfterMs: number;
}

/** The buckets of one socket. */
export interface SocketBuckets {
  messages: TokenBucket;
  bytes: TokenBucket;
  /** Refusals left before the socket is closed for abuse; one comes back per second. */
  strikes: TokenBucket;
}

/** Message types that store something (a change-log row, a comment). */
export const STORED_MESSAGE_TYPES: ReadonlySet<string> = new Set(['comment_added', 'change_request']);

export class CollaborationLimits {
  /** Sockets not yet authenticated, by client address. */
  readonly unauthenticated: SlotCounter;
  /** Authenticated sockets, by tenant, session and user. */
  readonly sockets: SlotCounter;
  private readonly userMessages: KeyedBuckets;
  private readonly userWrites: KeyedBuckets;

  constructor(private readonly config: AppConfig) {
    this.unauthenticated = new SlotCounter(config.COLLABORATION_MAX_UNAUTHENTICATED_PER_ADDRESS);
    this.sockets = new SlotCounter(config.COLLABORATION_MAX_SOCKETS_PER_USER);
    const perUser = config.COLLABORATION_USER_MESSAGES_PER_SECOND;
    this.userMessages = new KeyedBuckets(perUser * 2, perUser);
    const writes = config.COLLABORATION_USER_WRITES_PER_MINUTE;
    this.userWrites = new KeyedBuckets(Math.max(1, Math.floor(writes / 2)), writes / 60);
  }

  /** Fresh buckets for a new socket. */
  socketBuckets(): SocketBuckets {
    const c = this.config;
    const rate = c.COLLABORATION_SOCKET_MESSAGES_PER_SECOND;
    const bytes = c.COLLABORATION_SOCKET_BYTES_PER_SECOND;
    const strikes = c.COLLABORATION_RATE_LIMIT_STRIKES;
    return {
      messages: new TokenBucket(rate * 2, rate),
      bytes: new TokenBucket(Math.max(bytes * 2, c.COLLABORATION_MAX_MESSAGE_BYTES), bytes),
      strikes: new TokenBucket(strikes, 1),
    };
  }

  /** Checks one received message against the socket's and (once known) the user's buckets. */
  admitMessage(buckets: SocketBuckets, bytes: number, userKey: string | undefined): Refusal | undefined {
    const m = buckets.messages.take();
    if (!m.ok) return { limit: 'socket_messages', retryAfterMs: m.retryAfterMs };
    const b = buckets.bytes.take(bytes);
    if (!b.ok) return { limit: 'socket_bytes', retryAfterMs: b.retryAfterMs };
    if (userKey === undefined) return undefined;
    const u = this.userMessages.get(userKey).take();
    if (!u.ok) return { limit: 'user_messages', retryAfterMs: u.retryAfterMs };
    return undefined;
  }

  /** Checks a message that stores something against the user's write bucket. */
  admitWrite(userKey: string): Refusal | undefined {
    const w = this.userWrites.get(userKey).take();
    return w.ok ? undefined : { limit: 'user_writes', retryAfterMs: w.retryAfterMs };
  }
}
