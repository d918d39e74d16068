/**
 * Rooms: the sockets of one process grouped by pub/sub channel. A process subscribes to a
 * channel once, parses each message once, and hands it to its local members.
 */
import type { PubSub } from '../pubsub/pubsub.ts';

/** A message as a room member receives it: parsed once, shared by every member. */
export type RoomMember = (message: unknown) => void;

interface Room {
  members: Set<RoomMember>;
  subscribed: Promise<() => Promise<void>>;
}

export class Rooms {
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly pubsub: PubSub) {}

  /** Adds a member; resolves once the channel is subscribed (no message after that is missed). */
  async join(channel: string, member: RoomMember): Promise<void> {
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
    await room.subscribed;
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
