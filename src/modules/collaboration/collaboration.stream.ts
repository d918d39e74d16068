/**
 * One socket's ordered view of a session's change log: every change exactly once, in sequence
 * order. Live changes come from pub/sub; a gap (a lost or reordered message, a reconnect with
 * `last_sequence`) is filled from the database before anything newer is sent.
 */

import type { DepartmentCodes } from '../../platform/tenancy/scope-keys.ts';
import { presentChange } from './collaboration.presenter.ts';
import type { ChangeRow } from './collaboration.repository.ts';
import { visibleChange } from './collaboration.visibility.ts';

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
  /** Whether the client asked for `changes` frames (several changes in one frame). */
  batchFrames?: boolean;
  /**
   * The recipient's department codes (null: unrestricted). A scoped recipient gets placeholders
   * for other departments' changes (collaboration.visibility.ts), never the shared frames.
   */
  codes?: () => DepartmentCodes;
}

/** Consecutive live changes of one transaction, as one pub/sub message shared by every socket. */
export interface LiveBatch {
  items: LiveChange[];
  /** The `changes` frame serialised once for every socket that is not their origin. */
  text?: string;
}

/** A `changes` frame: the messages it carries, each as it would have been sent alone. */
const changesFrame = (texts: string[]) => `{"type":"changes","changes":[${texts.join(',')}]}`;

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

  /** Live consecutive changes (a batch): one frame when the client takes `changes` frames. */
  offerMany(batch: LiveBatch): void {
    if (this.stopped) return;
    const { items } = batch;
    const contiguous = items.every((c, i) => c.sequence === items[0]!.sequence + i);
    if (
      !this.io.batchFrames ||
      this.catchingUp ||
      items.length < 2 ||
      !contiguous ||
      items[0]!.sequence !== this.delivered + 1
    ) {
      for (const c of items) this.offer(c);
      return;
    }
    let text: string;
    if (this.scoped() || items.some((c) => this.io.isOwn(c.origin)))
      text = changesFrame(items.map((c) => this.textOf(c)));
    else text = batch.text ??= changesFrame(items.map((c) => this.textOf(c)));
    if (!this.io.sendText(text)) {
      this.stop();
      return;
    }
    this.delivered = items.at(-1)!.sequence;
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
    if (!this.io.sendText(this.textOf(change))) {
      this.stop();
      return false;
    }
    this.delivered = change.sequence;
    return true;
  }

  /** The frame of one change: an ack for its own sender, else the change (serialised once per process). */
  private textOf(change: LiveChange): string {
    if (this.io.isOwn(change.origin)) {
      return JSON.stringify({
        type: 'ack',
        client_msg_id: ackId(change.origin),
        sequence: change.sequence,
        change: change.message,
      });
    }
    const codes = this.io.codes?.() ?? null;
    if (codes !== null) {
      const visible = visibleChange(change.message, codes);
      if (visible !== change.message) return JSON.stringify(visible);
    }
    // The same live object reaches every socket of the process: serialise it once.
    change.text ??= JSON.stringify(change.message);
    return change.text;
  }

  private scoped(): boolean {
    return (this.io.codes?.() ?? null) !== null;
  }
}

/** Origins of socket messages are `ws:<connection id>:<client_msg_id>`. */
export const socketOrigin = (connectionId: string, clientMsgId: string | undefined) =>
  `ws:${connectionId}:${clientMsgId ?? ''}`;

function ackId(origin: string | null): string | null {
  const id = origin?.split(':').slice(2).join(':');
  return id ? id : null;
}
