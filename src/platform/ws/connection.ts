/**
 * One WebSocket with the gateway's safety rules: text frames only, a size limit answered with an
 * error (not a disconnect), an idle timeout, and a bounded send queue so that one slow client
 * never holds memory or stalls the others.
 */
import { v7 as uuidv7 } from 'uuid';
import type { RawData, WebSocket } from 'ws';

export interface ConnectionLimits {
  maxMessageBytes: number;
  idleTimeoutMs: number;
  /** Bytes that may wait in the socket's send buffer before the client counts as too slow. */
  sendQueueBytes: number;
}

export interface ConnectionEvents {
  /** A text message within the size limit. */
  message(text: string): void;
  /** A frame the rules refuse (binary, too large); the connection stays open. */
  refused(code: 'binary_not_supported' | 'message_too_large', message: string): void;
  /** The send queue overflowed; the owner decides what to tell the client. */
  overflow(): void;
  idle(): void;
  closed(code: number, reason: string): void;
}

const OPEN = 1;

export class SocketConnection {
  readonly id = uuidv7();
  private idleTimer: NodeJS.Timeout | undefined;
  private overflowed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: ConnectionLimits,
    private readonly events: ConnectionEvents,
  ) {
    ws.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => {
      clearTimeout(this.idleTimer);
      events.closed(code, reason.toString());
    });
    // A socket error is followed by 'close'; without a listener it would crash the process.
    ws.on('error', () => {});
    this.touch();
  }

  get isOpen(): boolean {
    return this.ws.readyState === OPEN;
  }

  /** Bytes waiting to be written to the client. */
  get queuedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** Sends a JSON message; false when the socket is closed or its queue is over the bound. */
  send(message: object): boolean {
    return this.sendText(JSON.stringify(message));
  }

  /** Sends pre-serialised JSON (one serialisation per broadcast, not per socket). */
  sendText(text: string): boolean {
    if (!this.isOpen || this.overflowed) return false;
    if (this.ws.bufferedAmount + text.length > this.limits.sendQueueBytes) {
      this.overflowed = true;
      this.events.overflow();
      return false;
    }
    this.ws.send(text);
    return true;
  }

  /** Sends one last message past the queue bound (e.g. "catch up from sequence N") and closes. */
  closeWith(code: number, reason: string, last?: object): void {
    if (last && this.isOpen) this.ws.send(JSON.stringify(last));
    this.close(code, reason);
  }

  close(code: number, reason: string): void {
    clearTimeout(this.idleTimer);
    if (this.ws.readyState <= OPEN) this.ws.close(code, reason);
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.events.idle(), this.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private receive(data: RawData, isBinary: boolean): void {
    this.touch();
    if (isBinary) {
      this.events.refused('binary_not_supported', 'Messages must be JSON text frames');
      return;
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (buf.length > this.limits.maxMessageBytes) {
      this.events.refused(
        'message_too_large',
        `Messages may be at most ${this.limits.maxMessageBytes} bytes`,
      );
      return;
    }
    this.events.message(buf.toString('utf8'));
  }
}
