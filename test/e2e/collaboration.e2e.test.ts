/** Black-box: collaboration sessions over REST and live edits over real WebSockets (`ws`). */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect, join, type TestSocket } from '../helpers/ws-client.ts';
import {
  API,
  createUserAndLogin,
  type E2eServer,
  e2eBackends,
  printOutputOnFailure,
  START_TIMEOUT_MS,
  startServer,
} from './server.ts';

const YEAR = String(new Date().getUTCFullYear() + 1);

describe.each(e2eBackends())('collaboration over WebSocket on %s', (backend) => {
  let s: E2eServer;
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string };
  let budgetId: string;
  let lineId: string;
  let sessionId: string;
  const sockets: TestSocket[] = [];
  printOutputOnFailure(() => s);

  beforeAll(async () => {
    s = await startServer(backend, { redisDb: 5 });
    const admin = await s.token();
    alice = await createUserAndLogin(s, admin, ['planner']);
    bob = await createUserAndLogin(s, admin, ['planner']);
    const b = await s.call('POST', '/budgets', {
      token: alice.token,
      json: {
        budget_name: 'Shared budget',
        budget_type: 'annual',
        fiscal_year: YEAR,
        total_amount: '5000.00',
        base_currency: 'USD',
        budget_lines: [{ line_name: 'Travel', line_type: 'expense', category: 'travel', amount: '1200.00' }],
      },
    });
    budgetId = b.json.budget_id;
    lineId = (await s.call('GET', `/budgets/${budgetId}/lines`, { token: alice.token })).json.items[0]
      .line_id;
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    for (const socket of sockets) if (socket.ws.readyState === WebSocket.OPEN) socket.ws.terminate();
    await s?.stop();
  });

  const track = (socket: TestSocket) => {
    sockets.push(socket);
    return socket;
  };

  it('creates a session over REST; the second user joins as editor', async () => {
    const created = await s.call('POST', '/collaboration/sessions', {
      token: alice.token,
      json: { session_name: 'Planning call', budget_id: budgetId, max_participants: 5 },
    });
    expect(created.status, created.text).toBe(201);
    sessionId = created.json.session_id;
    expect(created.json.websocket_url).toContain(`${API}/ws/collaboration/${sessionId}`);
    const joined = await s.call('POST', `/collaboration/sessions/${sessionId}/join`, {
      token: bob.token,
      json: { role: 'editor', user_name: 'Bob' },
    });
    expect(joined.status, joined.text).toBe(200);
    expect(joined.json).toMatchObject({ role: 'editor', last_sequence: 0 });
  });

  it('an edit on one socket is a real write, acknowledged, and the other client sees it live', async () => {
    const a = track(await join(s.wsUrl, sessionId, alice.token));
    // Bob authenticates like a browser: no header, the token in the first message.
    const b = track(await connect(s.wsUrl, sessionId, undefined));
    b.send({ type: 'auth', token: bob.token, last_sequence: 0 });
    const welcome = await b.nextOf('welcome');
    expect(welcome).toMatchObject({
      session_id: sessionId,
      user_id: bob.userId,
      role: 'editor',
      last_sequence: 0,
    });
    await a.nextOf('user_joined', (m) => m.user_id === bob.userId);

    a.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '2500.00' },
      version: 1,
      client_msg_id: 'e1',
    });
    const ack = await a.nextOf('ack', (m) => m.client_msg_id === 'e1');
    expect(ack.sequence).toBe(1);
    const seen = await b.nextOf('budget_line_updated');
    expect(seen).toMatchObject({ sequence: 1, user_id: alice.userId, target_id: lineId, version: 2 });
    expect(seen.line.amount).toBe('2500.00');
    const line = await s.call('GET', `/budgets/${budgetId}/lines`, { token: bob.token });
    expect(line.json.items[0]).toMatchObject({ amount: '2500.00', version: 2 });
    const totals = await s.call('GET', `/budgets/${budgetId}`, { token: bob.token });
    expect(totals.json.totals.expense).toBe('2500.00');

    // A stale version is refused with the current line (optimistic locking).
    b.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '1.00' },
      version: 1,
      client_msg_id: 'b1',
    });
    const conflict = await b.nextOf('conflict_detected', (m) => m.client_msg_id === 'b1');
    expect(conflict).toMatchObject({ resolution: 'rejected', current_version: 2 });
    expect(conflict.current.amount).toBe('2500.00');
    await b.close();
    await a.close();
  });

  it('a client that reconnects with last_sequence gets the changes it missed, in order, then live ones', async () => {
    const a = track(await join(s.wsUrl, sessionId, alice.token));
    a.send({
      type: 'budget_line_edit',
      target_id: lineId,
      changes: { amount: '2600.10' },
      version: 2,
      client_msg_id: 'e2',
    });
    expect((await a.nextOf('ack', (m) => m.client_msg_id === 'e2')).sequence).toBe(2);
    const comment = await s.call('POST', `/budgets/${budgetId}/comments`, {
      token: alice.token,
      json: { body: 'Check travel', line_id: lineId },
    });
    expect(comment.status, comment.text).toBe(201);

    const b = track(await connect(s.wsUrl, sessionId, bob.token, '?last_sequence=1'));
    const welcome = await b.nextOf('welcome');
    expect(welcome.resume_from).toBe(1);
    const replayed = [
      await b.next((m) => typeof m.sequence === 'number'),
      await b.next((m) => typeof m.sequence === 'number'),
    ];
    expect(replayed.map((m) => [m.sequence, m.type])).toEqual([
      [2, 'budget_line_updated'],
      [3, 'comment_added'],
    ]);
    expect(replayed[0]!.line.amount).toBe('2600.10');
    expect(replayed[1]!.comment.body).toBe('Check travel');

    // Then live: a REST update of the line reaches both sockets.
    const put = await s.call('PUT', `/budgets/${budgetId}/lines/${lineId}`, {
      token: alice.token,
      json: { version: 3, amount: '99.99' },
    });
    expect(put.status, put.text).toBe(200);
    const live = await b.nextOf('budget_line_updated', (m) => m.sequence === 4);
    expect(live.line.amount).toBe('99.99');
    await a.nextOf('budget_line_updated', (m) => m.sequence === 4);

    const changes = await s.call('GET', `/collaboration/sessions/${sessionId}/changes?after_sequence=0`, {
      token: bob.token,
    });
    expect(changes.status, changes.text).toBe(200);
    expect(changes.json.last_sequence).toBe(4);
    await b.close();
    await a.close();
  });

  it('a socket with a bad token or of a non-participant is closed with the documented code', async () => {
    const forged = track(await connect(s.wsUrl, sessionId, `${alice.token.slice(0, -4)}AAAA`));
    expect((await forged.closed).code).toBe(4001);
    const carol = await s.token({ user: 'carol', roles: ['planner'] });
    const outsider = track(await connect(s.wsUrl, sessionId, carol));
    expect((await outsider.closed).code).toBe(4003);
  });
});
