/**
 * Slow clients and retention over real sockets: a client that stops reading overflows its bounded
 * send queue and is told to resync (4008) while the others get every change in order; a reconnect
 * asking for trimmed changes is told to reload.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { join, listen, type Msg, type TestSocket } from '../../../test/helpers/ws-client.ts';

const QUEUE_BYTES = 256 * 1024;
// Each broadcast carries about this much: under the queue bound, so a reading client never overflows.
const BLOB = 'x'.repeat(100_000);

/** The underlying TCP socket of a client: pausing it stops reading, so the server's queue grows. */
const tcp = (s: TestSocket) => (s.ws as unknown as { _socket: Socket })._socket;

const sequences = (messages: Msg[], type: string) =>
  messages.filter((m) => m.type === type).map((m) => m.sequence as number);

/** A budget with a line and a session on it created by `owner`, joined by the others. */
async function session(t: TestApp, owner: string, others: Record<string, string>) {
  const budget = (await t.call('POST', '/budgets', owner, budgetBody({ budget_lines: [lineBody()] }))).json();
  const s = await t.call('POST', '/collaboration/sessions', owner, {
    session_name: 'Live',
    budget_id: budget.budget_id,
  });
  expect(s.statusCode).toBe(201);
  const sessionId = s.json().session_id as string;
  for (const [token, role] of Object.entries(others))
    expect(
      (await t.call('POST', `/collaboration/sessions/${sessionId}/join`, token, { role })).statusCode,
    ).toBe(200);
  return { sessionId, budgetId: budget.budget_id as string };
}

// These suites flood a session on purpose: the abuse limits (collaboration.limits.test.ts) are lifted.
const UNLIMITED = {
  COLLABORATION_SOCKET_MESSAGES_PER_SECOND: '100000',
  COLLABORATION_SOCKET_BYTES_PER_SECOND: '1073741824',
  COLLABORATION_USER_MESSAGES_PER_SECOND: '100000',
  COLLABORATION_USER_WRITES_PER_MINUTE: '1000000',
  COLLABORATION_SESSION_MAX_REQUEST_BYTES: '68719476736',
};

