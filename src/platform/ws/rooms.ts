/**
 * Rooms: the sockets of one process grouped by pub/sub channel. A process subscribes to a
 * channel once, parses each message once, and hands it to its local members.
 */
import { DependencyUnavailableError } from '../http/errors.ts';
import type { PubSub } from '../pubsub/pubsub.ts';

/** What every member receives when pub/sub works again after an outage: catch up from the source. */
export const RESYNC = Object.freeze({ kind: 'resync' as const });

/** A message as a room member receives it: parsed once, shared by every member. */
export type RoomMember = (message: unknown) => void;

interface Room {
  members: Set<RoomMember>;
  subscribed: Promise<() => Promise<void>>;
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly pubsub: PubSub) {
    // Messages published during the outage were lost: every member re-reads what it missed.
    pubsub.onRecovered(() => {
      for (const room of this.rooms.values()) for (const m of [...room.members]) m(RESYNC);
    });
  }

  /**
   * Adds a member; resolves once the channel is subscribed (no message after that is missed).
   * Throws DependencyUnavailableError (503) while pub/sub cannot reach other processes.
   */
  async join(channel: string, member: RoomMember): Promise<void> {
    if (!this.pubsub.available()) throw new DependencyUnavailableError('Redis', 'collaboration fan-out');
    let room = this.rooms.get(channel);
    if (!room) {
      const members = new Set<RoomMember>();
      const subscribed = this.pubsub.subscribe(channel, (text) => {
        let message: unknown;
        try {
          message = JSON.parse(text);
        } catch {
          return;
        }
        for (const m of [...members]) m(message);
      });
      room = { members, subscribed };
      this.rooms.set(channel, room);
    }
    room.members.add(member);
    try {
      await room.subscribed;
    } catch (error) {
      // A failed subscription must not stay cached: the next join subscribes again.
      room.members.delete(member);
      if (this.rooms.get(channel) === room) this.rooms.delete(channel);
      throw error;
    }
  }

  /** Removes a member; the channel is unsubscribed when its room empties. */
  async leave(channel: string, member: RoomMember): Promise<void> {
    const room = this.rooms.get(channel);
    if (!room) return;
    room.members.delete(member);
    if (room.members.size > 0) return;
    this.rooms.delete(channel);
    const unsubscribe = await room.subscribed.catch(() => undefined);
    await unsubscribe?.();
  }

  /** Local members of a channel. */
  size(channel: string): number {
    return this.rooms.get(channel)?.members.size ?? 0;
  }
}
