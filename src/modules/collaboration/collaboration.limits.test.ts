/**
 * Issue 9, items 12, 13 and 20, with real `ws` clients on a listening server: token expiry on
 * an open socket and re-authentication, message rate and volume limits, the session quota,
 * socket caps per user and per address, and the authentication timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, lineBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { connect, join, listen, type Msg, type TestSocket } from '../../../test/helpers/ws-client.ts';

describe.each(backends())('collaboration socket limits on %s', (backend) => {
  let t: TestApp;
  let base: string;
  const tenant = newTenant();
  let alice: string;

  beforeAll(async () => {
    t = await startTestApp(backend, {
      COLLABORATION_SOCKET_MESSAGES_PER_SECOND: '5',
      COLLABORATION_USER_MESSAGES_PER_SECOND: '6',
      COLLABORATION_SOCKET_BYTES_PER_SECOND: '4096',
      COLLABORATION_USER_WRITES_PER_MINUTE: '6',
      COLLABORATION_RATE_LIMIT_STRIKES: '5',
      COLLABORATION_SESSION_MAX_REQUESTS: '4',
      COLLABORATION_MAX_SOCKETS_PER_USER: '2',
      COLLABORATION_MAX_UNAUTHENTICATED_PER_ADDRESS: '3',
      COLLABORATION_AUTH_TIMEOUT_SECONDS: '1',
    });
    base = await listen(t);
    alice = await t.token(tenant, { user: 'alice', roles: ['planner'] });
  });
  afterAll(() => t?.close());

  /** A budget with one line and a session on it that the given users joined as editors. */
  async function session(users: string[]) {
    const budget = (
      await t.call('POST', '/budgets', alice, budgetBody({ budget_lines: [lineBody()] }))
    ).json();
    const lines = (await t.call('GET', `/budgets/${budget.budget_id}/lines`, alice)).json();
    const s = await t.call('POST', '/collaboration/sessions', alice, {
      session_name: 'Live',
      budget_id: budget.budget_id,
    });
    expect(s.statusCode).toBe(201);
    const sessionId = s.json().session_id as string;
    const tokens: Record<string, string> = {};
    for (const user of users) {
      tokens[user] = await t.token(tenant, { user, roles: ['planner'] });
      const j = await t.call('POST', `/collaboration/sessions/${sessionId}/join`, tokens[user], {
        role: 'editor',
      });
      expect(j.statusCode).toBe(200);
    }
    return { sessionId, lineId: lines.items[0].line_id as string, tokens };
  }

  /** The answer (pong, ack or error) to each message id, in order. */
  const answers = (s: TestSocket, ids: string[]) =>
    Promise.all(ids.map((id) => s.next((m: Msg) => m.client_msg_id === id && m.type !== 'presence')));

  describe('item 12: token expiry on an open socket', () => {
    it('closes a socket 4001 token_expired when its token expires, without applying anything after', async () => {
      const { sessionId, lineId } = await session(['eve']);
      const short = await t.token(tenant, { user: 'eve', roles: ['planner'], ttl: 2 });
      const s = await join(base, sessionId, short);
      const welcome = s.all('welcome')[0]!;
      expect(Date.parse(welcome.token_expires_at)).toBeGreaterThan(Date.now());
      s.send({
        type: 'budget_line_edit',
        target_id: lineId,
        changes: { amount: '5.00' },
        version: 1,
        client_msg_id: 'e1',
      });
      expect((await s.nextOf('ack', (m) => m.client_msg_id === 'e1')).sequence).toBeGreaterThan(0);
      const closed = await s.closed;
      expect(closed).toEqual({ code: 4001, reason: 'token_expired' });
      expect(s.all('error').at(-1)).toMatchObject({ code: 'token_expired' });
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(welcome.token_expires_at));
      const line = (await t.call('GET', `/budgets/${welcome.budget_id}/lines`, alice)).json().items[0];
      expect(line).toMatchObject({ amount: '5.00', version: 2 });
    });

    it('an auth message with a fresh token of the same user extends the socket past the old exp', async () => {
      const { sessionId, lineId } = await session(['fay', 'gus']);
      const short = await t.token(tenant, { user: 'fay', roles: ['planner'], ttl: 2 });
      const clockToken = await t.token(tenant, { user: 'gus', roles: ['planner'], ttl: 2 });
      const s = await join(base, sessionId, short);
      // A socket on a token as short: its close tells when the old token has expired (no sleeps).
      const clock = await join(base, sessionId, clockToken);

      s.send({ type: 'auth', token: 'not-a-jwt' });
      expect(await s.nextOf('error')).toMatchObject({ code: 'invalid_token' });
      const fresh = await t.token(tenant, { user: 'fay', roles: ['planner'], ttl: 600 });
      s.send({ type: 'auth', token: fresh });
      const ok = await s.nextOf('auth_ok');
      expect(Date.parse(ok.token_expires_at)).toBeGreaterThan(Date.now() + 500_000);

      expect(await clock.closed).toEqual({ code: 4001, reason: 'token_expired' });
      s.send({
        type: 'budget_line_edit',
        target_id: lineId,
        changes: { amount: '7.00' },
        version: 1,
        client_msg_id: 'e2',
      });
      expect(await s.nextOf('ack', (m) => m.client_msg_id === 'e2')).toBeTruthy();

      // Another user's token cannot take the socket over.
      s.send({ type: 'auth', token: await t.token(tenant, { user: 'gus', roles: ['planner'] }) });
      expect(await s.closed).toEqual({ code: 4001, reason: 'token_subject_mismatch' });
    });
  });

  describe('item 13: rate and volume limits', () => {
    it('a socket flooding messages gets rate_limited errors naming the limit, then close 4029', async () => {
      const { sessionId, tokens } = await session(['flo']);
      const s = await join(base, sessionId, tokens.flo!);
      for (let i = 0; i < 40; i++) s.send({ type: 'ping', client_msg_id: `p${i}` });
      expect(await s.closed).toEqual({ code: 4029, reason: 'rate_limited' });
      // The burst (10) passed; the next 5 were refused with an error each (the strikes); the 6th closed it.
      expect(s.all('pong').length).toBeLessThanOrEqual(10);
      const errors = s.all('error');
      expect(errors).toHaveLength(5);
      expect(errors[0]).toMatchObject({
        code: 'rate_limited',
        limit: 'socket_messages',
        client_msg_id: 'p10',
      });
      expect(errors[0]!.retry_after_ms).toBeGreaterThan(0);
    });

    it("a user's sockets share one message budget", async () => {
      const { sessionId, tokens } = await session(['duo']);
      const a = await join(base, sessionId, tokens.duo!);
      const b = await join(base, sessionId, tokens.duo!);
      const ids = (p: string) => Array.from({ length: 8 }, (_, i) => `${p}${i}`);
      for (const id of ids('a')) a.send({ type: 'ping', client_msg_id: id });
      await answers(a, ids('a'));
      for (const id of ids('b')) b.send({ type: 'ping', client_msg_id: id });
      const got = await answers(b, ids('b'));
      expect(got.filter((m) => m.type === 'error').map((m) => m.limit)).toContain('user_messages');
      await a.close();
      await b.close();
    });

    it('large messages are limited by bytes per socket; stored messages by writes per user', async () => {
      const { sessionId, tokens } = await session(['big', 'chat']);
      const s = await join(base, sessionId, tokens.big!);
      const blob = 'x'.repeat(40_000);
      s.send({ type: 'change_request', description: 'one', proposed_changes: { blob }, client_msg_id: 'r1' });
      s.send({ type: 'change_request', description: 'two', proposed_changes: { blob }, client_msg_id: 'r2' });
      const [r1, r2] = await answers(s, ['r1', 'r2']);
      expect(r1).toMatchObject({ type: 'ack' });
      expect(r2).toMatchObject({ type: 'error', code: 'rate_limited', limit: 'socket_bytes' });

      const c = await join(base, sessionId, tokens.chat!);
      const ids = ['c1', 'c2', 'c3', 'c4'];
      for (const id of ids) c.send({ type: 'comment_added', body: `comment ${id}`, client_msg_id: id });
      const got = await answers(c, ids);
      expect(got.slice(0, 3).map((m) => m.type)).toEqual(['ack', 'ack', 'ack']);
      expect(got[3]).toMatchObject({ type: 'error', code: 'rate_limited', limit: 'user_writes' });
    });

    it('a session holds at most its quota of comments and change requests (422 session_quota_exceeded)', async () => {
      const { sessionId, tokens, lineId } = await session(['q1', 'q2']);
      const a = await join(base, sessionId, tokens.q1!);
      const b = await join(base, sessionId, tokens.q2!);
      for (const id of ['a1', 'a2', 'a3'])
        a.send({ type: 'change_request', description: id, client_msg_id: id });
      expect((await answers(a, ['a1', 'a2', 'a3'])).map((m) => m.type)).toEqual(['ack', 'ack', 'ack']);
      b.send({ type: 'comment_added', body: 'fourth', client_msg_id: 'b1' });
      b.send({ type: 'change_request', description: 'fifth', client_msg_id: 'b2' });
      const [b1, b2] = await answers(b, ['b1', 'b2']);
      expect(b1).toMatchObject({ type: 'ack' });
      expect(b2).toMatchObject({ type: 'error', code: 'session_quota_exceeded', rows: 4 });
      // A change request may only name a line of the session's budget.
      b.send({
        type: 'change_request',
        description: 'x',
        target_id: '0190a0c0-1111-7222-8333-444455556666',
        client_msg_id: 'b3',
      });
      expect((await answers(b, ['b3']))[0]).toMatchObject({ type: 'error', code: 'not_found' });
      // Line edits are not quota'd: the work of the session goes on.
      b.send({
        type: 'budget_line_edit',
        target_id: lineId,
        changes: { notes: 'still' },
        version: 1,
        client_msg_id: 'b4',
      });
      expect((await answers(b, ['b4']))[0]).toMatchObject({ type: 'ack' });
    });
  });

  describe('item 20: socket caps', () => {
    it('caps sockets per user and session (4012); a closed one frees its slot', async () => {
      const { sessionId, tokens } = await session(['many']);
      const a = await join(base, sessionId, tokens.many!);
      const b = await join(base, sessionId, tokens.many!);
      const c = await connect(base, sessionId, tokens.many!);
      expect(await c.closed).toEqual({
        code: 4012,
        reason: 'too many sockets for this user on this session',
      });
      await a.close();
      const d = await join(base, sessionId, tokens.many!);
      await b.close();
      await d.close();
    });

    it('caps unauthenticated sockets per address (4013) and closes those that never authenticate (4001)', async () => {
      const { sessionId } = await session([]);
      const waiting = await Promise.all([1, 2, 3].map(() => connect(base, sessionId, undefined)));
      const fourth = await connect(base, sessionId, undefined);
      expect(await fourth.closed).toEqual({
        code: 4013,
        reason: 'too many unauthenticated sockets from this address',
      });
      for (const s of waiting)
        expect(await s.closed).toEqual({ code: 4001, reason: 'authentication timeout' });
      // Their slots are free again: a socket that authenticates by message gets in.
      const late = await connect(base, sessionId, undefined);
      late.send({ type: 'auth', token: alice });
      expect(await late.nextOf('welcome')).toBeTruthy();
      await late.close();
    });
  });
});
