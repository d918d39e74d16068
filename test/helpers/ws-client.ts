/** A WebSocket test client: records every message and waits on messages, never on time. */
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { API_PREFIX } from '../../src/platform/http/types.ts';
import type { TestApp } from './app.ts';

// biome-ignore lint/suspicious/noExplicitAny: test messages are free-form JSON
export type Msg = Record<string, any>;

interface Waiter {
  match: (m: Msg) => boolean;
  resolve: (m: Msg) => void;
  reject: (e: Error) => void;
}

export class TestSocket {
  readonly messages: Msg[] = [];
  private readonly consumed = new Set<number>();
  private readonly waiters: Waiter[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.waiters.splice(0))
          w.reject(new Error(`socket closed (${code} ${reason.toString()}) while waiting`));
      });
    });
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Msg;
      this.messages.push(m);
      const i = this.waiters.findIndex((w) => w.match(m));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        this.consumed.add(this.messages.length - 1);
        w!.resolve(m);
      }
    });
  }

  /** The first message not yet taken that matches (waits for it if need be); takes it. */
  next(match: (m: Msg) => boolean = () => true): Promise<Msg> {
    for (let i = 0; i < this.messages.length; i++) {
      const m = this.messages[i]!;
      if (!this.consumed.has(i) && match(m)) {
        this.consumed.add(i);
        return Promise.resolve(m);
      }
    }
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  /** The next message of a type. */
  nextOf(type: string, match: (m: Msg) => boolean = () => true): Promise<Msg> {
    return this.next((m) => m.type === type && match(m));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a ping and waits for its pong: everything the server sent before is then here. */
  async roundTrip(): Promise<void> {
    const id = `rt-${Math.random()}`;
    this.send({ type: 'ping', client_msg_id: id });
    await this.nextOf('pong', (m) => m.client_msg_id === id);
  }

  /** Received messages of a type (all of them, not only after the cursor). */
  all(type: string): Msg[] {
    return this.messages.filter((m) => m.type === type);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close(1000, 'bye');
    return this.closed;
  }
}

/** The base ws:// URL of a listening test app. */
export async function listen(t: TestApp): Promise<string> {
  const address = t.app.server.address() as AddressInfo | null;
  if (address) return `ws://127.0.0.1:${address.port}`;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

/** Opens a socket to a session with the token in the Authorization header. */
export async function connect(
  base: string,
  sessionId: string,
  token: string | undefined,
  query = '',
): Promise<TestSocket> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const s = new TestSocket(
    new WebSocket(`${base}${API_PREFIX}/ws/collaboration/${sessionId}${query}`, { headers }),
  );
  await s.opened;
  return s;
}

/** Connects and waits for the welcome (and presence) messages. */
export async function join(base: string, sessionId: string, token: string, query = ''): Promise<TestSocket> {
  const s = await connect(base, sessionId, token, query);
  await s.nextOf('welcome');
  await s.nextOf('presence');
  return s;
}
