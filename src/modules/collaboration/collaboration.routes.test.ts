/** Sessions over REST: create, get, list active, join (capacity, roles), leave, close; isolation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBody, newTenant, startTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { backends } from '../../../test/helpers/databases.ts';
import { join, listen } from '../../../test/helpers/ws-client.ts';

describe.each(backends())('collaboration sessions API on %s', (backend) => {
  let t: TestApp;
  const tenant = newTenant();
  let owner: string;
  let budgetId: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    owner = await t.token(tenant, { user: 'owner', roles: ['planner'] });
    budgetId = (await t.call('POST', '/budgets', owner, budgetBody())).json().budget_id;
  });
  afterAll(() => t?.close());

  const create = (body: Record<string, unknown> = {}) =>
    t.call('POST', '/collaboration/sessions', owner, { session_name: 'Plan', budget_id: budgetId, ...body });

  it('creates a session with the guide’s defaults and join_url; its creator is the owner', async () => {
    const res = await create();
    expect(res.statusCode).toBe(201);
    const s = res.json();
    expect(s).toMatchObject({
      max_participants: 10,
      session_type: 'budget_editing',
      conflict_strategy: 'optimistic_locking',
      status: 'active',
      last_sequence: 0,
      join_url: `/api/budgeting-forecasting/collaboration/join/${s.session_id}`,
      websocket_url: `/api/budgeting-forecasting/ws/collaboration/${s.session_id}`,
    });
    expect(s.participants).toMatchObject([{ user_id: 'owner', role: 'owner' }]);
    const got = await t.call('GET', `/collaboration/sessions/${s.session_id}`, owner);
    expect(got.json().session_id).toBe(s.session_id);
  });

  it('refuses more than the configured maximum of participants and unknown fields', async () => {
    const tooMany = await create({ max_participants: 51 });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0]).toMatchObject({ path: 'max_participants', code: 'too_big' });
    expect((await create({ max_participants: 50 })).statusCode).toBe(201);
    expect((await create({ tenant_id: 'x' })).json().errors[0].code).toBe('unknown_field');
    const other = await t.call('POST', '/budgets', owner, budgetBody());
    const missing = await t.call('POST', '/collaboration/sessions', await t.token(newTenant()), {
      session_name: 'x',
      budget_id: other.json().budget_id,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('joins up to capacity, then answers 409 session_full; returns the other participants', async () => {
    const s = (await create({ max_participants: 2 })).json();
    const first = await t.call(
      'POST',
      `/collaboration/join/${s.session_id}`,
      await t.token(tenant, { user: 'p1' }),
      {
        role: 'editor',
        user_name: 'Pat',
      },
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      role: 'editor',
      other_participants: [{ user_id: 'owner', role: 'owner' }],
    });
    const full = await t.call(
      'POST',
      `/collaboration/sessions/${s.session_id}/join`,
      await t.token(tenant, { user: 'p2' }),
      {},
    );
    expect(full.statusCode).toBe(409);
    expect(full.json().code).toBe('session_full');
    // Joining again is not a second seat.
    const again = await t.call(
      'POST',
      `/collaboration/join/${s.session_id}`,
      await t.token(tenant, { user: 'p1' }),
      {},
    );
    expect(again.statusCode).toBe(200);
    // Only the creator may be owner.
    const ownerClaim = await t.call(
      'POST',
      `/collaboration/join/${s.session_id}`,
      await t.token(tenant, { user: 'p1' }),
      {
        role: 'owner',
      },
    );
    expect(ownerClaim.json().code).toBe('owner_role_reserved');
  });

  it('leave frees a seat and closes the leaver’s socket; close ends the session for everyone', async () => {
    const base = await listen(t);
    const s = (await create({ max_participants: 2 })).json();
    const p1 = await t.token(tenant, { user: 'p1' });
    await t.call('POST', `/collaboration/join/${s.session_id}`, p1, { role: 'editor' });
    const sock = await join(base, s.session_id, p1);
    const ownerSock = await join(base, s.session_id, owner);
    expect((await t.call('POST', `/collaboration/sessions/${s.session_id}/leave`, p1)).statusCode).toBe(200);
    expect((await sock.closed).code).toBe(4011);
    expect((await ownerSock.nextOf('user_left')).user_id).toBe('p1');
    const p2 = await t.token(tenant, { user: 'p2' });
    expect((await t.call('POST', `/collaboration/join/${s.session_id}`, p2, {})).statusCode).toBe(200);

    expect((await t.call('POST', `/collaboration/sessions/${s.session_id}/close`, p2)).json().code).toBe(
      'owner_only',
    );
    const closed = await t.call('POST', `/collaboration/sessions/${s.session_id}/close`, owner);
    expect(closed.json().status).toBe('closed');
    expect((await ownerSock.nextOf('session_closed')).closed_by).toBe('owner');
    expect((await ownerSock.closed).code).toBe(4010);
    const active = (await t.call('GET', `/collaboration/sessions?budget_id=${budgetId}`, owner)).json().items;
    expect(active.map((x: { session_id: string }) => x.session_id)).not.toContain(s.session_id);
    expect((await t.call('POST', `/collaboration/join/${s.session_id}`, p2, {})).json().code).toBe(
      'session_closed',
    );
  });

  it('hides sessions of other tenants (404) and needs a token', async () => {
    const s = (await create()).json();
    const mallory = await t.token(newTenant(), { user: 'mallory' });
    for (const [m, p] of [
      ['GET', `/collaboration/sessions/${s.session_id}`],
      ['POST', `/collaboration/sessions/${s.session_id}/join`],
      ['POST', `/collaboration/sessions/${s.session_id}/close`],
      ['GET', `/collaboration/sessions/${s.session_id}/changes`],
      ['GET', `/budgets/${budgetId}/comments`],
    ] as const) {
      const res = await t.call(m, p, mallory, m === 'POST' && p.endsWith('join') ? {} : undefined);
      expect(res.statusCode, `${m} ${p}`).toBe(404);
    }
    expect((await t.call('GET', '/collaboration/sessions', mallory)).json().items).toHaveLength(0);
    expect((await t.call('GET', '/collaboration/sessions', undefined)).statusCode).toBe(401);
  });
});