describe.each(backends())('slow clients on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let alice: string;
  let bob: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      COLLABORATION_SEND_QUEUE_BYTES: String(QUEUE_BYTES),
      COLLABORATION_MAX_MESSAGE_BYTES: String(QUEUE_BYTES),
      ...UNLIMITED,
    });
    base = await listen(t);
    alice = await t.token(tenant, { user: 'alice', roles: ['planner'] });
    bob = await t.token(tenant, { user: 'bob', roles: ['planner'] });
    viewer = await t.token(tenant, { user: 'victor', roles: ['viewer'] });
  });
  afterAll(() => t?.close());

  /** Whether the server has started closing one of its sockets (it called close on it). */
  const serverClosingOne = () =>
    [...t.app.websocketServer.clients].some((c) => c.readyState === WebSocket.CLOSING);

  it('a client that stops reading gets resync_required and 4008; the others get every change in order', async () => {
    const { sessionId } = await session(t, alice, { [bob]: 'editor', [viewer]: 'viewer' });
    const sender = await join(base, sessionId, alice);
    const fast = await join(base, sessionId, bob);
    const slow = await join(base, sessionId, viewer);
    await fast.nextOf('user_joined', (m) => m.user_id === 'victor');
    tcp(slow).pause();

    const acked: number[] = [];
    const request = async (i: number) => {
      sender.send({
        type: 'change_request',
        description: `request ${i}`,
        proposed_changes: { blob: BLOB, i },
        client_msg_id: `r${i}`,
      });
      const ack = await sender.nextOf('ack', (m) => m.client_msg_id === `r${i}`);
      acked.push(ack.sequence);
      // The fast client has it: every socket of the room was offered it (one synchronous fan-out).
      await fast.nextOf('change_request', (m) => m.sequence === ack.sequence);
    };

    // Until the kernel's buffers and then the slow socket's queue are full; bounded, never timed.
    let i = 0;
    while (!serverClosingOne()) {
      expect(i, 'the slow client never overflowed').toBeLessThan(2000);
      await request(++i);
    }
    const overflowedAt = acked.at(-1)!;
    // The others keep receiving after the slow one was dropped.
    for (let k = 0; k < 3; k++) await request(++i);

    tcp(slow).resume();
    expect(await slow.closed).toMatchObject({ code: 4008 });
    const resync = slow.all('resync_required');
    expect(resync).toHaveLength(1);
    const slowSeen = sequences(slow.messages, 'change_request');
    // What it got is a gapless prefix, and resync_required names the last of it.
    expect(slowSeen).toEqual(acked.slice(0, slowSeen.length));
    expect(resync[0]!.last_sequence).toBe(slowSeen.at(-1) ?? acked[0]! - 1);
    expect(resync[0]!.last_sequence).toBeLessThan(overflowedAt);
    expect(slow.messages.at(-1)!.type).toBe('resync_required');

    // Every change reached the fast client exactly once, in order, with no gap.
    expect(sequences(fast.messages, 'change_request')).toEqual(acked);
    for (const [k, s] of acked.entries()) if (k > 0) expect(s).toBe(acked[k - 1]! + 1);
    expect(fast.all('resync_required')).toHaveLength(0);
    await fast.roundTrip();
    expect(await fast.nextOf('user_left')).toMatchObject({ user_id: 'victor' });

    // Reconnecting with its last sequence, it gets the rest in order, then live changes.
    const again = await join(base, sessionId, viewer, `?last_sequence=${resync[0]!.last_sequence}`);
    await again.nextOf('change_request', (m) => m.sequence === acked.at(-1));
    expect(sequences(again.messages, 'change_request')).toEqual(acked.slice(slowSeen.length));
    await request(++i);
    await again.nextOf('change_request', (m) => m.sequence === acked.at(-1));

    await Promise.all([sender.close(), fast.close(), again.close()]);
  });
});

describe.each(backends())('change-log retention on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp(backend, { COLLABORATION_CHANGE_RETENTION: '5', ...UNLIMITED });
    base = await listen(t);
    alice = await t.token(tenant, { user: 'alice', roles: ['planner'] });
  });
  afterAll(() => t?.close());

  it('a reconnect asking for trimmed changes gets resync_required (trimmed) and 4008; a kept one resumes', async () => {
    const { sessionId } = await session(t, alice, {});
    const a = await join(base, sessionId, alice);
    // Trimming runs every 100th change of a session.
    for (let i = 1; i <= 100; i++)
      a.send({ type: 'change_request', description: `request ${i}`, client_msg_id: `r${i}` });
    const last = (await a.nextOf('ack', (m) => m.client_msg_id === 'r100')).sequence as number;
    await a.close();

    const log = (
      await t.call('GET', `/collaboration/sessions/${sessionId}/changes?after_sequence=0`, alice)
    ).json();
    expect(log.last_sequence).toBe(last);
    expect(log.first_available_sequence).toBe(last - 4);
    expect(log.items.map((c: Msg) => c.sequence)).toEqual([last - 4, last - 3, last - 2, last - 1, last]);

    const behind = await join(base, sessionId, alice, '?last_sequence=1');
    expect(await behind.nextOf('resync_required')).toMatchObject({ last_sequence: 1, reason: 'trimmed' });
    expect(await behind.closed).toMatchObject({ code: 4008 });
    expect(behind.all('change_request')).toHaveLength(0);

    const kept = await join(base, sessionId, alice, `?last_sequence=${last - 5}`);
    await kept.nextOf('change_request', (m) => m.sequence === last);
    expect(sequences(kept.messages, 'change_request')).toEqual([
      last - 4,
      last - 3,
      last - 2,
      last - 1,
      last,
    ]);
    expect(kept.all('resync_required')).toHaveLength(0);
    await kept.close();
  });
});
