/**
 * The part of the `ws` package (installed with @fastify/websocket, which ships no typings for
 * it) that this service and its tests use. Replace with @types/ws if that is ever added.
 */
declare module 'ws' {
  import type { EventEmitter } from 'node:events';

  export type RawData = Buffer | ArrayBuffer | Buffer[];

  export interface ClientOptions {
    headers?: Record<string, string>;
    maxPayload?: number;
  }

  export interface ServerOptions {
    maxPayload?: number;
    perMessageDeflate?: boolean;
    [key: string]: unknown;
  }

  export class WebSocket extends EventEmitter {
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    constructor(address: string, options?: ClientOptions);
    readonly readyState: 0 | 1 | 2 | 3;
    /** Bytes queued by send() but not yet handed to the kernel. */
    readonly bufferedAmount: number;
    send(data: string | Buffer, cb?: (err?: Error) => void): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
    pause(): void;
    resume(): void;
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: ServerOptions, callback?: () => void);
    readonly clients: Set<WebSocket>;
    close(cb?: (err?: Error) => void): void;
  }
  export { WebSocketServer as Server };
  export default WebSocket;
}
