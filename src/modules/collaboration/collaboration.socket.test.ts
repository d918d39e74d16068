/** Real WebSocket clients against a listening server: live edits, comments, cursors, replay, attacks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { connect, join, listen, type TestSocket } from '../../../test/helpers/ws-client.ts';

describe.each(backends())('collaboration over WebSocket on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let alice: string;
  let bob: string;
  let viewer: string;

  beforeAll(async () => {
    // The replay test sends 200 edits at once, over the default message rate limit.
    t = await startTestApp(backend, {
      COLLABORATION_SOCKET_MESSAGES_PER_SECOND: '1000',
      COLLABORATION_USER_MESSAGES_PER_SECOND: '1000',
    });
    base = await listen(t);
    alice = await t.token(tenant, { user: 'alice', roles: ['planner'] });
    bob = await t.token(tenant, { user: 'bob', roles: ['planner'] });
    viewer = await t.token(tenant, { user: 'victor', roles: ['viewer'] });
  });
  afterAll(() => t?.close());

  /** A budget with one line, a session on it (strategy given) joined by bob as editor. */
  async function setup(strategy = 'optimistic_locking', lines = 1) {
    const b = await t.call(
      'POST',
      '/budgets',
      alice,
      budgetBody({ budget_lines: Array.from({ length: lines }, (_, i) => lineBody({ line_name: `L${i}` })) }),
    );
    const budget = b.json();
    const full = (await t.call('GET', `/budgets/${budget.budget_id}?include_lines=true`, alice)).json();
    const s = await t.call('POST', '/collaboration/sessions', alice, {
      session_name: 'Live',
      budget_id: budget.budget_id,
      conflict_strategy: strategy,
    });
    expect(s.statusCode).toBe(201);
    const session = s.json();
    expect(
      (await t.call('POST', `/collaboration/sessions/${session.session_id}/join`, bob, { role: 'editor' }))
        .statusCode,
    ).toBe(200);
    return {
      budgetId: budget.budget_id as string,
      sessionId: session.session_id as string,
      lineIds: full.budget_lines.map((l: { line_id: string }) => l.line_id) as string[],
    };
  }

  it('two editors see each other’s edits, cursors and comments; the sender gets an ack, not a broadcast', async () => {
    const { sessionId, lineIds, budgetId } = await setup();
    const a = await join(base, sessionId, alice);
    const b = await join(base, sessionId, bob);
    expect((await a.nextOf('user_joined')).user_id).toBe('bob');

    a.send({
      type: 'budget_line_edit',
      target_id: lineIds[0],
      changes: { amount: '2500.00' },
      version: 1,
      client_msg_id: 'e1',
    });
    const ack = await a.nextOf('ack', (m) => m.client_msg_id === 'e1');
    const seen = await b.nextOf('budget_line_updated');
    expect(seen).toMatchObject({
      target_id: lineIds[0],
      changes: { amount: '2500.00' },
      user_id: 'alice',
      version: 2,
    });
    expect(seen.sequence).toBe(ack.sequence);

    b.send({ type: 'cursor_position', target_id: lineIds[0], field: 'amount' });
    expect(await a.nextOf('cursor_position')).toMatchObject({ user_id: 'bob', field: 'amount' });

    b.send({ type: 'comment_added', body: 'Check this', line_id: lineIds[0], client_msg_id: 'c1' });
    const comment = await a.nextOf('comment_added');
    expect(comment.comment).toMatchObject({ body: 'Check this', line_id: lineIds[0], user_id: 'bob' });
    expect((await b.nextOf('ack', (m) => m.client_msg_id === 'c1')).sequence).toBe(comment.sequence);

    // Nothing came back to the senders as a broadcast.
    await a.roundTrip();
    await b.roundTrip();
    expect(a.all('budget_line_updated')).toHaveLength(0);
    expect(b.all('comment_added')).toHaveLength(0);
    expect(b.all('cursor_position')).toHaveLength(0);

    const listed = await t.call('GET', `/budgets/${budgetId}/comments?line_id=${lineIds[0]}`, alice);
    expect(listed.json().items.map((c: { body: string }) => c.body)).toEqual(['Check this']);
    const line = (await t.call('GET', `/budgets/${budgetId}/lines`, alice)).json().items[0];
    expect(line).toMatchObject({ amount: '2500.00', version: 2 });

    await b.close();
    expect((await a.nextOf('user_left')).user_id).toBe('bob');
    await a.close();
  });

  it('broadcasts REST edits and comments of a budget with an open session', async () => {
    const { sessionId, lineIds, budgetId } = await setup();
    const a = await join(base, sessionId, alice);
    const put = await t.call('PUT', `/budgets/${budgetId}/lines/${lineIds[0]}`, bob, {
      notes: 'via REST',
      version: 1,
    });
    expect(put.statusCode).toBe(200);
    expect(await a.nextOf('budget_line_updated')).toMatchObject({
      target_id: lineIds[0],
      changes: { notes: 'via REST' },
      user_id: 'bob',
    });
    const add = await t.call('POST', `/budgets/${budgetId}/lines`, bob, lineBody({ line_name: 'New' }));
    expect((await a.nextOf('budget_line_added')).line.line_id).toBe(add.json().line_id);
    const budgetPut = await t.call('PUT', `/budgets/${budgetId}`, bob, { notes: 'budget note', version: 1 });
    expect(budgetPut.statusCode).toBe(200);
    expect((await a.nextOf('budget_updated')).budget.notes).toBe('budget note');
    await t.call('POST', `/budgets/${budgetId}/comments`, bob, { body: 'From REST' });
    expect((await a.nextOf('comment_added')).comment.body).toBe('From REST');
    await a.close();
  });

  it('refuses a viewer’s edit with edit_error and changes nothing', async () => {
    const { sessionId, lineIds, budgetId } = await setup();
    expect(
      (await t.call('POST', `/collaboration/sessions/${sessionId}/join`, viewer, { role: 'viewer' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.call('POST', `/collaboration/sessions/${sessionId}/join`, viewer, { role: 'editor' }))
        .statusCode,
    ).toBe(403);
    const v = await join(base, sessionId, viewer);
    v.send({
      type: 'budget_line_edit',
      target_id: lineIds[0],
      changes: { amount: '1.00' },
      version: 1,
      client_msg_id: 'x',
    });
    expect(await v.nextOf('edit_error')).toMatchObject({
      code: 'viewer_cannot_edit',
      client_msg_id: 'x',
      target_id: lineIds[0],
    });
    const line = (await t.call('GET', `/budgets/${budgetId}/lines`, alice)).json().items[0];
    expect(line).toMatchObject({ amount: '1000.00', version: 1 });
    await v.close();
  });

  it('refuses an edit of a locked budget exactly as REST does', async () => {
    const { sessionId, lineIds, budgetId } = await setup();
    // Lock the budget the way the workflow does (status outside draft/rejected).
    await t.platform.database.exec(`UPDATE budgets SET status = 'under_review' WHERE id = '${budgetId}'`);
    const a = await join(base, sessionId, alice);
    a.send({
      type: 'budget_line_edit',
      target_id: lineIds[0],
      changes: { amount: '5.00' },
      client_msg_id: 'l',
    });
    const err = await a.nextOf('edit_error');
    const rest = await t.call('PUT', `/budgets/${budgetId}/lines/${lineIds[0]}`, alice, {
      amount: '5.00',
      version: 1,
    });
    expect(rest.statusCode).toBe(422);
    expect(err.code).toBe(rest.json().code);
    await a.close();
  });

  it('replays every change after last_sequence, in order, before live ones: 200 edits across a reconnect', async () => {
    const { sessionId, lineIds, budgetId } = await setup('last_writer_wins', 5);
    const a = await join(base, sessionId, alice);
    let b: TestSocket = await join(base, sessionId, bob);
    const received: number[] = [];
    const collect = (s: TestSocket) =>
      s.messages.filter((m) => m.type === 'budget_line_updated').map((m) => m.sequence as number);
    let lastAck = 0;
    for (let i = 1; i <= 200; i++) {
      a.send({
        type: 'budget_line_edit',
        target_id: lineIds[i % 5],
        changes: { amount: `${i}.00` },
        client_msg_id: `m${i}`,
      });
      if (i === 60) {
        // Bob drops mid-stream, remembering the last sequence he applied.
        received.push(...collect(b));
        await b.close();
      }
      if (i === 140) {
        const last = received.at(-1) ?? 0;
        b = await join(base, sessionId, bob, `?last_sequence=${last}`);
      }
      if (i % 50 === 0) lastAck = (await a.nextOf('ack', (m) => m.client_msg_id === `m${i}`)).sequence;
    }
    expect(lastAck).toBeGreaterThan(0);
    await b.next((m) => m.type === 'budget_line_updated' && m.sequence === lastAck);
    received.push(...collect(b));
    // Exactly the server's sequence: no gap, no duplicate.
    const log = (
      await t.call('GET', `/collaboration/sessions/${sessionId}/changes?limit=1000`, alice)
    ).json();
    expect(received).toEqual(log.items.map((c: { sequence: number }) => c.sequence));
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // And the state Bob rebuilt from the messages equals the server's.
    const state = new Map<string, string>();
    for (const m of [...b.messages].filter((x) => x.type === 'budget_line_updated'))
      state.set(m.target_id, m.line.amount);
    const lines = (await t.call('GET', `/budgets/${budgetId}/lines`, alice)).json().items;
    for (const l of lines) expect(state.get(l.line_id)).toBe(l.amount);
    await a.close();
    await b.close();
  });

  it('refuses a bad token, another tenant’s session and a non-participant with close codes', async () => {
    const { sessionId } = await setup();
    const bad = await connect(base, sessionId, 'not.a.jwt');
    expect((await bad.closed).code).toBe(4001);
    const other = await t.token(newTenant(), { user: 'mallory', roles: ['admin'] });
    expect((await (await connect(base, sessionId, other)).closed).code).toBe(4004);
    const stranger = await t.token(tenant, { user: 'stranger', roles: ['planner'] });
    expect((await (await connect(base, sessionId, stranger)).closed).code).toBe(4003);
    // First-message auth (browsers): anything else first is refused.
    const early = await connect(base, sessionId, undefined);
    early.send({ type: 'ping' });
    expect((await early.closed).code).toBe(4001);
    const browser = await connect(base, sessionId, undefined);
    browser.send({ type: 'auth', token: alice });
    expect((await browser.nextOf('welcome')).user_id).toBe('alice');
    await browser.close();
  });

  it('answers malformed, unknown and oversized messages with an error to the sender only', async () => {
    const { sessionId, lineIds } = await setup();
    const a = await join(base, sessionId, alice);
    const b = await join(base, sessionId, bob);
    a.send('{not json');
    expect((await a.nextOf('error')).code).toBe('invalid_json');
    a.send({ type: 'launch_missiles' });
    expect((await a.nextOf('error')).code).toBe('unknown_message_type');
    a.send({
      type: 'budget_line_edit',
      target_id: lineIds[0],
      changes: { amount: '1.001' },
      client_msg_id: 'v',
    });
    const invalid = await a.nextOf('error');
    expect(invalid).toMatchObject({ code: 'validation_failed', client_msg_id: 'v' });
    expect(invalid.errors[0].path).toBe('changes.amount');
    a.send({ type: 'comment_added', body: 'x'.repeat(t.config.COLLABORATION_MAX_MESSAGE_BYTES + 10) });
    expect((await a.nextOf('error')).code).toBe('message_too_large');
    // Both sockets still work, and b saw none of it.
    await a.roundTrip();
    await b.roundTrip();
    expect(b.all('error')).toHaveLength(0);
    await a.close();
    await b.close();
  });
});
