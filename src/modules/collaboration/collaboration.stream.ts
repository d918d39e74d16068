/**
 * One socket's ordered view of a session's change log: every change exactly once, in sequence
 * order. Live changes come from pub/sub; a gap (a lost or reordered message, a reconnect with
 * `last_sequence`) is filled from the database before anything newer is sent.
 */

import { presentChange } from './collaboration.presenter.ts';
import type { ChangeRow } from './collaboration.repository.ts';

/** A change as it arrives live: its sequence, its origin and the message to send. */
export interface LiveChange {
  sequence: number;
  origin: string | null;
  message: Record<string, unknown>;
  /** The message serialised once for every socket of the process. */
  text?: string;
}

export interface StreamIo {
  /** Changes after `after`, in order (at most `limit`), and the oldest sequence still kept. */
  fetch(after: number, limit: number): Promise<{ rows: ChangeRow[]; first: number | undefined }>;
  /** Whether a change was caused by this socket (it is acknowledged, not broadcast back). */
  isOwn(origin: string | null): boolean;
  /** Sends text; false when the socket can take no more. */
  sendText(text: string): boolean;
  /** The retention trimmed changes the client still needs: it must reload the budget. */
  trimmed(lastSequence: number): void;
  failed(error: unknown): void;
}

const BATCH = 500;

export class ChangeStream {
  private catchingUp = false;
  private buffer: LiveChange[] = [];
  private stopped = false;

  constructor(
    private readonly io: StreamIo,
    /** The last sequence sent to the client. */
    public delivered: number,
  ) {}

  /** Replays everything after `lastSequence`, then continues live. */
  resume(lastSequence: number): void {
    this.delivered = lastSequence;
    void this.catchUp();
  }

  /** A live change from pub/sub. */
  offer(change: LiveChange): void {
    if (this.stopped) return;
    if (this.catchingUp) {
      this.buffer.push(change);
      return;
    }
    if (change.sequence <= this.delivered) return;
    if (change.sequence === this.delivered + 1) {
      this.emit(change);
      return;
    }
    this.buffer.push(change);
    void this.catchUp();
  }

  stop(): void {
    this.stopped = true;
    this.buffer = [];
  }

  private async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      for (;;) {
        for (;;) {
          const { rows, first } = await this.io.fetch(this.delivered, BATCH);
          if (this.stopped) return;
          if (first !== undefined && first > this.delivered + 1) {
            this.stop();
            this.io.trimmed(this.delivered);
            return;
          }
          for (const row of rows) {
            if (row.sequence !== this.delivered + 1) continue;
            if (!this.emit({ sequence: row.sequence, origin: row.origin, message: presentChange(row) }))
              return;
          }
          if (rows.length < BATCH) break;
        }
        // Live changes that arrived meanwhile: send those that follow on; a new gap loops again.
        const pending = this.buffer.sort((a, b) => a.sequence - b.sequence);
        this.buffer = [];
        let gap = false;
        for (const [i, c] of pending.entries()) {
          if (c.sequence <= this.delivered) continue;
          if (c.sequence !== this.delivered + 1) {
            this.buffer.push(...pending.slice(i));
            gap = true;
            break;
          }
          if (!this.emit(c)) return;
        }
        if (!gap) return;
      }
    } catch (error) {
      this.io.failed(error);
    } finally {
      this.catchingUp = false;
    }
  }

  /** Sends one change (an ack to its own sender); false when the socket can take no more. */
  private emit(change: LiveChange): boolean {
    let text: string;
    if (this.io.isOwn(change.origin)) {
      text = JSON.stringify({
        type: 'ack',
        client_msg_id: ackId(change.origin),
        sequence: change.sequence,
        change: change.message,
      });
    } else {
      // The same live object reaches every socket of the process: serialise it once.
      change.text ??= JSON.stringify(change.message);
      text = change.text;
    }
    if (!this.io.sendText(text)) {
      this.stop();
      return false;
    }
    this.delivered = change.sequence;
    return true;
  }
}

/** Origins of socket messages are `ws:<connection id>:<client_msg_id>`. */
export const socketOrigin = (connectionId: string, clientMsgId: string | undefined) =>
  `ws:${connectionId}:${clientMsgId ?? ''}`;

function ackId(origin: string | null): string | null {
  const id = origin?.split(':').slice(2).join(':');
  return id ? id : null;
}
